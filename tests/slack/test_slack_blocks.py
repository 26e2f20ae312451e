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
    escape,
    question_text,
)

QID = "0123456789abcdef0123456789abcdef"


def answer(text: str = "It was built in 1874. [1]", n: int = 1, quote: str = "It was built in 1874.",
           language: str = "en", found: bool = True) -> dict:
    cites = [{"doc_id": f"d{i}", "source": f"notes/{i}.md", "start": 10 * i, "end": 10 * i + len(quote),
              "quote": quote, "score": 1.0} for i in range(n)] if found else []
    return {"question": "When?", "answer": text, "found": found, "language": language, "citations": cites}


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
