"""Block Kit for answers: the answer, each citation as a quoted passage, the buttons under it.

Slack's mrkdwn reads '&', '<' and '>' as markup, so text from documents and questions is
escaped. Slack's limits hold whatever the answer: a section's (and a context's) text is at most
3000 characters, a message at most 50 blocks, a button's value at most 2000 characters.

A citation in another language than the question may carry a gloss, the quote machine-translated
into the question's language: it is shown under the quote, in a context line labelled as a
machine translation, never in the quote's place.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.i18n import message

SECTION_CHARS = 3000
MAX_BLOCKS = 50
QUOTE_CHARS = 2500
GLOSS_CHARS = 2500
SOURCE_CHARS = 200
FALLBACK_CHARS = 3000

# Action ids are a contract with messages already posted: keep them stable.
HELPFUL = "rag_feedback_helpful"
NOT_HELPFUL = "rag_feedback_not_helpful"
POST_TO_CHANNEL = "rag_post_to_channel"
VERDICT_OF_ACTION = {HELPFUL: "helpful", NOT_HELPFUL: "not_helpful"}

LABELS = {
    HELPFUL: {"en": "Helpful", "es": "Útil", "pt": "Útil"},
    NOT_HELPFUL: {"en": "Not helpful", "es": "No útil", "pt": "Não útil"},
    POST_TO_CHANNEL: {"en": "Post to channel", "es": "Publicar en el canal", "pt": "Publicar no canal"},
}
CHARACTERS = {"en": "characters", "es": "caracteres", "pt": "caracteres"}
PAGE = {"en": "p.", "es": "pág.", "pt": "p."}
ASKED = {"en": "asked", "es": "preguntó", "pt": "perguntou"}
APOLOGY = {
    "en": "Sorry, something went wrong while answering. Please try again; if it keeps failing, "
          "give your administrator this reference: `{reference}`.",
    "es": "Lo siento, algo falló al responder. Vuelva a intentarlo; si sigue fallando, "
          "dé a su administrador esta referencia: `{reference}`.",
    "pt": "Desculpe, algo deu errado ao responder. Tente de novo; se continuar falhando, "
          "passe ao administrador esta referência: `{reference}`.",
}
# A channel RAG_SLACK_COLLECTIONS does not name: no collection is answered there.
NOT_HERE = {
    "en": "Sorry, I don't answer questions in this channel. Please ask your administrator which channel "
          "to use, or ask me in a direct message if that is allowed.",
    "es": "Lo siento, no respondo preguntas en este canal. Pregunte a su administrador qué canal usar, "
          "o escríbame un mensaje directo si está permitido.",
    "pt": "Desculpe, não respondo perguntas neste canal. Pergunte ao administrador qual canal usar, "
          "ou me escreva uma mensagem direta, se for permitido.",
}
THANKS = {
    "helpful": {"en": "Thanks, noted: helpful.", "es": "Gracias, anotado: útil.", "pt": "Obrigado, anotado: útil."},
    "not_helpful": {"en": "Thanks, noted: not helpful.", "es": "Gracias, anotado: no útil.",
                    "pt": "Obrigado, anotado: não útil."},
}
MACHINE_TRANSLATION = {"en": "Machine translation", "es": "Traducción automática", "pt": "Tradução automática"}
EXAMPLE = {"en": "Who implements TRACK4TIP?", "es": "¿Quién implementa TRACK4TIP?",
           "pt": "Quem implementa o TRACK4TIP?"}
HOW_TO_ASK_IN = {
    "mention": {"en": f"Ask me a question after the mention, e.g. `@rag {EXAMPLE['en']}`",
                "es": f"Escríbame una pregunta después de la mención, p. ej. `@rag {EXAMPLE['es']}`",
                "pt": f"Escreva uma pergunta depois da menção, p. ex. `@rag {EXAMPLE['pt']}`"},
    "dm": {"en": f"Ask me a question, e.g. `{EXAMPLE['en']}`",
           "es": f"Hágame una pregunta, p. ej. `{EXAMPLE['es']}`",
           "pt": f"Faça uma pergunta, p. ex. `{EXAMPLE['pt']}`"},
    "command": {"en": f"Type a question after the command, e.g. `/ask {EXAMPLE['en']}`",
                "es": f"Escriba una pregunta después del comando, p. ej. `/ask {EXAMPLE['es']}`",
                "pt": f"Digite uma pergunta depois do comando, p. ex. `/ask {EXAMPLE['pt']}`"},
}


def escape(text: str) -> str:
    """Text shown as itself in mrkdwn (Slack's three control characters escaped)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fit(text: str) -> str:
    # Escaping lengthens text; cutting after it could split an entity, so cut an entity whole.
    if len(text) > SECTION_CHARS:
        text = re.sub(r"&[a-z]*$", "", text[: SECTION_CHARS - 1]).rstrip() + "…"
    return text


def _mrkdwn_section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _fit(text)}}


def _mrkdwn_context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _fit(text)}]}


def citation_text(n: int, citation: dict, language: str) -> str:
    """`*[1]* `source`, p. 2, characters 12–80` (the page when the document has pages) then the
    passage as a quote, every line of it.

    The source is set as code: file names hold underscores, which mrkdwn would read as italics.
    """
    quote = "\n".join(f">{escape(line)}" for line in cut(citation["quote"], QUOTE_CHARS).splitlines() or [""])
    where = f"{CHARACTERS.get(language, CHARACTERS['en'])} {citation['start']}–{citation['end']}"
    if citation.get("page") is not None:
        where = f"{PAGE.get(language, PAGE['en'])} {citation['page']}, {where}"
    source = escape(cut(citation["source"], SOURCE_CHARS).replace("`", "'"))
    return f"*[{n}]* `{source}`, {where}\n{quote}"


def gloss_text(gloss: str, language: str) -> str:
    """`_Machine translation:_ _the gloss_`, the label in the question's language, on one line.

    The gloss is set in italics too unless it holds an underscore, which would end them early
    (mrkdwn has no escape for it); the label alone then marks it.
    """
    label = message(MACHINE_TRANSLATION, language)
    text = escape(cut(" ".join(gloss.split()), GLOSS_CHARS))
    return f"_{label}:_ " + (f"_{text}_" if text and "_" not in text else text)


def button(action_id: str, question_id: str, language: str, *, style: str | None = None) -> dict:
    out = {"type": "button", "action_id": action_id, "value": question_id,
           "text": {"type": "plain_text", "text": message(LABELS[action_id], language)}}
    return out | ({"style": style} if style else {})


def answer_blocks(answer: dict, question_id: str, *, ephemeral: bool = False,
                  asked_by: str | None = None) -> list[dict]:
    """Blocks of an answer (`Answer.to_dict()`): the text, the citations, then the buttons.

    An ephemeral answer (the slash command's) has a "post to channel" button; one posted on
    someone's behalf says who asked what. A "not found" answer has no citations. A citation
    with a gloss is followed by the gloss in a context block; a citation is shown with its
    gloss or not at all, and the citations shown are the first ones, so the [n] hold.
    """
    language = answer.get("language", "en")
    blocks = []
    if asked_by:
        asked = f"<@{asked_by}> {message(ASKED, language)}: {escape(cut(answer['question'], 2800))}"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": asked}]})
    blocks.append(_mrkdwn_section(escape(answer["answer"])))
    room = MAX_BLOCKS - len(blocks) - 1  # the actions last
    for n, citation in enumerate(answer["citations"], start=1):
        shown = [_mrkdwn_section(citation_text(n, citation, language))]
        if citation.get("gloss"):
            shown.append(_mrkdwn_context(gloss_text(citation["gloss"], language)))
        if len(shown) > room:
            break
        blocks += shown
        room -= len(shown)
    buttons = [button(HELPFUL, question_id, language), button(NOT_HELPFUL, question_id, language)]
    if ephemeral:
        buttons.insert(0, button(POST_TO_CHANNEL, question_id, language, style="primary"))
    blocks.append({"type": "actions", "block_id": "rag_answer_actions", "elements": buttons})
    return blocks


def fallback_text(answer: dict) -> str:
    """The message's `text`: what notifications and screen readers get."""
    return escape(cut(answer["answer"], FALLBACK_CHARS))


def how_to_ask(where: str, text: str = "") -> str:
    """How to ask ("mention", "dm" or "command"), in the language of what the person wrote.

    `text` is the message as Slack sent it: mentions, channels and broadcasts are not words of
    the person's language, so they are left out; with no word left, the help is in English.
    """
    return message(HOW_TO_ASK_IN[where], _language_of(text))


def _language_of(text: str) -> str:
    def words(m: re.Match) -> str:  # a link's label is the person's words; its address and the rest are not
        return "" if m.group(1).startswith(("@", "#", "!")) else (m.group(2) or "")

    said = _MARKUP.sub(words, text or "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    if not any(c.isalpha() for c in said):
        return "en"
    return _detector().detect(said)


@lru_cache(maxsize=1)
def _detector():
    from rag.analysis import LanguageDetector

    return LanguageDetector()


def apology(reference: str, language: str) -> str:
    return message(APOLOGY, language).format(reference=reference)


def not_here(language: str) -> str:
    return message(NOT_HERE, language)


def thanks(verdict: str, language: str) -> str:
    return message(THANKS[verdict], language)


# --- what people write --------------------------------------------------------------------------

_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def question_text(text: str, bot_user_id: str | None) -> str:
    """The question in a message: the bot's mention gone, Slack's markup back to plain text.

    `<@U123>` is a mention, `<#C1|general>` a channel, `<https://x|label>` a link, `<!here>` a
    broadcast; '&', '<' and '>' arrive escaped.
    """
    def plain(m: re.Match) -> str:
        target, label = m.group(1), m.group(2)
        if target.startswith("@"):
            return "" if target[1:] == bot_user_id else (label or target)
        if target.startswith("#"):
            return f"#{label}" if label else target
        if target.startswith("!"):
            return (label or "").lstrip("@")
        return label or target.removeprefix("mailto:")

    text = _MARKUP.sub(plain, text or "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = " ".join(text.split())
    return text.lstrip(" ,:;-–—").strip()
