"""Real PDFs of text, one page per string, for the library, service and page tests."""

from __future__ import annotations


def pdf_bytes(pages: list[str]) -> bytes:
    """A real PDF (fpdf2), one page per string; core fonts, so text must be Latin-1."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())
