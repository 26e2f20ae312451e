"""OCR on pages rendered by the tests: Debian's Tesseract, real images, PNG, TIFF and PDF."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from rag import ocr
from rag.loaders import BadFile

sys.path.append(str(Path(__file__).resolve().parents[1]))
from ocr_renders import FONT, TEXTS, blank, cer, corrupt, pdf, pixel_bomb_png, png, render, tiff  # noqa: E402

needs_tesseract = pytest.mark.skipif(
    not (ocr.available() and os.path.exists(FONT)) and os.environ.get("CI") != "true",
    reason="Tesseract or the font pages are drawn in is missing (apt-get install tesseract-ocr "
           "tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-por fonts-dejavu-core)")
pytestmark = [pytest.mark.integration, needs_tesseract]


@pytest.fixture(scope="module")
def pages():
    return {lang: render(text, seed=number) for number, (lang, text) in enumerate(TEXTS.items())}


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_a_scanned_page_is_read_in_each_language_accents_included(pages, lang):
    [text] = ocr.ocr_images(png(pages[lang]), ".png")
    assert cer(TEXTS[lang], text) <= 0.02, text


def test_a_multi_page_tiff_gives_one_text_per_page_in_order_with_progress(pages):
    seen = []
    texts = ocr.ocr_images(tiff([pages["es"], pages["pt"], pages["en"]]), ".tiff",
                           progress=lambda done, total: seen.append((done, total)))
    assert [cer(TEXTS[lang], text) <= 0.02 for lang, text in zip(["es", "pt", "en"], texts)] == [True] * 3
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_chosen_pages_of_a_pdf_without_text_layer_are_read(pages):
    data = pdf([pages["en"], blank(800, 600), pages["pt"]])
    texts = ocr.ocr_pdf_pages(data, [3, 2])
    assert list(texts) == [3, 2]
    assert cer(TEXTS["pt"], texts[3]) <= 0.02 and texts[2] == ""


def test_a_pixel_bomb_is_refused_quickly_naming_the_limit():
    started = time.monotonic()
    with pytest.raises(BadFile, match="more than 1,000,000 pixels, the limit"):
        ocr.ocr_images(pixel_bomb_png(), ".png", max_pixels=1_000_000)
    with pytest.raises(BadFile, match="pixels, more than the limit"):
        ocr.ocr_pdf_pages(pdf([blank(200, 200)]), [1], dpi=20_000)
    assert time.monotonic() - started < 1


def test_a_tiff_page_beyond_the_pixel_limit_is_refused_though_the_first_is_small(pages):
    with pytest.raises(BadFile, match="an image of 1666x730 pixels, more than the limit"):
        ocr.ocr_images(tiff([blank(100, 100), pages["en"]]), ".tif", max_pixels=1_000_000)


def test_a_corrupt_png_is_refused(pages):
    with pytest.raises(BadFile, match="corrupt or truncated"):
        ocr.ocr_images(corrupt(png(pages["en"])), ".png")


def test_a_corrupt_pdf_is_refused():
    with pytest.raises(BadFile, match="not a readable PDF"):
        ocr.ocr_pdf_pages(b"%PDF-1.4 nothing else", [1])


def test_a_blank_image_is_refused_as_having_no_text():
    with pytest.raises(ocr.NoText, match="no text found by OCR"):
        ocr.ocr_images(png(blank()), ".png")


def test_without_language_data_ocr_is_refused_with_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    assert not ocr.available()
    with pytest.raises(ocr.OcrUnavailable, match="apt-get install tesseract-ocr tesseract-ocr-eng"):
        ocr.ocr_images(png(blank(10, 10)), ".png")
