"""OpenDocument text (.odt), read by odfpy: its headings and paragraphs, in document order.

An .odt is a ZIP like a .docx, and meets the same bomb check (loaders.check_zip) before odfpy
unpacks it; odfpy reads every part it holds into memory at once.
"""

from __future__ import annotations

import io

from .loaders import BadFile, ContentLimits, check_zip

# text:p and text:h hold all of a document's words; lists, tables, sections and frames only
# nest them. A paragraph's own spans, links and notes are its text: it is not walked further.
_TEXTNS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_BLOCKS = {(_TEXTNS, "p"), (_TEXTNS, "h")}


def odt_text(data: bytes, limits: ContentLimits) -> str:
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
