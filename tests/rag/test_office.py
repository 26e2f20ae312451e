"""rag.office: .docx paragraphs and tables, .odt headings and paragraphs; corrupt files refused."""

from __future__ import annotations

import io
import zipfile

import pytest
from mail_files import odt_bytes
from reading import load, refused

from rag.loaders import extract
from rag.sources import SourceFile

# --- docx ---------------------------------------------------------------------------------------


def test_docx_paragraphs_and_tables(files):
    path = files.docx(
        "minutes.docx",
        ["Minutes of the meeting", "", "The Fiscal Nacional opened the session.", "   "],
        table=[["Name", "Country"], ["Ana Pérez", "Chile"]],
    )
    kind, text = load(path)
    assert kind == "docx"
    assert text == ("Minutes of the meeting\n\nThe Fiscal Nacional opened the session.\n\n"
                    "Name | Country\n\nAna Pérez | Chile")


def _rezip(data: bytes, name: str, content: bytes | None) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item.filename))
            elif content is not None:
                target.writestr(item, content)
    return out.getvalue()


@pytest.mark.parametrize("case", ["garbage", "truncated", "plain_zip", "no_document_part", "broken_xml",
                                  "broken_content_types"])
def test_corrupt_docx_is_refused_with_a_reason(files, case):
    good = files.docx_bytes(["Hello from a docx."])
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("readme.txt", "not a word document")
    data = {
        "garbage": b"PK not really a zip",
        "truncated": good[: len(good) // 2],
        "plain_zip": plain_zip.getvalue(),
        "no_document_part": _rezip(good, "word/document.xml", None),
        # lxml's XMLSyntaxError once escaped and aborted the whole ingest.
        "broken_xml": _rezip(good, "word/document.xml", b"<w:document><unclosed"),
        "broken_content_types": _rezip(good, "[Content_Types].xml", b"<<<"),
    }[case]
    assert "corrupt .docx" in refused(files.raw(f"{case}.docx", data))


def test_odt_headings_and_paragraphs_in_order():
    extracted = extract(SourceFile("n.odt", None, odt_bytes("Findings", ["First paragraph.", "Second one."],
                                                             ["A list item."])))
    assert (extracted.kind, extracted.text) == ("odt", "Findings\n\nFirst paragraph.\n\nSecond one.\n\nA list item.")
