"""Page numbers on the page: a citation into a PDF names its page, on the marker and in the viewer."""

from __future__ import annotations

import re

import pytest
from actions import ask, latest_turn, marker, open_citation
from playwright.sync_api import Page, expect

from live_service import upload
from sample_files import pdf_pages

pytestmark = pytest.mark.e2e

PAGES = (
    "The harbour authority published its annual report on shipping safety.",
    "The lighthouse on the northern cape was built by Margaret Ellison in 1874.",
    "The ferry to the island carries 900 passengers every summer day.",
)


@pytest.fixture(scope="module", autouse=True)
def report(served) -> None:
    assert upload(served.client, {"cape-report.pdf": pdf_pages(*PAGES)}).status_code == 200


@pytest.mark.parametrize(("locale", "where", "characters"), [
    ("en-US", "cape-report.pdf, p. 2", "characters"),
    ("es-ES", "cape-report.pdf, pág. 2", "caracteres"),
])
def test_a_citation_into_page_2_shows_p_2(page: Page, where: str, characters: str):
    _, answer = ask(page, "Who built the lighthouse on the northern cape?")
    n, citation = next((n, c) for n, c in enumerate(answer["citations"], start=1) if c["source"] == "cape-report.pdf")
    assert citation["page"] == 2
    cited = marker(latest_turn(page).locator(".reply > .text"), n)
    expect(cited).to_have_accessible_name(re.compile(rf": {re.escape(where)}$"))
    expect(cited).to_have_attribute("title", f"{where}, {characters} {citation['start']}–{citation['end']}")
    mark = open_citation(page, n)
    assert mark.text_content() == citation["quote"]
    page_label = where.split(", ")[1]
    expect(page.locator("#viewer-meta")).to_contain_text(f" · {page_label} · {characters} {citation['start']}")


def test_a_citation_without_a_page_shows_none(page: Page):
    _, answer = ask(page, "Who implements TRACK4TIP?")
    assert answer["found"] and answer["citations"][0]["page"] is None
    open_citation(page, 1)
    expect(page.locator("#viewer-meta")).not_to_contain_text("p.")
