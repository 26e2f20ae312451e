"""Scanned pages as text: images read whole by OCR, and the pages of a PDF that have no text layer.

rag/ocr.py does the reading; this decides what is read. A PDF page with a text layer keeps it (the
file's own text beats a recognised one); a page without one, a scan, is read by OCR. The pages
read so are named in the document's `ocr_pages`. Without Tesseract, a PDF keeps the pages that
have text and a scan alone is refused with the one line that says what to install.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .loaders import BadFile, Read
from .pdf import join_pages

# Called as OCR starts on each page, with its number among the pages it reads in this file: the
# parser process (rag/parsing.py) extends its time limits by a page's allowance and tells its
# caller, so a long scan is not taken for a hostile file and the page being read can be shown.
page_read: Callable[[int, int], None] = lambda page, total: None


def _each_page(page: int, total: int) -> None:
    page_read(page, total)  # looked up at each call: the parser sets it after this module is imported


# Tesseract ends every printed line with a newline and a paragraph with a blank line.
_HYPHENATED = re.compile(r"(\w)-\n(?=[a-zà-ÿ])")
_WRAPPED = re.compile(r"(?<!\n)\n(?!\n)")
# On a speckled scan Tesseract also breaks a paragraph into blocks mid-sentence ("police in
# Chile\n\nwith the main…"): a block that does not end a sentence, followed by one in lower case, goes on.
_SPLIT_SENTENCE = re.compile(r"(?<![.!?:;])\n\n+(?=[a-zà-ÿ])")


def unwrapped(page: str) -> str:
    """A page's OCR text with its printed lines joined into paragraphs: a line break is layout, and
    left in, it would end a sentence mid-way (rag/sentences.py) and cut every answer to one line.
    A word hyphenated across lines is joined again."""
    return _SPLIT_SENTENCE.sub(" ", _WRAPPED.sub(" ", _HYPHENATED.sub(r"\1", page.strip())))


def read_image(data: bytes, suffix: str) -> Read:
    """An image's text, one page per frame of a multi-page TIFF; every page read by OCR."""
    from . import ocr

    texts = [unwrapped(page) for page in ocr.ocr_images(data, suffix, progress=_each_page)]
    text, spans = join_pages(texts)
    return text, spans, tuple(n for n, page in enumerate(texts, start=1) if page.strip())


def fill_scanned(data: bytes, pages: list[str]) -> tuple[list[str], tuple[int, ...]]:
    """The PDF's page texts with those that had none read by OCR, and which pages those were."""
    blank = [n for n, page in enumerate(pages, start=1) if not page.strip()]
    if not blank:
        return pages, ()
    from . import ocr

    scanned_only = len(blank) == len(pages)
    if not ocr.available():
        if scanned_only:
            raise BadFile(f"a scanned PDF, with no text layer: {ocr.NOTICE}")
        return pages, ()  # its scanned pages stay empty; the pages with text still answer
    try:
        read = ocr.ocr_pdf_pages(data, blank, progress=_each_page)
    except ocr.NoText:
        if scanned_only:
            raise
        return pages, ()  # blank pages between pages of text: nothing to read
    filled = list(pages)
    for n, text in read.items():
        filled[n - 1] = unwrapped(text)
    return filled, tuple(n for n in blank if read.get(n, "").strip())
