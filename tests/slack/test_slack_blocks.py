"""Block Kit rendering within Slack's limits, and questions read out of Slack's markup."""

from __future__ import annotations

import json
import re

import pytest
from checks import citations, unescape

from service.slack.blocks import (
    HELPFUL,
    MAX_BLOCKS,
    NOT_HELPFUL,
    POST_TO_CHANNEL,
    SECTION_CHARS,
    answer_blocks,
    apology,
    escape,
    how_to_ask,
    question_text,
    thanks,
)

QID = "0123456789abcdef0123456789abcdef"


def answer(text: str = "It was built in 1874. [1]", n: int = 1, quote: str = "It was built in 1874.",
           language: str = "en", found: bool = True, gloss: str | None = None) -> dict:
    """An answer as `Answer.to_dict()` gives it; with a gloss, its citations are English documents."""
    cites = [{"doc_id": f"d{i}", "source": f"notes/{i}.md", "start": 10 * i, "end": 10 * i + len(quote),
              "quote": quote, "score": 1.0, "language": "en", "gloss": gloss} for i in range(n)] if found else []
    return {"question": "When?", "answer": text, "answer_gloss": None, "found": found, "language": language,
            "citations": cites}


@pytest.mark.parametrize(("language", "label"), [("en", "p. 2, characters"), ("es", "pág. 2, caracteres"),
                                                 ("pt", "p. 2, caracteres")])
def test_a_citation_into_a_page_names_it(language, label):
    cited = answer(language=language)
    cited["citations"][0] |= {"source": "report.pdf", "page": 2}
    blocks = answer_blocks(cited, QID)
    assert blocks[1]["text"]["text"] == f"*[1]* `report.pdf`, {label} 0–21\n>It was built in 1874."
    assert [(c.source, c.page, c.start, c.end) for c in citations(blocks)] == [("report.pdf", 2, 0, 21)]


def test_escape_only_slacks_three_characters():
    assert escape("A<B & C>D *bold* _it_") == "A&lt;B &amp; C&gt;D *bold* _it_"
    assert escape("&amp;") == "&amp;amp;"  # text that looks escaped is still text


def test_an_answer_is_its_text_its_citations_then_its_buttons():
    blocks = answer_blocks(answer(n=2), QID)
    assert [b["type"] for b in blocks] == ["section", "section", "section", "actions"]
    assert blocks[0]["text"] == {"type": "mrkdwn", "text": "It was built in 1874. [1]"}
    assert blocks[1]["text"]["text"] == "*[1]* `notes/0.md`, characters 0–21\n>It was built in 1874."
    shown = citations(blocks)
    assert [(c.n, c.source, c.start, c.end) for c in shown] == [(1, "notes/0.md", 0, 21), (2, "notes/1.md", 10, 31)]
    actions = blocks[-1]["elements"]
    assert [(e["action_id"], e["value"]) for e in actions] == [(HELPFUL, QID), (NOT_HELPFUL, QID)]


def test_a_not_found_answer_has_no_citation_blocks():
    blocks = answer_blocks(answer("No se encontró en los documentos.", language="es", found=False), QID)
    assert [b["type"] for b in blocks] == ["section", "actions"]
    assert [e["text"]["text"] for e in blocks[-1]["elements"]] == ["Útil", "No útil"]


def test_an_ephemeral_answer_offers_to_post_it():
    blocks = answer_blocks(answer(), QID, ephemeral=True)
    assert [e["action_id"] for e in blocks[-1]["elements"]] == [POST_TO_CHANNEL, HELPFUL, NOT_HELPFUL]
    assert blocks[-1]["elements"][0]["style"] == "primary"


def test_quotes_are_escaped_and_quoted_line_by_line():
    blocks = answer_blocks(answer(quote="Line <one> & more\nline two"), QID)
    assert blocks[1]["text"]["text"].split("\n")[1:] == [">Line &lt;one&gt; &amp; more", ">line two"]
    assert unescape(citations(blocks)[0].quote) == "Line <one> & more\nline two"


@pytest.mark.parametrize("text", ["x" * 5000, "<" * 5000, "a" * 2998 + "&&&&"])
def test_sections_stay_within_slacks_limit_without_splitting_an_entity(text):
    blocks = answer_blocks(answer(text=text, quote=text), QID)
    for block in blocks:
        if block["type"] == "section":
            shown = block["text"]["text"]
            assert len(shown) <= SECTION_CHARS and shown.endswith("…")
            assert not re.search(r"&[a-z]*$", shown[:-1])  # no entity cut in half


def test_a_message_holds_at_most_50_blocks():
    blocks = answer_blocks(answer(n=80), QID, asked_by="U1")
    assert len(blocks) == MAX_BLOCKS and blocks[-1]["type"] == "actions"
    assert len(json.dumps(blocks)) < 200_000


def test_an_answer_without_gloss_is_shown_as_before():
    blocks = answer_blocks(answer(n=2), QID)
    legacy = answer(n=2)
    for citation in legacy["citations"]:
        del citation["language"], citation["gloss"]
    del legacy["answer_gloss"]
    assert blocks == answer_blocks(legacy, QID)  # the new fields, when empty, change nothing
    assert "context" not in [b["type"] for b in blocks]


@pytest.mark.parametrize("language, label, quote, gloss", [
    ("es", "Traducción automática", "It was built in 1874.", "Fue construido en 1874."),
    ("pt", "Tradução automática", "It was built in 1874.", "Foi construído em 1874."),
    ("en", "Machine translation", "Fue construido en 1874.", "It was built in 1874."),
])
def test_a_glossed_citation_shows_the_quote_unchanged_and_the_gloss_labelled_under_it(language, label, quote, gloss):
    blocks = answer_blocks(answer(f"{quote} [1] {quote} [2]", n=2, quote=quote, language=language, gloss=gloss), QID)
    assert [b["type"] for b in blocks] == ["section", "section", "context", "section", "context", "actions"]
    assert [(c.n, c.quote) for c in citations(blocks)] == [(1, quote), (2, quote)]
    for context in blocks[2], blocks[4]:
        assert context == {"type": "context", "elements": [{"type": "mrkdwn", "text": f"_{label}:_ _{gloss}_"}]}
    assert gloss not in blocks[0]["text"]["text"] + blocks[1]["text"]["text"]  # beside the quote, never in it


def test_only_citations_with_a_gloss_get_a_gloss_line():
    shown = answer(n=2, language="es")
    shown["citations"][1]["gloss"] = "Fue construido en 1874."
    assert [b["type"] for b in answer_blocks(shown, QID)] == ["section", "section", "section", "context", "actions"]


def test_a_gloss_is_escaped_on_one_line_and_its_italics_are_not_broken_by_an_underscore():
    blocks = answer_blocks(answer(language="es", gloss="Línea <uno> & más\nlínea dos"), QID)
    assert blocks[2]["elements"][0]["text"] == "_Traducción automática:_ _Línea &lt;uno&gt; &amp; más línea dos_"
    blocks = answer_blocks(answer(language="es", gloss="el archivo notas_2019.txt"), QID)
    assert blocks[2]["elements"][0]["text"] == "_Traducción automática:_ el archivo notas_2019.txt"


@pytest.mark.parametrize("gloss", ["x" * 5000, "<" * 5000, "a" * 2998 + "&&&&"])
def test_a_long_gloss_stays_within_slacks_limit_without_splitting_an_entity(gloss):
    blocks = answer_blocks(answer(language="es", gloss=gloss), QID)
    shown = blocks[2]["elements"][0]["text"]
    assert shown.startswith("_Traducción automática:_ ") and len(shown) <= SECTION_CHARS
    assert "…" in shown and not re.search(r"&[a-z]*…", shown)  # no entity cut in half


def test_a_message_with_glosses_holds_at_most_50_blocks_each_quote_with_its_gloss():
    blocks = answer_blocks(answer(n=80, language="pt", gloss="Foi construído em 1874."), QID, asked_by="U1")
    assert len(blocks) <= MAX_BLOCKS and blocks[-1]["type"] == "actions"
    kinds = [b["type"] for b in blocks[2:-1]]
    assert kinds == ["section", "context"] * 23  # 1 asked + 1 answer + 23 × 2 + 1 actions = 49
    assert [c.n for c in citations(blocks)] == list(range(1, 24))


def test_the_bots_own_words_follow_the_questions_language():
    for language, helpful, not_helpful in [("en", "Helpful", "Not helpful"), ("es", "Útil", "No útil"),
                                           ("pt", "Útil", "Não útil")]:
        blocks = answer_blocks(answer(language=language), QID)
        assert [e["text"]["text"] for e in blocks[-1]["elements"]] == [helpful, not_helpful]
    assert apology("abc", "es").startswith("Lo siento") and "`abc`" in apology("abc", "es")
    assert apology("abc", "pt").startswith("Desculpe") and apology("abc", "en").startswith("Sorry")
    assert thanks("helpful", "pt") == "Obrigado, anotado: útil."
    assert thanks("not_helpful", "es") == "Gracias, anotado: no útil."
    posted = answer_blocks(answer(language="es") | {"question": "¿Cuándo?"}, QID, asked_by="U1")
    assert posted[0]["elements"][0]["text"] == "<@U1> preguntó: ¿Cuándo?"


@pytest.mark.parametrize("where, text, expected", [
    ("mention", "", "Ask me a question after the mention, e.g. `@rag Who implements TRACK4TIP?`"),
    ("mention", "<@U0BOT>", "Ask me a question after the mention, e.g. `@rag Who implements TRACK4TIP?`"),
    ("mention", "<@U0BOT> <!here> ,", "Ask me a question after the mention, e.g. `@rag Who implements TRACK4TIP?`"),
    ("mention", "<@U0BOT> hola, ¿cómo se pregunta aquí?",
     "Escríbame una pregunta después de la mención, p. ej. `@rag ¿Quién implementa TRACK4TIP?`"),
    ("dm", "olá, não sei como perguntar", "Faça uma pergunta, p. ex. `Quem implementa o TRACK4TIP?`"),
    ("dm", "hello, how does this work?", "Ask me a question, e.g. `Who implements TRACK4TIP?`"),
    ("command", "   ", "Type a question after the command, e.g. `/ask Who implements TRACK4TIP?`"),
    ("command", "¿y ahora qué hago con esto?",
     "Escriba una pregunta después del comando, p. ej. `/ask ¿Quién implementa TRACK4TIP?`"),
    ("command", "não entendi o que é para fazer",
     "Digite uma pergunta depois do comando, p. ex. `/ask Quem implementa o TRACK4TIP?`"),
])
def test_how_to_ask_is_in_the_language_of_what_was_written(where, text, expected):
    assert how_to_ask(where, text) == expected


def test_how_to_ask_in_english_without_text_as_before():
    assert how_to_ask("command") == "Type a question after the command, e.g. `/ask Who implements TRACK4TIP?`"


def test_the_asker_is_named_when_the_answer_is_posted_for_them():
    blocks = answer_blocks(answer() | {"question": "Who <built> it?"}, QID, asked_by="U0ALICE")
    assert blocks[0] == {"type": "context", "elements": [{"type": "mrkdwn",
                                                          "text": "<@U0ALICE> asked: Who &lt;built&gt; it?"}]}


@pytest.mark.parametrize("text, question", [
    ("<@U0BOT> Who implements TRACK4TIP?", "Who implements TRACK4TIP?"),
    ("<@U0BOT>, who implements TRACK4TIP?", "who implements TRACK4TIP?"),
    ("Hey <@U0BOT|rag>   what is   REDTRAM?", "Hey what is REDTRAM?"),
    ("<@U0BOT> is A &lt; B &amp;&amp; C &gt; D?", "is A < B && C > D?"),
    ("<@U0BOT> what does <https://unodc.org/track4tip|TRACK4TIP> do?", "what does TRACK4TIP do?"),
    ("<@U0BOT> what is on <https://unodc.org>?", "what is on https://unodc.org?"),
    ("<@U0BOT> what did <@U0ALICE|alice> say in <#C0123|general>?", "what did alice say in #general?"),
    ("<!here> <@U0BOT> ¿quién lo financia?", "¿quién lo financia?"),
    ("<@U0BOT>", ""),
    ("", ""),
])
def test_the_question_is_read_out_of_slacks_markup(text, question):
    assert question_text(text, "U0BOT") == question
