"""Real PDFs for the library tests (the service tests have theirs in tests/service/sample_files.py)."""

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
