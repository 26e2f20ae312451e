"""Scans as documents: an image, a multi-page TIFF and a PDF without a text layer are read by OCR,
their pages kept and named in `ocr_pages`; a PDF page with a text layer keeps it; citations into a
scan carry their page."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from pdf_files import pdf_bytes
from rag import ocr
from rag.loaders import BadFile, extract
from rag.sources import SourceFile

sys.path.append(str(Path(__file__).resolve().parents[1]))
from ocr_renders import FONT, TEXTS, blank, cer, pdf, png, render, tiff  # noqa: E402

pytestmark = [pytest.mark.integration, pytest.mark.skipif(
    not (ocr.available() and os.path.exists(FONT)) and os.environ.get("CI") != "true",
    reason="Tesseract or the font pages are drawn in is missing (see tests/rag/test_ocr.py)")]


def joined(*pdfs: bytes) -> bytes:
    """One PDF of the pages of several: a page with a text layer next to a scanned one."""
    writer = PdfWriter()
    for data in pdfs:
        for page in PdfReader(io.BytesIO(data)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_png_is_read_by_ocr_as_one_page():
    read = extract(SourceFile("denuncia.png", None, png(render(TEXTS["es"]))))
    assert read.kind == "png" and read.ocr_pages == (1,) and read.pages == ((0, len(read.text)),)
    assert cer(TEXTS["es"], read.text) <= 0.02


def test_a_multi_page_tiff_keeps_its_pages_in_order():
    read = extract(SourceFile("expediente.tiff", None, tiff([render(TEXTS["en"]), render(TEXTS["pt"], seed=1)])))
    assert read.ocr_pages == (1, 2) and len(read.pages) == 2
    first, second = (read.text[start:end] for start, end in read.pages)
    assert cer(TEXTS["en"], first) <= 0.02 and cer(TEXTS["pt"], second) <= 0.02


def test_a_pdf_page_with_a_text_layer_keeps_it_and_a_scanned_one_is_read():
    layered = "The first page has its own text layer and names the Lopez network."
    read = extract(SourceFile("mixed.pdf", None, joined(pdf_bytes([layered]), pdf([render(TEXTS["en"])]))))
    assert read.ocr_pages == (2,) and len(read.pages) == 2
    first, second = (read.text[start:end] for start, end in read.pages)
    assert first == layered and cer(TEXTS["en"], second) <= 0.02


def test_a_scan_with_no_text_is_refused_as_such():
    with pytest.raises(BadFile, match="no text found by OCR"):
        extract(SourceFile("blank.pdf", None, pdf([blank()])))
    with pytest.raises(BadFile, match="no text found by OCR"):
        extract(SourceFile("blank.png", None, png(blank())))


def test_a_question_over_a_scanned_pdf_cites_its_page_and_the_index_names_ocr_pages(make_engine):
    engine = make_engine()
    scanned = pdf([render(TEXTS["en"].replace("three complaints", "nine complaints"), seed=2),
                   render(TEXTS["es"], seed=3)])
    report = engine.ingest_files([SourceFile("escaneado.pdf", None, scanned)])
    assert [d.ocr_pages for d in report.added] == [(1, 2)], report.skipped
    assert [d.ocr_pages for d in engine.documents()] == [(1, 2)]
    answer = engine.ask("¿Cuántas denuncias recibió la fiscalía especializada?")
    assert answer.found, answer.answer
    spanish = [c for c in answer.citations if "denuncias" in c.quote]
    assert spanish and all(c.page == 2 for c in spanish), answer.citations


def test_ocr_lines_are_joined_into_paragraphs_and_sentences_run_on_across_blocks():
    from rag.scans import unwrapped

    page = ("The prosecutor received three\ncomplaints about an inves-\ntigation in Chile\n\nwith the main "
            "objective of training.\n\nA new paragraph.")
    assert unwrapped(page) == ("The prosecutor received three complaints about an investigation in Chile with the "
                               "main objective of training.\n\nA new paragraph.")
