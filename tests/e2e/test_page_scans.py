"""Case files as they come, through the page: a scanned PDF and an e-mail carrying a photographed
statement are uploaded, the page shows each page OCR reads and then how many pages of each file
it read, and an answer from them names the page beside its source. Real Tesseract, real model."""

from __future__ import annotations

import re
import sys

import pytest
from actions import ask, latest_turn, open_citation, progress_seen, source_entry, watch_upload_progress
from playwright.sync_api import Page, expect
from served import ROOT
from test_page_documents import files

from rag import ocr

sys.path.append(str(ROOT / "tests"))
sys.path.append(str(ROOT / "tests" / "rag"))
from mail_files import eml_bytes  # noqa: E402
from ocr_renders import TEXTS, pdf, png, render  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not ocr.available(), reason=ocr.NOTICE)]

SCANNED_PAGES = (
    TEXTS["en"],
    "Harbour log. The lighthouse keeper Tobias Wren saw the smugglers' boat enter Pelican Bay "
    "at midnight on 9 June 2024. He reported it to the coast guard the next morning.",
)
STATEMENT = ("Witness statement. Mara Quintero saw a white van leave the warehouse at dawn. "
             "She wrote down its number plate, KLM 4821, and gave it to the police.")


def test_a_scan_and_a_mail_upload_with_page_progress_and_answer_with_their_pages(page: Page):
    watch_upload_progress(page)
    scan = pdf([render(text, seed=n) for n, text in enumerate(SCANNED_PAGES)])
    mail = eml_bytes("Case 31: statement", "The witness statement is attached.",
                     [("statement.png", png(render(STATEMENT, seed=7)))])
    page.get_by_label("Add documents").set_input_files(files(**{"harbour-scan.pdf": scan, "case.eml": mail}))
    page.get_by_role("button", name="Upload").click()

    report = page.locator("#upload-report")
    expect(report).to_contain_text("Added (3)", timeout=600_000)  # three OCR pages under the suite's load
    ocr_labels = [label for label in progress_seen(page) if "OCR page" in label]
    assert ocr_labels, "no page of the scan was shown while OCR read it"
    assert all(re.fullmatch(r"harbour-scan\.pdf: OCR page [12] of 2|case\.eml/statement\.png: OCR page 1 of 1", label)
               for label in ocr_labels), ocr_labels
    expect(report.locator("li", has_text="harbour-scan.pdf")).to_have_text("harbour-scan.pdf · 2 pages read by OCR")
    expect(report.locator("li", has_text="statement.png")).to_have_text(
        "case.eml/statement.png · 1 page read by OCR")
    expect(report.locator("li", has_text=re.compile(r"^case\.eml$"))).to_have_count(1)  # the mail itself: no OCR
    expect(page.locator("#upload-progress")).to_be_hidden()
    expect(page.locator("#documents li", has_text="harbour-scan.pdf")).to_contain_text("2 pages read by OCR")

    _, answer = ask(page, "Who saw the smugglers' boat enter Pelican Bay?")
    n, citation = cited(answer, "harbour-scan.pdf")
    assert citation["page"] == 2 and "Tobias Wren" in answer["answer"]
    entry = source_entry(page, n)
    expect(entry).to_have_text("harbour-scan.pdfp. 2")
    expect(entry.locator(".page")).to_be_visible()
    entry.click()
    expect(page.locator("#viewer-title")).to_have_text("harbour-scan.pdfp. 2")
    expect(page.locator("#viewer mark")).to_have_text(citation["quote"])
    expect(entry).to_have_attribute("aria-current", "true")

    _, answer = ask(page, "What number plate did Mara Quintero write down?")
    n, citation = cited(answer, "case.eml/statement.png")
    assert citation["page"] == 1 and "KLM 4821" in answer["answer"]
    expect(source_entry(page, n)).to_have_text("case.eml/statement.pngp. 1")
    mark = open_citation(page, n)
    assert mark.text_content() == citation["quote"]
    expect(latest_turn(page).locator(".reply")).to_have_class(re.compile(r"\bfound\b"))


def cited(answer: dict, source: str) -> tuple[int, dict]:
    """The number and citation of the answer's first citation of `source`."""
    return next((n, c) for n, c in enumerate(answer["citations"], start=1) if c["source"] == source)
