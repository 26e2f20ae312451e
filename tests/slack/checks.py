"""Reading the bot's messages back: the answer, the cited passages, the buttons."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

_CITATION = re.compile(r"^\*\[(\d+)\]\* `(.+)`, (?:\S+ (\d+), )?\w+ (\d+)–(\d+)\n((?:>.*(?:\n|$))+)", re.S)


@dataclass(frozen=True)
class Shown:
    n: int
    source: str
    start: int
    end: int
    quote: str
    page: int | None = None


def ask(slack, event: dict, **send) -> dict:
    """Sends the event, waits for the bot's next message in that thread; returns its parameters."""
    thread = event.get("thread_ts") or event["ts"]

    def in_thread(calls) -> list:
        return [c for c in calls if c.method == "chat.postMessage" and c.params["thread_ts"] == thread]

    before = len(in_thread(slack.fake.calls))
    response = slack.send.event(event, **send)
    assert response.status_code == 200, response.text
    return in_thread(slack.fake.wait_for(lambda calls: len(in_thread(calls)) > before))[before].params


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def answer_text(blocks: list[dict]) -> str:
    """The answer section's text (after a "who asked" context, if any)."""
    return next(b["text"]["text"] for b in blocks if b["type"] == "section")


def citations(blocks: list[dict]) -> list[Shown]:
    shown = []
    for block in [b for b in blocks if b["type"] == "section"][1:]:
        m = _CITATION.match(block["text"]["text"])
        assert m, block
        quote = "\n".join(line[1:] for line in m.group(6).rstrip("\n").split("\n"))
        page = int(m.group(3)) if m.group(3) else None
        shown.append(Shown(int(m.group(1)), unescape(m.group(2)), int(m.group(4)), int(m.group(5)), unescape(quote),
                           page))
    return shown


def buttons(blocks: list[dict]) -> dict[str, str]:
    """action_id -> value of the buttons under the answer."""
    actions = [b for b in blocks if b["type"] == "actions"]
    assert len(actions) == 1
    return {e["action_id"]: e["value"] for e in actions[0]["elements"]}


def question_id(blocks: list[dict]) -> str:
    values = set(buttons(blocks).values())
    assert len(values) == 1
    return values.pop()


def assert_citations_hold(client: httpx.Client, blocks: list[dict]) -> list[Shown]:
    """Every cited passage is the document's text at the offsets shown; returns them."""
    by_source = {d["source"]: d["doc_id"] for d in client.get("/documents").json()}
    shown = citations(blocks)
    for citation in shown:
        text = client.get(f"/documents/{by_source[citation.source]}/text").json()["text"]
        assert text[citation.start:citation.end] == citation.quote
    assert [c.n for c in shown] == list(range(1, len(shown) + 1))
    return shown
