"""Word processor files: .docx, read by python-docx, and OpenDocument text (.odt), read by odfpy.

Both are ZIPs of XML, and a ZIP may be a bomb: a few KB that unpack to gigabytes. Each meets
`check_zip` before its library unpacks it (python-docx and odfpy read every part into memory at
once), since the parser's memory limit cannot tell a bomb from an honest big file in time.
"""

from __future__ import annotations

import io
import zipfile

from .loaders import BadFile, ContentLimits

# Read a ZIP member this much at a time when counting its uncompressed bytes.
_ZIP_READ = 1024 * 1024


def check_zip(data: bytes, limit: int, kind: str) -> None:
    """Refuses a ZIP whose members hold more than `limit` bytes uncompressed, by their headers and by
    decompressing them with a count: a header may understate, a bomb is seen by its output."""
    too_big = BadFile(f"a {kind} holding more than {limit} bytes uncompressed, the limit "
                      "(RAG_MAX_EXTRACTED_BYTES); save it without embedded media or split it")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > limit:
                raise too_big
            total = 0
            for member in members:
                with archive.open(member) as stream:
                    while block := stream.read(_ZIP_READ):
                        total += len(block)
                        if total > limit:
                            raise too_big
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError) as exc:
        # zipfile stops a member at its declared size, so one longer than its header says ends
        # here with a bad CRC, before python-docx reads it.
        raise BadFile(f"corrupt {kind} ({exc.__class__.__name__}: {exc}); save it again from the word processor") \
            from exc


def docx_text(data: bytes, limits: ContentLimits) -> str:
    """Its paragraphs, then each table row as its cells joined by ' | '."""
    import docx

    check_zip(data, limits.max_extracted_bytes, ".docx")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # not a zip, missing parts, broken XML inside (lxml's XMLSyntaxError), ...
        raise BadFile(f"corrupt .docx ({exc.__class__.__name__})") from exc
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            paragraphs.append(" | ".join(cell.text for cell in row.cells))
    return "\n\n".join(p for p in paragraphs if p.strip())


# text:p and text:h hold all of a document's words; lists, tables, sections and frames only
# nest them. A paragraph's own spans, links and notes are its text: it is not walked further.
_TEXTNS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_BLOCKS = {(_TEXTNS, "p"), (_TEXTNS, "h")}


def odt_text(data: bytes, limits: ContentLimits) -> str:
    """Its headings and paragraphs, in document order."""
    from odf import teletype
    from odf.opendocument import load

    check_zip(data, limits.max_extracted_bytes, ".odt")
    try:
        document = load(io.BytesIO(data))
        body = document.text
    except Exception as exc:  # not a zip, no content.xml, broken XML, not a text document, ...
        raise BadFile(f"corrupt .odt ({exc.__class__.__name__}); save it again from the word processor") from exc
    paragraphs = [teletype.extractText(node) for node in _blocks(body)]
    return "\n\n".join(p.strip() for p in paragraphs if p.strip())


def _blocks(body):
    """The paragraphs and headings under `body`, in order; a stack of its own, since a hostile
    file may nest lists or sections deeper than Python's recursion limit."""
    stack = [iter(body.childNodes)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
        elif getattr(node, "qname", None) in _BLOCKS:
            yield node
        elif node.nodeType == node.ELEMENT_NODE:
            stack.append(iter(node.childNodes))
