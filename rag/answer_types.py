"""What kind of thing a question asks for, and whether a sentence holds one."""

from __future__ import annotations

import re
from enum import Enum

from .analysis import fold


class Expect(Enum):
    PERSON = "person"
    DURATION = "duration"
    MONEY = "money"
    PERCENT = "percent"
    NUMBER = "number"
    DATE = "date"
    PLACE = "place"
    DEFINITION = "definition"
    OTHER = "other"


_CUES: list[tuple[Expect, re.Pattern]] = [
    # Before NUMBER: "how much money" and "what percentage" ask for a number of a kind.
    (Expect.DURATION, re.compile(r"\b(how long|for how long|what period|cuanto tiempo|por cuanto tiempo|"
                                 r"cuanto dura|que duracion|quanto tempo|por quanto tempo|quanto dura|"
                                 r"qual a duracao)\b")),
    (Expect.MONEY, re.compile(r"\b(how much money|what amount|what fine|which fine|how much funding|"
                              r"(maximum|minimum) (fine|amount)|multa (maxima|minima)|"
                              r"cuanto dinero|que monto|que multa|cual es la multa|quanto dinheiro|qual o valor|"
                              r"qual a multa|que valor)\b")),
    (Expect.PERCENT, re.compile(r"\b(what percentage|what percent|what share|what proportion|que porcentaje|"
                                r"que proporcion|que porcentagem|qual a porcentagem|qual o percentual|"
                                r"que percentual)\b")),
    (Expect.NUMBER, re.compile(r"\b(how many|how much|cuant[oa]s?|quant[oa]s?)\b")),
    (Expect.DATE, re.compile(r"\b(when|what year|which year|since when|cuando|que ano|en que ano|"
                             r"desde cuando|quando|em que ano|desde quando)\b")),
    (Expect.PERSON, re.compile(r"\b(who|whom|whose|quien(es)?|quem)\b|\b(which|what|que|qual|cual)\s+(\w+\s+)?"
                               r"(minister|ministro|ministra|prosecutor|fiscal|procurador|promotor|commander|"
                               r"comandante|director|diretor|directora|president|presidente|ambassador|embajador|"
                               r"embaixador|officer|oficial|judge|juez|juiz|secretary|secretario|undersecretary|"
                               r"subsecretario)\b")),
    (Expect.PLACE, re.compile(r"\b(where|donde|onde|in which city|in which country)\b")),
    (Expect.DEFINITION, re.compile(r"^\W*(what is|what are|what's|que es|que son|o que e|que e)\b")),
]
_LIST_CUE = re.compile(r"\b(which|what|cuales|que|quais|quienes|quem sao)\s+(\w+)(?:\s+(\w+))?|\b(list|enumera|liste)\b")
_NOT_PLURAL = {"does", "was", "has", "is", "this", "its", "his", "as", "were", "us", "bus", "status", "process",
               "business", "address", "access", "analysis", "crisis", "basis", "tres", "dos", "mas", "pais"}
_DETERMINERS = {"the", "two", "three", "four", "main", "other", "los", "las", "os", "as", "dos", "duas", "tres",
                "principales", "principais", "otros", "outros", "were", "are", "son", "sao"}

_DURATION = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|dos|tres|cuatro|cinco|seis|diez|duas|quatro|"
    r"um|uno|una)[- ](years?|months?|weeks?|days?|hours?|decades?|anos?|años|mes(es)?|semanas?|d[ií]as?|"
    r"horas?|d[ée]cadas?)\b|\b(1[89]|20)\d\d\s*[-–]\s*((1[89]|20)\d\d|\d\d)\b", re.I)
_MONEY = re.compile(r"(US|R|CLP|S/)?[$€£]\s?\d|\b\d[\d.,]*\s*(million|billion|millones|mil|milh[õo]es)?\s*"
                    r"(dollars|euros|pesos|reais|soles|USD|EUR|CLP|BRL|UF|UTM)\b", re.I)
_PERCENT = re.compile(r"\d\s?%|\b(per ?cent|por ciento|por cento|percent)\b", re.I)
_NUMBER = re.compile(r"\b\d[\d.,]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|"
                     r"thousands?|dos|tres|cuatro|cinco|duas|quatro)\b", re.I)
_DATE = re.compile(r"\b(1[89]\d\d|20\d\d)\b|\b(january|february|march|april|may|june|july|august|september|"
                   r"october|november|december|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|"
                   r"octubre|noviembre|diciembre|janeiro|fevereiro|marco|maio|junho|julho|setembro|outubro|"
                   r"novembro|dezembro)\b", re.I)
_NAME = re.compile(r"\b[A-ZÁÉÍÓÚÑÇ][a-záéíóúñçãõâêô’'-]+(?:\s+(?:de|del|da|dos|la)?\s*"
                   r"[A-ZÁÉÍÓÚÑÇ][a-záéíóúñçãõâêô’'-]+)+")
# Capitalised words of titles, bodies and places (folded): a run of them is not a person's name.
INSTITUTION_WORDS = set("""
affairs agency america american ambassador association attorney bureau caribbean center centre chief city
commander commission committee conference congress convention cooperation council court crime day deputy
department development director directorate division east european executive federal foreign general
government group high human institute interior international justice latin law minister ministry mission
national nations network north office organization organisation parties partnerships people police
president programme program prosecutor protocol public republic rights secretariat secretary security
service session south specialist state states team the union united university west working world
migrant migrants migration smuggling trafficking traffickers money laundering anti crime crimes organised
organized beings persons protection victims victim assistance border borders force task unit units
ministerio publico fiscalia procuraduria policia nacional republica naciones nacoes unidas unidos estados
estado secretaria oficina escritorio tribunal corte suprema supremo justicia justica juzgado camara senado
congreso congresso gobierno governo direccion diretoria organizacion organizacao internacional mundial
comision comissao consejo conselho departamento instituto universidad universidade red rede programa
protocolo convencion convencao ley lei decreto trata trafico personas pessoas migrantes crimen delito
agencia federal general ministro ministra presidente embajador embaixador
""".split())
_PLACE = re.compile(r"\b(at|in|en|em|no|na)\s+(the\s+|el\s+|la\s+|o\s+|a\s+)?[A-ZÁÉÍÓÚÑÇ]")
_ENUMERATION = re.compile(
    r"([A-ZÁÉÍÓÚÑÇ][\w’'-]*(?:\s+(?:and|y|e|of|de|and|del)?\s*[A-ZÁÉÍÓÚÑÇ][\w’'-]*)*,\s+){2,}")


def expected(question: str) -> Expect:
    folded = fold(question)
    for kind, cue in _CUES:
        if cue.search(folded):
            return kind
    return Expect.OTHER


def is_list_question(question: str) -> bool:
    """'Which countries…', 'Quais países…', 'list the…': the answer is a set of items."""
    match = _LIST_CUE.search(fold(question))
    return bool(match and (match.group(4) or listed_noun(question)))


def listed_noun(question: str) -> str | None:
    """The plural noun a list question asks for, folded: 'countries' in 'Which countries…',
    'paises' in '¿Qué países…'; None when the question names none."""
    match = _LIST_CUE.search(fold(question))
    if not match or match.group(4):
        return None
    first, second = match.group(2, 3)
    nouns = [first, second] if first in _DETERMINERS else [first]
    return next((w for w in nouns if w and len(w) > 3 and w.endswith("s") and w not in _NOT_PLURAL), None)


# Counts that announce a set: "eight countries", "dos tratados", "três agências".
_COUNTS = ("two three four five six seven eight nine ten eleven twelve dozen dos tres cuatro cinco seis siete "
           "ocho nueve diez once doce docena dois duas tres quatro cinco seis sete oito nove dez onze doze duzia").split()
_COUNT = r"(?:\d+|" + "|".join(sorted(set(_COUNTS), key=len, reverse=True)) + ")"


def announces(sentence: str, noun: str) -> bool:
    """Whether the sentence counts the noun ("benefits eight countries", "ocho países"): it
    announces the set a list question asks for. One adjective may stand between ("two main treaties")."""
    return bool(re.search(rf"\b{_COUNT}\s+(?:\w+\s+)?{re.escape(noun)}\b", fold(sentence)))


def has_enumeration(sentence: str) -> bool:
    return bool(_ENUMERATION.search(sentence))


def holds(kind: Expect, sentence: str, question: str) -> bool:
    """Whether the sentence has something of the expected kind that the question does not."""
    folded_question = fold(question)

    def new(matches) -> bool:
        return any(fold(m.group(0)) not in folded_question for m in matches)

    if kind is Expect.NUMBER:
        return new(_NUMBER.finditer(sentence))
    if kind is Expect.DURATION:
        return new(_DURATION.finditer(sentence))
    if kind is Expect.MONEY:
        return new(_MONEY.finditer(sentence))
    if kind is Expect.PERCENT:
        return new(_PERCENT.finditer(sentence))
    if kind is Expect.DATE:
        return new(_DATE.finditer(sentence))
    if kind is Expect.PERSON:
        return new(m for m in _NAME.finditer(sentence) if _is_person(m.group(0)))
    if kind is Expect.PLACE:
        return bool(_PLACE.search(sentence))
    return False


def defines(subject_words: list[str], sentence: str) -> bool:
    """'X (…)', 'X, the …', 'X is …' or '(X)': the sentence says what X is."""
    folded = fold(sentence)
    for word in subject_words:
        if re.search(rf"\b{re.escape(word)}\b\s*(\(|,\s+(the|an?|la|el|una?|os?|as?|uma?)\b|(is|es|e|are|son|sao)\b)", folded) or \
                f"({word})" in folded:
            return True
    return False


def _is_person(run: str) -> bool:
    names = [w for w in re.split(r"\s+", fold(run)) if w not in {"de", "del", "da", "dos", "la"}]
    return sum(1 for w in names if w.strip("’'") not in INSTITUTION_WORDS) >= 2


def is_heading(sentence: str) -> bool:
    """A line with no closing punctuation is a title or a menu entry, rarely an answer."""
    return not re.search(r"[.!?:;”\")»]$", sentence.strip())
