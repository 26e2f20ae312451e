"""Page numbers on the page: a citation into a PDF names its page on its marker, beside its source in
the answer's list of sources, and beside the document's name in the viewer."""

from __future__ import annotations

import re

import pytest
from actions import ask, latest_turn, marker, open_citation, source_entry
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
    page_label = where.split(", ")[1]
    source = source_entry(page, n)
    expect(source).to_have_text(f"cape-report.pdf{page_label}")
    expect(source.locator(".page")).to_have_text(page_label)
    expect(source.locator(".page")).to_be_visible()
    mark = open_citation(page, n)
    assert mark.text_content() == citation["quote"]
    expect(page.locator("#viewer-title")).to_have_text(f"cape-report.pdf{page_label}")
    expect(page.locator("#viewer-title .page")).to_be_visible()
    expect(page.locator("#viewer-meta")).to_contain_text(f" · {characters} {citation['start']}")


def test_a_citation_without_a_page_shows_none(page: Page):
    _, answer = ask(page, "Who implements TRACK4TIP?")
    assert answer["found"] and answer["citations"][0]["page"] is None
    expect(source_entry(page, 1)).to_have_text(answer["citations"][0]["source"])
    open_citation(page, 1)
    expect(page.locator("#viewer-title")).to_have_text(answer["citations"][0]["source"])
    expect(page.locator("#viewer-title .page")).to_have_count(0)
