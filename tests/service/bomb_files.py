"""Hostile files, made for real: small on the wire, huge or slow once parsed.

Shared by the tests and bench/bombs.py. Each builder returns the file's bytes.
"""

from __future__ import annotations

import io
import struct
import zipfile

from sample_files import docx_bytes

DOCUMENT_XML = "word/document.xml"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_bomb(expanded_bytes: int) -> bytes:
    """A valid .docx whose document.xml is one paragraph of `expanded_bytes` letters, deflated to
    about a thousandth of that: honest headers, the ZIP bomb of the report (3 MB -> 1.1 GB)."""
    block = b"a" * (1 << 20)
    body = [b"<w:p><w:r><w:t>", *([block] * (expanded_bytes >> 20)), b"</w:t></w:r></w:p>"]
    return _docx(body, zip64=expanded_bytes >= 1 << 31)


def docx_many_paragraphs(count: int) -> bytes:
    """A .docx of `count` one-letter paragraphs: a few MB of XML, a DOM many times that."""
    return _docx([b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 1000] * (count // 1000), zip64=False)


def _docx(body: list[bytes], *, zip64: bool) -> bytes:
    """python-docx's own template with document.xml's body made of these pieces, streamed."""
    template = zipfile.ZipFile(io.BytesIO(docx_bytes("template")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for item in template.infolist():
            if item.filename != DOCUMENT_XML:
                archive.writestr(item.filename, template.read(item))
        with archive.open(DOCUMENT_XML, "w", force_zip64=zip64) as xml:
            xml.write(f'<?xml version="1.0"?><w:document xmlns:w="{_W}"><w:body>'.encode())
            for piece in body:
                xml.write(piece)
            xml.write(b"</w:body></w:document>")
    return out.getvalue()


def docx_lying_header(expanded_bytes: int) -> bytes:
    """A docx bomb (under 2 GB, so without ZIP64) whose headers, local and central, declare
    document.xml to hold 1,000 bytes."""
    data = bytearray(docx_bomb(expanded_bytes))
    name = DOCUMENT_XML.encode()
    # (signature, offset of the uncompressed size, offset of the name) of the local and central headers
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(signature)
        while at >= 0:
            if data[at + name_at:at + name_at + len(name)] == name:
                struct.pack_into("<I", data, at + size_at, 1000)
            at = data.find(signature, at + 4)
    return bytes(data)


def pdf_many_pages(pages: int, *, declared: int | None = None) -> bytes:
    """A PDF of `pages` pages sharing one content stream; /Count says `declared` (default: the truth)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        None,  # the page tree, written once the pages' numbers are known
        b"<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 712 Td (Page text.) Tj ET\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    first = len(objects) + 1
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R /Resources << /Font << /F1 4 0 R >> >> >>"
    objects += [page] * pages
    kids = b" ".join(b"%d 0 R" % n for n in range(first, first + pages))
    objects[1] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages if declared is None else declared, kids)
    return _pdf(objects)


def pdf_deep_nesting(depth: int) -> bytes:
    """A one-page PDF whose page holds an array nested `depth` levels deep."""
    nested = b"[" * depth + b"]" * depth
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Deep " + nested + b" >>",
    ]
    return _pdf(objects)


def _pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def nested_html(depth: int) -> bytes:
    return b"<html><body>" + b"<div>" * depth + b"deep inside" + b"</div>" * depth + b"</body></html>"
