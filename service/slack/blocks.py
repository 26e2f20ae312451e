"""Block Kit for answers: the answer, each citation as a quoted passage, the buttons under it.

Slack's mrkdwn reads '&', '<' and '>' as markup, so text from documents and questions is
escaped. Slack's limits hold whatever the answer: a section's text is at most 3000 characters,
a message at most 50 blocks, a button's value at most 2000 characters.
"""

from __future__ import annotations

import re

from rag.i18n import message

SECTION_CHARS = 3000
MAX_BLOCKS = 50
QUOTE_CHARS = 2500
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
ASKED = {"en": "asked", "es": "preguntó", "pt": "perguntou"}
APOLOGY = {
    "en": "Sorry, something went wrong while answering. Please try again; if it keeps failing, "
          "give your administrator this reference: `{reference}`.",
    "es": "Lo siento, algo falló al responder. Vuelva a intentarlo; si sigue fallando, "
          "dé a su administrador esta referencia: `{reference}`.",
    "pt": "Desculpe, algo deu errado ao responder. Tente de novo; se continuar falhando, "
          "passe ao administrador esta referência: `{reference}`.",
}
THANKS = {
    "helpful": {"en": "Thanks, noted: helpful.", "es": "Gracias, anotado: útil.", "pt": "Obrigado, anotado: útil."},
    "not_helpful": {"en": "Thanks, noted: not helpful.", "es": "Gracias, anotado: no útil.",
                    "pt": "Obrigado, anotado: não útil."},
}
EXAMPLE = "Who implements TRACK4TIP?"
HOW_TO_ASK = {
    "mention": f"Ask me a question after the mention, e.g. `@rag {EXAMPLE}`",
    "dm": f"Ask me a question, e.g. `{EXAMPLE}`",
    "command": f"Type a question after the command, e.g. `/ask {EXAMPLE}`",
}


def escape(text: str) -> str:
    """Text shown as itself in mrkdwn (Slack's three control characters escaped)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _mrkdwn_section(text: str) -> dict:
    # Escaping lengthens text; cutting after it could split an entity, so cut an entity whole.
    if len(text) > SECTION_CHARS:
        text = re.sub(r"&[a-z]*$", "", text[: SECTION_CHARS - 1]).rstrip() + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def citation_text(n: int, citation: dict, language: str) -> str:
    """`*[1]* `source`, characters 12–80` then the passage as a quote, every line of it.

    The source is set as code: file names hold underscores, which mrkdwn would read as italics.
    """
    quote = "\n".join(f">{escape(line)}" for line in cut(citation["quote"], QUOTE_CHARS).splitlines() or [""])
    where = f"{CHARACTERS.get(language, CHARACTERS['en'])} {citation['start']}–{citation['end']}"
    source = escape(cut(citation["source"], SOURCE_CHARS).replace("`", "'"))
    return f"*[{n}]* `{source}`, {where}\n{quote}"


def button(action_id: str, question_id: str, language: str, *, style: str | None = None) -> dict:
    out = {"type": "button", "action_id": action_id, "value": question_id,
           "text": {"type": "plain_text", "text": message(LABELS[action_id], language)}}
    return out | ({"style": style} if style else {})


def answer_blocks(answer: dict, question_id: str, *, ephemeral: bool = False,
                  asked_by: str | None = None) -> list[dict]:
    """Blocks of an answer (`Answer.to_dict()`): the text, the citations, then the buttons.

    An ephemeral answer (the slash command's) has a "post to channel" button; one posted on
    someone's behalf says who asked what. A "not found" answer has no citations.
    """
    language = answer.get("language", "en")
    blocks = []
    if asked_by:
        asked = f"<@{asked_by}> {message(ASKED, language)}: {escape(cut(answer['question'], 2800))}"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": asked}]})
    blocks.append(_mrkdwn_section(escape(answer["answer"])))
    room = MAX_BLOCKS - len(blocks) - 1
    for n, citation in enumerate(answer["citations"][:room], start=1):
        blocks.append(_mrkdwn_section(citation_text(n, citation, language)))
    buttons = [button(HELPFUL, question_id, language), button(NOT_HELPFUL, question_id, language)]
    if ephemeral:
        buttons.insert(0, button(POST_TO_CHANNEL, question_id, language, style="primary"))
    blocks.append({"type": "actions", "block_id": "rag_answer_actions", "elements": buttons})
    return blocks


def fallback_text(answer: dict) -> str:
    """The message's `text`: what notifications and screen readers get."""
    return escape(cut(answer["answer"], FALLBACK_CHARS))


def apology(reference: str, language: str) -> str:
    return message(APOLOGY, language).format(reference=reference)


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
