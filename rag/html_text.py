"""HTML reduced to the text a reader sees: one of a loaded .html file, or of HTML inside Markdown."""

from __future__ import annotations

# Elements that start a line of their own; scripts, styles and templates are never text.
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
          "header", "footer", "title", "blockquote", "pre", "table", "ul", "ol", "td", "th", "dt", "dd",
          "caption", "figcaption", "main", "nav", "aside", "hr"}
_INVISIBLE = {"script", "style", "noscript", "template"}


def visible_text(html: str) -> str:
    """The text of the HTML, a line per block element, white space collapsed, no empty lines."""
    from bs4 import BeautifulSoup  # only when a document has HTML: it is slow to import

    soup = BeautifulSoup(html, "html.parser")
    lines = (" ".join(line.split()) for line in "".join(_pieces(soup)).splitlines())
    return "\n".join(line for line in lines if line)


def _pieces(soup) -> list[str]:
    """The visible strings in document order, with a line break around each block element.

    One pass with a stack of its own: inserting the breaks into the tree (bs4's insert_after walks
    the subtree) took quadratic time on deeply nested tags, and recursion would overflow on them.
    """
    from bs4 import NavigableString, Tag

    wanted = soup.interesting_string_types  # what soup.get_text() keeps: no comments, no doctype
    pieces: list[str] = []
    stack = [(iter(soup.contents), False)]
    while stack:
        children, block = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if block:
                pieces.append("\n")
        elif isinstance(child, Tag):
            if child.name not in _INVISIBLE:
                opens = child.name in _BLOCK
                if opens:
                    pieces.append("\n")
                stack.append((iter(child.contents), opens))
        elif isinstance(child, NavigableString) and _kept(type(child), wanted):
            pieces.append(str(child))
    return pieces


def _kept(kind: type, wanted) -> bool:
    return kind is wanted if isinstance(wanted, type) else kind in wanted
