"""Real files of each supported format, made in memory, each holding one findable fact."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

import docx
from fpdf import FPDF

sys.path.append(str(Path(__file__).resolve().parents[1]))
from pdf_files import pdf_bytes as pdf_bytes_of_pages  # noqa: E402


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_bytes(*lines: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def pdf_pages(*pages: str) -> bytes:
    """A PDF of one page per string."""
    return pdf_bytes_of_pages(list(pages))


@dataclass(frozen=True)
class Sample:
    name: str
    data: bytes
    format: str
    question: str
    expected: str  # in the answer


SAMPLES = [
    Sample("regatta.txt", b"The annual rowing regatta on Lake Windermere is organised by Priya Natarajan.\n",
           "txt", "Who organises the rowing regatta?", "Priya Natarajan"),
    Sample("apiary.md", b"# Beekeeping\n\nThe apiary behind the school keeps eleven hives of Carniolan bees.\n",
           "md", "What does the apiary behind the school keep?", "eleven hives"),
    Sample("observatory.html",
           b"<html><head><title>Observatory</title><script>var hidden = 'ignored';</script></head>"
           b"<body><h1>Observatory</h1><p>The telescope dome was repaired by Tomasz Kowalski in March.</p>"
           b"</body></html>",
           "html", "Who repaired the telescope dome?", "Tomasz Kowalski"),
    Sample("ferry.docx", docx_bytes("Harbour services", "The ferry timetable was rewritten by Hannah Okafor."),
           "docx", "Who has rewritten the ferry timetable?", "Hannah Okafor"),
    Sample("seedbank.pdf", pdf_bytes("Valley seed bank", "The seed bank in the valley stores four thousand "
                                     "varieties of wheat."),
           "pdf", "What does the seed bank in the valley store?", "varieties of wheat"),
]
