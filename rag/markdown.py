"""Markdown rendered to the plain text a reader sees: the text a `.md` document's offsets refer to.

A quote must never carry markup ("[Ley 26.364](http://…)", "**Descripción:**", front matter), so
a Markdown file is stored as what it renders to:
- front matter is dropped: a YAML block between `---` lines, or "Key: value" lines before the
  first blank line (Pelican, MultiMarkdown);
- emphasis, code and link syntax give way to their text; an image to its alt text; HTML to its text;
- a paragraph's lines wrapped at a fixed width join into one line, so a sentence is not cut at
  a line break; other line breaks stay (a law's title, then its number);
- a heading is a line of its own; a list item is a line of its own, after "• " or its number;
  a list that a paragraph ending in ":" introduces follows it with no blank line between;
- a table row is a line, its cells parted by "; ".
Blocks are parted by a blank line. CommonMark parsing is markdown-it-py's.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from .html_text import visible_text

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_YAML_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_KEY_VALUE = re.compile(r"[A-Za-z][\w-]*:[ \t]")
_BULLET = "• "


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Imported here, in the parser processes that read .md files: never on a question's path.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def render(markdown: str) -> str:
    """The plain text of a Markdown document."""
    blocks: list[tuple[str, str]] = []  # (kind, text): "block", or "item n" / "row n" of the n-th list / table
    lists: list[list[int | None]] = []  # per open list: [next number], or [None] for bullets
    marker: str | None = None  # the open list item's marker, until its first paragraph takes it
    row: list[str] | None = None
    groups = 0  # lists and tables so far: items of one list, rows of one table, go line by line
    for token in _parser().parse(strip_front_matter(markdown)):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open", "table_open") and not lists:
            groups += 1
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrGet("start")
            lists.append([int(start) if start is not None else 1] if kind == "ordered_list_open" else [None])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            number = lists[-1]
            marker = "  " * (len(lists) - 1) + (_BULLET if number[0] is None else f"{number[0]}. ")
            if number[0] is not None:
                number[0] += 1
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            blocks.append((f"row {groups}", "; ".join(cell for cell in row or [] if cell)))
            row = None
        elif kind == "inline":
            text = _inline(token)
            if row is not None:
                row.append(text)
            elif marker is not None:
                blocks.append((f"item {groups}", marker + text))
                marker = None
            elif lists and blocks and text:  # an item's later paragraph stays on the item's line
                blocks[-1] = (blocks[-1][0], f"{blocks[-1][1]} {text}")
            else:
                blocks.append(("block", text))
        elif kind in ("fence", "code_block"):
            blocks.append(("block", token.content.rstrip("\n")))
        elif kind == "html_block":
            blocks.append(("block", visible_text(token.content)))
    return _joined([(kind, text) for kind, text in blocks if text.strip()])


def _joined(blocks: list[tuple[str, str]]) -> str:
    """Blocks parted by a blank line; items of a list, rows of a table, and a list after the
    paragraph ending in ":" that introduces it, by a line break."""
    out: list[str] = []
    for n, (kind, text) in enumerate(blocks):
        if n:
            previous_kind, previous = blocks[n - 1]
            close = kind == previous_kind != "block" or (kind.startswith("item") and previous.endswith(":"))
            out.append("\n" if close else "\n\n")
        out.append(text)
    return "".join(out) + "\n" if out else ""


def strip_front_matter(markdown: str) -> str:
    """The document without its front matter (YAML between `---` lines, or leading Key: value lines),
    its line endings made "\n" (files written on Windows end lines with "\r\n")."""
    markdown = markdown.replace("\r\n", "\n").replace("\r", "\n")
    yaml = _YAML_FRONT_MATTER.match(markdown)
    if yaml:
        return markdown[yaml.end():]
    head, blank, rest = markdown.partition("\n\n")
    lines = head.splitlines()
    # Two lines at least: a single "Note: …" line opening a document is text, not metadata.
    if blank and len(lines) >= 2 and all(_KEY_VALUE.match(line) for line in lines):
        return rest
    return markdown


def _inline(token: Token) -> str:
    parts, line = [], ""  # `line`: the source line so far, which decides what a line break becomes
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
            line += child.content
        elif child.type == "softbreak":
            parts.append(_soft_break(line))
            line = ""
        elif child.type == "hardbreak":
            parts.append("\n")
            line = ""
        elif child.type == "image":
            alt = _inline(child) or child.attrGet("alt") or ""
            parts.append(alt)
            line += alt
        # html_inline is a tag: its text, if any, is in the text tokens around it
    return re.sub(r"[ \t]+", " ", "".join(parts)).strip()


def _soft_break(line: str) -> str:
    """What a line break inside a paragraph becomes, judged by the line before it. Prose wrapped
    at a fixed width (lines of 40-100 characters that stop mid-sentence) joins into one line;
    other line breaks are the author's (a law's title, then its number, then its preamble) and
    stay. A word hyphenated across the break joins whole ("inter-" "agency")."""
    line = line.rstrip()
    if not 40 <= len(line) <= 100 or line.endswith((".", ":", ";", "!", "?")):
        return "\n"
    return "" if re.search(r"\w-$", line) else " "
