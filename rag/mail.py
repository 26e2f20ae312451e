"""E-mails: .eml by the standard library's `email` package, Outlook's .msg by extract-msg.

A mail's document is its header (From, To, Date, Subject) and body, an HTML body reduced to its
visible text. Its attachments are not part of that text: `attached` hands each one on, by name
and bytes, and the engine sends it through the parser processes as a file of its own, named
'<mail>/<attachment>' (rag/engine.py), so that it is cited, replaced and removed with its mail.
Everything here runs in a parser process: a mail is as untrusted as the files it carries.
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import PurePosixPath

from .html_text import visible_text
from .loaders import SUPPORTED, BadFile, ContentLimits
from .sources import SourceFile, is_control

MAIL_KINDS = ("eml", "msg")
_SUFFIXES = tuple(f".{kind}" for kind in MAIL_KINDS)


@dataclass(frozen=True)
class Attachment:
    """One attachment of a mail: its (sanitised) name, and its bytes or why it is not read."""

    name: str
    data: bytes = field(default=b"", repr=False)
    refused: str | None = None

    def to_json(self) -> dict:
        return {"name": self.name, "data": base64.b64encode(self.data).decode("ascii"), "refused": self.refused}

    @classmethod
    def from_json(cls, item: dict) -> "Attachment":
        return cls(item["name"], base64.b64decode(item["data"]), item["refused"])


def _header(sender, to, date, subject) -> str:
    lines = (f"{label}: {value}" for label, value in
             (("From", sender), ("To", to), ("Date", date), ("Subject", subject)) if value)
    return "\n".join(lines)


def _parse_eml(data: bytes) -> EmailMessage:
    mail = message_from_bytes(data, policy=policy.default)
    # Any bytes parse as a message; one with none of these headers is not a mail.
    if not any(mail[name] for name in ("From", "To", "Date", "Subject")):
        raise BadFile("not an e-mail (no From, To, Date or Subject header); save the mail again as .eml")
    return mail


def eml_text(data: bytes) -> str:
    try:
        mail = _parse_eml(data)
        header = _header(mail["From"], mail["To"], mail["Date"], mail["Subject"])
        body = mail.get_body(preferencelist=("plain", "html"))
        text = "" if body is None else _text_of(body)
    except BadFile:
        raise
    except Exception as exc:  # the email package's header parsers raise many kinds on malformed input
        raise BadFile(f"corrupt e-mail ({exc.__class__.__name__}: {exc})") from exc
    if body is not None and body.get_content_subtype() == "html":
        text = visible_text(text)
    return f"{header}\n\n{text.strip()}".strip()


def _text_of(part: EmailMessage) -> str:
    try:
        return part.get_content()
    except LookupError:  # a charset Python does not know: its ASCII-compatible bytes still read
        return (part.get_payload(decode=True) or b"").decode("utf-8", "replace")


def msg_text(data: bytes) -> str:
    with _open_msg(data) as mail:
        try:
            header = _header(mail.sender, mail.to, mail.date, mail.subject)
            body = mail.body
            if not (body and body.strip()) and mail.htmlBody:
                body = visible_text(mail.htmlBody.decode("utf-8", "replace"))
        except Exception as exc:  # extract-msg raises its own kinds, and olefile's, on broken streams
            raise BadFile(f"corrupt .msg ({exc.__class__.__name__}: {exc})") from exc
    return f"{header}\n\n{(body or '').strip()}".strip()


def _open_msg(data: bytes):
    import extract_msg
    from extract_msg.msg_classes import MessageBase

    try:
        mail = extract_msg.openMsg(data)
    except Exception as exc:  # not an OLE file, not an Outlook item, broken property streams, ...
        raise BadFile(f"corrupt .msg ({exc.__class__.__name__}: {exc}); save the mail again from Outlook") from exc
    if not isinstance(mail, MessageBase):
        mail.close()
        raise BadFile("an Outlook item that is not a mail (a contact, a task, ...); only mails are read")
    return mail


def attached(file: SourceFile, limits: ContentLimits) -> list[Attachment] | None:
    """The attachments of a mail (None for any other file), together at most max_extracted_bytes."""
    if file.suffix not in _SUFFIXES:
        return None
    data = file.read()
    raw = _eml_attachments(data) if file.suffix == ".eml" else _msg_attachments(data)
    kept, total = [], 0
    for index, (name, content_type, content) in enumerate(raw, 1):
        name = safe_name(name, index, content_type)
        suffix = PurePosixPath(name).suffix.lower()
        if content is None:
            kept.append(Attachment(name, refused="not a file in the mail (a link, or a part Outlook could not keep)"))
        elif suffix not in SUPPORTED:
            kept.append(Attachment(name, refused=f"unsupported type '{suffix or 'no extension'}'; "
                                                 f"supported: {', '.join(SUPPORTED)}"))
        elif total + len(content) > limits.max_extracted_bytes:
            kept.append(Attachment(name, refused=f"the mail's attachments hold more than "
                                                 f"{limits.max_extracted_bytes} bytes, the limit "
                                                 "(RAG_MAX_EXTRACTED_BYTES); save this one and add it as a file"))
        else:
            total += len(content)
            kept.append(Attachment(name, content))
    return kept


# (name as the mail gives it, content type, bytes or None when the part holds no file)
_Raw = tuple[str | None, str | None, bytes | None]


def _eml_attachments(data: bytes) -> list[_Raw]:
    try:
        found = []
        for part in _parse_eml(data).iter_attachments():
            kind = part.get_content_type()
            if kind == "message/rfc822":  # a forwarded mail: its content is a message, not bytes
                content = part.get_content().as_bytes()
            elif part.get_content_maintype() == "text":  # stored in its own charset: handed on as UTF-8
                content = _text_of(part).encode("utf-8")
            else:
                content = part.get_payload(decode=True)
            found.append((part.get_filename(), kind, content))
        return found
    except BadFile:
        raise
    except Exception as exc:
        raise BadFile(f"corrupt e-mail ({exc.__class__.__name__}: {exc})") from exc


def _msg_attachments(data: bytes) -> list[_Raw]:
    from extract_msg.msg_classes import MSGFile

    with _open_msg(data) as mail:
        try:
            found = []
            for attachment in mail.attachments:
                name = attachment.longFilename or attachment.shortFilename or attachment.displayName
                content = attachment.data
                if isinstance(content, MSGFile):  # an attached Outlook mail, stored as a folder of the file
                    found.append((name, "application/vnd.ms-outlook", content.exportBytes()))
                else:
                    found.append((name, attachment.mimetype, content if isinstance(content, bytes) else None))
            return found
        except Exception as exc:
            raise BadFile(f"corrupt .msg ({exc.__class__.__name__}: {exc})") from exc


# Types mimetypes does not map to the extension the loaders read.
_EXTENSIONS = {"message/rfc822": ".eml", "application/vnd.ms-outlook": ".msg"}


def safe_name(name: str | None, index: int, content_type: str | None = None) -> str:
    """The attachment's name as a bare file name: a sender chooses it, and it becomes part of a
    source. Folders ('../../x.pdf', 'C:\\x.pdf') are dropped, control characters and undecodable
    bytes replaced; a name with nothing left is numbered, with the extension of its type."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join("_" if is_control(c) else c for c in base)
    base = base.encode("utf-8", "replace").decode("utf-8").strip()
    if base.strip("."):
        return base
    kind = (content_type or "").lower()
    return f"attachment-{index}{_EXTENSIONS.get(kind) or mimetypes.guess_extension(kind) or ''}"
