"""HTML reduced to the text a reader sees: one of a loaded .html file, or of HTML inside Markdown."""

from __future__ import annotations

# Elements that start a line of their own; scripts, styles and templates are never text.
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
          "header", "footer", "title", "blockquote", "pre", "table", "ul", "ol", "td", "th", "dt", "dd",
          "caption", "figcaption", "main", "nav", "aside", "hr"}
_INVISIBLE = ["script", "style", "noscript", "template"]


def visible_text(html: str) -> str:
    """The text of the HTML, a line per block element, white space collapsed, no empty lines."""
    from bs4 import BeautifulSoup  # only when a document has HTML: it is slow to import

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(_INVISIBLE):
        tag.decompose()
    for tag in soup.find_all(_BLOCK):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = (" ".join(line.split()) for line in soup.get_text().splitlines())
    return "\n".join(line for line in lines if line)
