"""Reading files into Documents: .txt, .md, .html, .pdf, .docx.

For .txt the document's text is the file decoded as UTF-8 with nothing changed but a leading
byte-order mark, so a citation's offsets can be checked against the file itself. A .md file is stored as the text it renders to
(`rag/markdown.py`: no front matter, link, emphasis or table syntax in a quote); other formats
keep the text exactly as extracted. Offsets always refer to the stored text (`rag text`,
GET /documents/{doc_id}/text). A file that cannot be read raises BadFile with a reason a person can act on.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .html_text import visible_text
from .markdown import render as render_markdown

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")


class BadFile(Exception):
    """This file is skipped; the message says why."""


@dataclass(frozen=True)
class SourceFile:
    source: str  # path relative to the folder it was ingested from, with '/' separators
    path: Path | None
    data: bytes | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        try:
            # A FIFO or a device named like a document would block or never end: refuse it first.
            if not stat.S_ISREG(self.path.stat().st_mode):
                raise BadFile("not a regular file")
            return self.path.read_bytes()
        except PermissionError as exc:
            raise BadFile("unreadable: permission denied") from exc
        except OSError as exc:
            raise BadFile(f"unreadable: {exc.strerror or exc}") from exc

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.source).suffix.lower()


def _decode(data: bytes) -> str:
    try:
        # utf-8-sig: editors on Windows start UTF-8 files with a byte-order mark, which is not text.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadFile(f"not UTF-8 text (invalid byte at position {exc.start}); save it as UTF-8") from exc
    if "\x00" in text:
        raise BadFile("binary content (NUL bytes) in a text file")
    return text


def _plain(data: bytes) -> str:
    return _decode(data)


def _html(data: bytes) -> str:
    return visible_text(_decode(data))


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise BadFile("encrypted PDF; remove the password and add it again")
        pages = [page.extract_text() or "" for page in reader.pages]
    except BadFile:
        raise
    except Exception as exc:  # pypdf raises many kinds (PdfReadError, LimitReachedError, NotImplementedError, ...)
        raise BadFile(f"corrupt PDF ({exc.__class__.__name__}: {exc})") from exc
    return "\n\n".join(page.strip() for page in pages if page.strip())


def _docx(data: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # not a zip, missing parts, broken XML inside (lxml's XMLSyntaxError), ...
        raise BadFile(f"corrupt .docx ({exc.__class__.__name__})") from exc
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            paragraphs.append(" | ".join(cell.text for cell in row.cells))
    return "\n\n".join(p for p in paragraphs if p.strip())


_EXTRACTORS: dict[str, tuple[str, Callable[[bytes], str]]] = {
    ".txt": ("txt", _plain),
    ".md": ("md", lambda data: render_markdown(_decode(data))),
    ".html": ("html", _html),
    ".htm": ("html", _html),
    ".pdf": ("pdf", _pdf),
    ".docx": ("docx", _docx),
}


def extract(file: SourceFile) -> tuple[str, str]:
    """Returns (format, text) or raises BadFile."""
    if file.suffix not in _EXTRACTORS:
        raise BadFile(f"unsupported type '{file.suffix or 'no extension'}'; supported: {', '.join(SUPPORTED)}")
    kind, extractor = _EXTRACTORS[file.suffix]
    data = file.read()
    if not data.strip():
        raise BadFile("empty file")
    text = extractor(data)
    if not text.strip():
        raise BadFile("no text could be extracted (empty, or a scanned image without text)")
    return kind, text


def discover(paths: list[Path]) -> Iterator[SourceFile]:
    """Every file under the given paths. A folder's files are named relative to that folder.

    Raises FileNotFoundError for a path that does not exist.
    """
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(str(path))
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    full = Path(root) / name
                    yield SourceFile(full.relative_to(path).as_posix(), full)
        else:
            yield SourceFile(path.name, path)
