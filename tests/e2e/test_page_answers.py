"""Asking on the page: answers with citation markers, the cited passage, conversations."""

from __future__ import annotations

import json
import re

import pytest
from actions import ask, latest_turn, open_citation
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.e2e

COUNTRIES = "Which countries are in TRACK4TIP?"


def test_an_answer_shows_a_marker_per_citation(page: Page):
    _, answer = ask(page, COUNTRIES)
    assert answer["found"] is True
    turn = latest_turn(page)
    expect(turn).to_have_attribute("lang", "en")
    expect(turn.locator(".reply.found")).to_contain_text("Ecuador, Peru, Brazil")
    markers = turn.locator("button.marker")
    expect(markers).to_have_count(len(answer["citations"]))
    expect(markers).to_have_text([str(n) for n in range(1, len(answer["citations"]) + 1)])
    # The label, the answer, its sources, the count of citations: nothing else (no gloss of English quotes).
    label, text, sources, meta = turn.locator(".reply > *").evaluate_all("parts => parts.map((p) => p.textContent)")
    assert (label, text) == ("Answer", re.sub(r"\[(\d+)\]", r"\1", answer["answer"]))
    assert sources == "".join(c["source"] for c in answer["citations"])  # seeds are text files: no page
    assert re.fullmatch(rf"{len(answer['citations'])} citations · \d+ ms", meta)


def test_a_marker_opens_the_document_with_the_quote_highlighted(page: Page, served):
    _, answer = ask(page, COUNTRIES)
    n = len(answer["citations"])
    citation = answer["citations"][n - 1]
    mark = open_citation(page, n)

    assert mark.text_content() == citation["quote"]
    text = served.client.get(f"/documents/{citation['doc_id']}/text").json()["text"]
    assert page.locator("#viewer-text").text_content() == text
    expect(mark).to_be_in_viewport()
    expect(mark).to_be_focused()
    expect(page.locator("#viewer-title")).to_have_text(citation["source"])

    page.keyboard.press("Escape")
    expect(page.locator("#viewer")).to_be_hidden()
    expect(latest_turn(page).locator("button.marker").nth(n - 1)).to_be_focused()


def test_a_follow_up_continues_the_conversation(page: Page):
    first_sent, first = ask(page, COUNTRIES)
    assert "conversation_id" not in first_sent
    sent, follow_up = ask(page, "Who implements it?")
    assert sent["conversation_id"] == first["conversation_id"]
    assert "UNODC" in follow_up["answer"]
    expect(page.locator(".turn")).to_have_count(2)
    expect(latest_turn(page).locator(".question")).to_contain_text("Who implements it?")
    expect(latest_turn(page).locator(".reply")).to_contain_text("UNODC")


@pytest.mark.parametrize(("question", "language", "message"), [
    ("What is the recipe for paella?", "en", "Not found in the documents."),
    ("¿Cuál es la receta de la paella?", "es", "No se encontró en los documentos."),
])
def test_an_unanswerable_question_is_not_found(page: Page, question, language, message):
    _, answer = ask(page, question)
    assert answer["found"] is False
    turn = latest_turn(page)
    expect(turn).to_have_attribute("lang", language)
    reply = turn.locator(".reply")
    expect(reply).to_have_class(re.compile(r"\bnot-found\b"))
    expect(reply.locator(".label")).to_have_text("Not found in the documents")
    expect(reply.locator(".text")).to_have_text(message)
    expect(reply.locator("button.marker")).to_have_count(0)


def test_new_conversation_starts_over(page: Page):
    ask(page, COUNTRIES)
    open_citation(page, 1)
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator(".turn")).to_have_count(0)
    expect(page.locator("#viewer")).to_be_hidden()
    expect(page.get_by_label("Ask a question")).to_be_focused()
    sent, _ = ask(page, "Who implements TRACK4TIP?")
    assert "conversation_id" not in sent


def test_an_ended_conversation_is_said_and_a_new_one_started(page: Page):
    ask(page, COUNTRIES)

    def forget_conversation(route: Route) -> None:
        body = json.loads(route.request.post_data) | {"conversation_id": "no-such-conversation"}
        route.continue_(post_data=json.dumps(body))

    page.route("**/ask", forget_conversation)
    ask(page, "Who implements it?")
    expect(page.locator("#conversation-note")).to_contain_text("A new conversation has started")
    expect(page.locator(".turn")).to_have_count(0)
    expect(page.get_by_label("Ask a question")).to_have_value("Who implements it?")

    page.unroute("**/ask")
    sent, _ = ask(page, "Who implements TRACK4TIP?")
    assert "conversation_id" not in sent
