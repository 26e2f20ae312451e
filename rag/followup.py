"""Understanding a follow-up through the turns before it.

"Which association did he preside over?" after "Who is Jorge Abbott?" is about Jorge Abbott.
Each turn records its subject: the names, acronyms and numbers it mentions, or, when it has
none and refers back ("he", "that network", "¿y quién lo financia?"), the subject it inherited.
A follow-up that refers back, or names nothing of its own, is searched and answered together
with the previous turn's subject.
"""

from __future__ import annotations

import re

from .analysis import fold
from .conversations import Turn

# Words that point back to something said before. Articles that double as pronouns in Spanish
# and Portuguese ("la", "lo", "o", "a") are left out: a question without names of its own is
# treated as a follow-up anyway.
ANAPHORS = set("""
he she it they him her them his hers its their theirs this that these those there such
él ella ellos ellas su sus suyo suya eso esa ese esos esas esto esta este estos estas dicho dicha allí ahí
ele ela eles elas dele dela deles delas seu sua seus suas isso essa esse essas esses isto esta este
estas estes ali nisso nessa nesse disso dessa desse
""".split())

_ENTITY = re.compile(r"\b(?:[A-ZÁÉÍÓÚÑÇ][\w’'-]*[A-Z0-9][\w-]*|[A-ZÁÉÍÓÚÑÇ][\w’'-]+|\d[\d.,/-]*\d|\d)\b")
_QUESTION_WORDS = set("""
who whom whose what which when where why how is are was were do does did can could
quien quienes que cual cuales cuando donde por como cuanto cuantos cuantas
quem qual quais quando onde como quanto quantos quantas o a os as e y
""".split())


def entities(question: str) -> list[str]:
    """Names, acronyms and numbers of a question: capitalised words past its first word, all acronyms."""
    found = []
    for m in _ENTITY.finditer(question):
        word = m.group(0)
        is_acronym = sum(ch.isupper() for ch in word) >= 2 or any(ch.isdigit() for ch in word)
        first = not question[:m.start()].strip(" ¿¡\"'“(")
        if fold(word) in _QUESTION_WORDS or (first and not is_acronym):
            continue
        found.append(word)
    return list(dict.fromkeys(found))


def refers_back(question: str) -> bool:
    # Accents kept: "él" (he) is a pronoun, "el" (the) is not.
    return any(w.lower() in ANAPHORS for w in re.findall(r"\w+", question))


def subject_of(question: str, history: list[Turn]) -> str:
    """What this turn is about, to be recorded with it."""
    own = entities(question)
    if own and not refers_back(question):
        return " ".join(own)
    inherited = history[-1].subject if history else ""
    return " ".join(dict.fromkeys((inherited + " " + " ".join(own)).split()))


def search_text(question: str, history: list[Turn]) -> str:
    """The question, plus the earlier subject when it is a follow-up."""
    if not history or (entities(question) and not refers_back(question)):
        return question
    carried = history[-1].subject
    return f"{question} ({carried})" if carried else question
