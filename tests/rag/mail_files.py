"""Real e-mail and office files made by the tests: .eml by the standard library, .msg by extract-msg's
own OLE writer (the property streams laid out as Outlook stores them, [MS-OXMSG]), .odt by odfpy."""

from __future__ import annotations

import io
import struct
from email.message import EmailMessage

HEADER = {"From": "Ana Lopez <ana@fiscalia.example>", "To": "Equipo <equipo@ngo.example>",
          "Date": "Mon, 03 Mar 2025 10:00:00 +0000"}


def eml_bytes(subject: str, body: str, attachments: list[tuple[str, bytes]] = (), *, html: str | None = None) -> bytes:
    mail = EmailMessage()
    for name, value in HEADER.items():
        mail[name] = value
    mail["Subject"] = subject
    mail.set_content(body)
    if html is not None:
        mail.add_alternative(html, subtype="html")
    for name, data in attachments:
        mail.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return mail.as_bytes()


def html_only_eml(subject: str, html: str) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["Subject"] = HEADER["From"], subject
    mail.set_content(html, subtype="html")
    return mail.as_bytes()


def msg_bytes(subject: str, body: str, attachments: list[tuple[str, bytes]] = ()) -> bytes:
    from extract_msg.ole_writer import OleWriter

    ole = OleWriter()
    headers = "".join(f"{name}: {value}\r\n" for name, value in {**HEADER, "Subject": subject}.items())
    strings = {0x001A: "IPM.Note", 0x0037: subject, 0x1000: body, 0x007D: headers}
    header = struct.pack("<8xIIII8x", 0, len(attachments), 0, len(attachments))
    ole.addEntry(["__properties_version1.0"], header + _strings(ole, [], strings))
    ole.addEntry(["__nameid_version1.0"], storage=True)
    for stream in ("00020102", "00030102", "00040102"):
        ole.addEntry(["__nameid_version1.0", f"__substg1.0_{stream}"], b"")
    for number, (name, data) in enumerate(attachments):
        folder = [f"__attach_version1.0_#{number:08X}"]
        ole.addEntry(folder, storage=True)
        ole.addEntry(folder + ["__substg1.0_37010102"], data)
        fixed = [(0x37010102, struct.pack("<II", len(data), 0)),
                 (0x37050003, struct.pack("<I4x", 1)),  # attached by value
                 (0x0E210003, struct.pack("<I4x", number))]
        ole.addEntry(folder + ["__properties_version1.0"], bytes(8) + _strings(ole, folder, {0x3707: name})
                     + b"".join(struct.pack("<II", tag, 6) + value for tag, value in fixed))
    out = io.BytesIO()
    ole.write(out)
    return out.getvalue()


def _strings(ole, folder: list[str], strings: dict[int, str]) -> bytes:
    """Writes each string property's stream; returns their entries for the properties stream."""
    entries = b""
    for prop, value in strings.items():
        data = value.encode("utf-16-le")
        ole.addEntry(folder + [f"__substg1.0_{prop:04X}001F"], data)
        entries += struct.pack("<IIII", (prop << 16) | 0x001F, 6, len(data) + 2, 0)
    return entries


def odt_bytes(heading: str, paragraphs: list[str], items: list[str] = ()) -> bytes:
    from odf import text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    document.text.addElement(text.H(outlinelevel=1, text=heading))
    for paragraph in paragraphs:
        document.text.addElement(text.P(text=paragraph))
    if items:
        listing = text.List()
        for item in items:
            entry = text.ListItem()
            entry.addElement(text.P(text=item))
            listing.addElement(entry)
        document.text.addElement(listing)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
