"""Reading a file into its text, by its format: .txt, .md and .html here; .pdf (rag/pdf.py),
.docx and .odt (rag/office.py), .eml and .msg (rag/mail.py, which also hands a mail's
attachments on, each to be read as a file of its own), and scans: images and PDF pages without a
text layer, read by OCR (rag/scans.py). Which files, named how: rag/sources.py.

For .txt the document's text is the file decoded as UTF-8 with nothing changed but a leading
byte-order mark, so a citation's offsets can be checked against the file itself. A .md file is stored as the text it renders to
(`rag/markdown.py`: no front matter, link, emphasis or table syntax in a quote); other formats
keep the text exactly as extracted. Offsets always refer to the stored text (`rag text`,
GET /documents/{doc_id}/text); a PDF also says where each of its pages lies in that text, so a
citation can name its page. A file that cannot be read raises BadFile with a reason a person can act on.

Everything here may meet a hostile file: `extract` runs in a parser process under memory and CPU
limits (rag/parsing.py), and bounds what those limits cannot tell apart from honest work, such as
a .docx's uncompressed size and a PDF's page count, by ContentLimits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .html_text import visible_text
from .markdown import render as render_markdown

if TYPE_CHECKING:
    from .sources import SourceFile

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".odt", ".eml", ".msg",
             ".png", ".jpg", ".jpeg", ".tif", ".tiff")


class BadFile(Exception):
    """This file is skipped; the message says why."""


@dataclass(frozen=True)
class ContentLimits:
    max_extracted_bytes: int = 100 * 1024 * 1024
    max_pdf_pages: int = 3000
    max_text_chars: int = 10_000_000


# Each page's (start, end) in the text, page 1 first; a page without text has start == end.
PageSpans = tuple[tuple[int, int], ...]
# What a reader gives: (the text, where each page lies in it, the pages read by OCR).
Read = tuple[str, PageSpans, tuple[int, ...]]


@dataclass(frozen=True)
class Extracted:
    """What a file yields. `pages` is empty for formats without pages; `ocr_pages` lists the
    1-based pages whose text was recognised from an image rather than read from the file."""

    kind: str
    text: str
    pages: PageSpans = ()
    ocr_pages: tuple[int, ...] = ()


def _decode(data: bytes) -> str:
    try:
        # utf-8-sig: editors on Windows start UTF-8 files with a byte-order mark, which is not text.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadFile(f"not UTF-8 text (invalid byte at position {exc.start}); save it as UTF-8") from exc
    if "\x00" in text:
        raise BadFile("binary content (NUL bytes) in a text file")
    return text


def _unpaged(read: Callable[[bytes, ContentLimits], str]) -> Callable[[bytes, ContentLimits], Read]:
    """A reader of a format without pages, none of them read by OCR."""
    return lambda data, limits: (read(data, limits), (), ())


# The format readers outside this module are imported when first used: they import this module,
# and a parser process that reads only text files never loads pypdf, python-docx or Tesseract.
def _pdf(data: bytes, limits: ContentLimits) -> Read:
    from .pdf import pdf_text

    return pdf_text(data, limits)


def _docx(data: bytes, limits: ContentLimits) -> str:
    from .office import docx_text

    return docx_text(data, limits)


def _odt(data: bytes, limits: ContentLimits) -> str:
    from .office import odt_text

    return odt_text(data, limits)


def _eml(data: bytes, limits: ContentLimits) -> str:
    from .mail import eml_text

    return eml_text(data)


def _msg(data: bytes, limits: ContentLimits) -> str:
    from .mail import msg_text

    return msg_text(data)


def _image(suffix: str) -> Callable[[bytes, ContentLimits], Read]:
    def read(data: bytes, limits: ContentLimits) -> Read:
        from .scans import read_image

        return read_image(data, suffix)

    return read


_html = _unpaged(lambda data, _: visible_text(_decode(data)))

_EXTRACTORS: dict[str, tuple[str, Callable[[bytes, ContentLimits], Read]]] = {
    ".txt": ("txt", _unpaged(lambda data, _: _decode(data))),
    ".md": ("md", _unpaged(lambda data, _: render_markdown(_decode(data)))),
    ".html": ("html", _html),
    ".htm": ("html", _html),
    ".pdf": ("pdf", _pdf),
    ".docx": ("docx", _unpaged(_docx)),
    ".odt": ("odt", _unpaged(_odt)),
    ".eml": ("eml", _unpaged(_eml)),
    ".msg": ("msg", _unpaged(_msg)),
    ".png": ("png", _image(".png")),
    ".jpg": ("jpeg", _image(".jpg")),
    ".jpeg": ("jpeg", _image(".jpeg")),
    ".tif": ("tiff", _image(".tif")),
    ".tiff": ("tiff", _image(".tiff")),
}


def extract(file: SourceFile, limits: ContentLimits = ContentLimits()) -> Extracted:
    """The file's format, text and pages, or BadFile. Untrusted files go through rag.parsing, not here."""
    if file.refused is not None:
        raise BadFile(file.refused)
    if file.suffix not in _EXTRACTORS:
        raise BadFile(f"unsupported type '{file.suffix or 'no extension'}'; supported: {', '.join(SUPPORTED)}")
    kind, extractor = _EXTRACTORS[file.suffix]
    data = file.read()
    if not data.strip():
        raise BadFile("empty file")
    text, pages, ocr_pages = extractor(data, limits)
    if not text.strip():
        raise BadFile("no text could be extracted (empty, or a scanned image without text)")
    if len(text) > limits.max_text_chars:
        raise BadFile(f"its text has {len(text)} characters, more than the limit of {limits.max_text_chars} "
                      "(RAG_MAX_TEXT_CHARS); split the file into smaller ones")
    return Extracted(kind, text, pages, ocr_pages)
