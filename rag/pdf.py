"""PDFs: each page's text layer, read by pypdf; a page without one is a scan, read by OCR (rag/scans.py).

The pages' texts are joined by blank lines and each page's span in the result is kept, so that
a citation can name the page its quote starts on. Encrypted PDFs and PDFs over the page limit
are refused before any page is read.
"""

from __future__ import annotations

import io

from .loaders import BadFile, ContentLimits, PageSpans


def join_pages(pages: list[str]) -> tuple[str, PageSpans]:
    """The pages' stripped texts joined by blank lines, and where each page lies in the result.
    A page without text adds nothing to the text, but keeps its place in the numbering."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    at = 0
    for page in pages:
        page = page.strip()
        if not page:
            spans.append((at, at))
            continue
        if parts:
            parts.append("\n\n")
            at += 2
        parts.append(page)
        spans.append((at, at + len(page)))
        at += len(page)
    return "".join(parts), tuple(spans)


def pdf_text(data: bytes, limits: ContentLimits) -> tuple[str, PageSpans, tuple[int, ...]]:
    """(the text, where each page lies in it, the pages read by OCR)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise BadFile("encrypted PDF; remove the password and add it again")
        # The declared count refuses an honest giant at once; the count of the page tree itself
        # (bounded by the parser's CPU limit) catches a PDF that declares fewer pages than it has.
        declared = reader.trailer["/Root"]["/Pages"].get("/Count", 0)
        if not isinstance(declared, int) or declared > limits.max_pdf_pages \
                or len(reader.pages) > limits.max_pdf_pages:
            raise BadFile(f"a PDF of more than {limits.max_pdf_pages} pages, the limit (RAG_MAX_PDF_PAGES); "
                          "split it into smaller PDFs")
        pages = [page.extract_text() or "" for page in reader.pages]
    except BadFile:
        raise
    except Exception as exc:  # pypdf raises many kinds (PdfReadError, LimitReachedError, NotImplementedError, ...)
        raise BadFile(f"corrupt PDF ({exc.__class__.__name__}: {exc})") from exc
    from .scans import fill_scanned  # which imports this module

    pages, ocr_pages = fill_scanned(data, pages)
    return *join_pages(pages), ocr_pages
