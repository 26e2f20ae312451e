"""Reading files into Documents: .txt, .md, .html, .pdf, .docx, .odt (rag/office.py), .eml and .msg
(rag/mail.py, which also hands a mail's attachments on, each to be read as a file of its own), and
scans: images and PDF pages without a text layer, read by OCR (rag/scans.py).

For .txt the document's text is the file decoded as UTF-8 with nothing changed but a leading
byte-order mark, so a citation's offsets can be checked against the file itself. A .md file is stored as the text it renders to
(`rag/markdown.py`: no front matter, link, emphasis or table syntax in a quote); other formats
keep the text exactly as extracted. Offsets always refer to the stored text (`rag text`,
GET /documents/{doc_id}/text); a PDF also says where each of its pages lies in that text, so a
citation can name its page. A file that cannot be read raises BadFile with a reason a person can act on.

Everything here may meet a hostile file: `extract` runs in a parser process under memory and CPU
limits (rag/parsing.py), and bounds what those limits cannot tell apart from honest work, such as
a .docx's uncompressed size and a PDF's page count, by ContentLimits.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .html_text import visible_text
from .markdown import render as render_markdown

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".odt", ".eml", ".msg",
             ".png", ".jpg", ".jpeg", ".tif", ".tiff")


# Read a ZIP member this much at a time when counting its uncompressed bytes.
_ZIP_READ = 1024 * 1024


class BadFile(Exception):
    """This file is skipped; the message says why."""


@dataclass(frozen=True)
class ContentLimits:
    max_extracted_bytes: int = 100 * 1024 * 1024
    max_pdf_pages: int = 3000
    max_text_chars: int = 10_000_000


# Each page's (start, end) in the text, page 1 first; a page without text has start == end.
PageSpans = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Extracted:
    """What a file yields. `pages` is empty for formats without pages; `ocr_pages` lists the
    1-based pages whose text was recognised from an image rather than read from the file."""

    kind: str
    text: str
    pages: PageSpans = ()
    ocr_pages: tuple[int, ...] = ()


@dataclass(frozen=True)
class SourceFile:
    source: str  # path relative to the folder it was ingested from, with '/' separators
    path: Path | None
    data: bytes | None = None
    refused: str | None = None  # why extract will not read it (a link out of the folder, a bad name)

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


def join_pages(pages: list[str]) -> tuple[str, PageSpans]:
    """The pages' stripped texts joined by blank lines, and where each page lies in the result.
    A page without text adds nothing to the text, but keeps its place in the numbering."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    at = 0
    for page in pages:
        page = page.strip()
        if not page:
            spans.append((at, at))
            continue
        if parts:
            parts.append("\n\n")
            at += 2
        parts.append(page)
        spans.append((at, at + len(page)))
        at += len(page)
    return "".join(parts), tuple(spans)


def _pdf(data: bytes, limits: ContentLimits) -> tuple[str, PageSpans, tuple[int, ...]]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise BadFile("encrypted PDF; remove the password and add it again")
        # The declared count refuses an honest giant at once; the count of the page tree itself
        # (bounded by the parser's CPU limit) catches a PDF that declares fewer pages than it has.
        declared = reader.trailer["/Root"]["/Pages"].get("/Count", 0)
        if not isinstance(declared, int) or declared > limits.max_pdf_pages \
                or len(reader.pages) > limits.max_pdf_pages:
            raise BadFile(f"a PDF of more than {limits.max_pdf_pages} pages, the limit (RAG_MAX_PDF_PAGES); "
                          "split it into smaller PDFs")
        pages = [page.extract_text() or "" for page in reader.pages]
    except BadFile:
        raise
    except Exception as exc:  # pypdf raises many kinds (PdfReadError, LimitReachedError, NotImplementedError, ...)
        raise BadFile(f"corrupt PDF ({exc.__class__.__name__}: {exc})") from exc
    from .scans import fill_scanned  # which imports this module

    pages, ocr_pages = fill_scanned(data, pages)
    return *join_pages(pages), ocr_pages


def check_zip(data: bytes, limit: int, kind: str = ".docx") -> None:
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


def _docx(data: bytes, limits: ContentLimits) -> str:
    import docx

    check_zip(data, limits.max_extracted_bytes)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # not a zip, missing parts, broken XML inside (lxml's XMLSyntaxError), ...
        raise BadFile(f"corrupt .docx ({exc.__class__.__name__})") from exc
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            paragraphs.append(" | ".join(cell.text for cell in row.cells))
    return "\n\n".join(p for p in paragraphs if p.strip())


def _odt(data: bytes, limits: ContentLimits) -> str:
    from .office import odt_text  # which imports this module

    return odt_text(data, limits)


def _eml(data: bytes, limits: ContentLimits) -> str:
    from .mail import eml_text  # which imports this module

    return eml_text(data)


def _msg(data: bytes, limits: ContentLimits) -> str:
    from .mail import msg_text  # which imports this module

    return msg_text(data)


def _image(suffix: str) -> Callable[[bytes, ContentLimits], tuple[str, PageSpans, tuple[int, ...]]]:
    def read(data: bytes, limits: ContentLimits) -> tuple[str, PageSpans, tuple[int, ...]]:
        from .scans import read_image  # which imports this module

        return read_image(data, suffix)

    return read


# Each reads (text, where each page lies in it, the pages read by OCR).
_EXTRACTORS: dict[str, tuple[str, Callable[[bytes, ContentLimits], tuple[str, PageSpans, tuple[int, ...]]]]] = {
    ".txt": ("txt", lambda data, _: (_plain(data), (), ())),
    ".md": ("md", lambda data, _: (render_markdown(_decode(data)), (), ())),
    ".html": ("html", lambda data, _: (_html(data), (), ())),
    ".htm": ("html", lambda data, _: (_html(data), (), ())),
    ".pdf": ("pdf", _pdf),
    ".docx": ("docx", lambda data, limits: (_docx(data, limits), (), ())),
    ".odt": ("odt", lambda data, limits: (_odt(data, limits), (), ())),
    ".eml": ("eml", lambda data, limits: (_eml(data, limits), (), ())),
    ".msg": ("msg", lambda data, limits: (_msg(data, limits), (), ())),
    ".png": ("png", _image(".png")),
    ".jpg": ("jpeg", _image(".jpg")),
    ".jpeg": ("jpeg", _image(".jpeg")),
    ".tif": ("tiff", _image(".tif")),
    ".tiff": ("tiff", _image(".tiff")),
}


def extract(file: SourceFile, limits: ContentLimits = ContentLimits()) -> Extracted:
    """The file's format, text and pages, or BadFile. Untrusted files go through rag.parsing, not here."""
    if file.refused is not None:
        raise BadFile(file.refused)
    if file.suffix not in _EXTRACTORS:
        raise BadFile(f"unsupported type '{file.suffix or 'no extension'}'; supported: {', '.join(SUPPORTED)}")
    kind, extractor = _EXTRACTORS[file.suffix]
    data = file.read()
    if not data.strip():
        raise BadFile("empty file")
    text, pages, ocr_pages = extractor(data, limits)
    if not text.strip():
        raise BadFile("no text could be extracted (empty, or a scanned image without text)")
    if len(text) > limits.max_text_chars:
        raise BadFile(f"its text has {len(text)} characters, more than the limit of {limits.max_text_chars} "
                      "(RAG_MAX_TEXT_CHARS); split the file into smaller ones")
    return Extracted(kind, text, pages, ocr_pages)


def is_control(c: str) -> bool:
    """A control character (a newline, a tab, an escape, DEL): never part of a name shown or stored."""
    return ord(c) < 32 or ord(c) == 127


def name_problem(name: str) -> str | None:
    """Why a file name cannot be a document's source, or None. Control characters (a newline, a
    tab, an escape) would be stored and shown as they are, splitting or forging report lines."""
    if any(map(is_control, name)):
        return "the file name holds control characters (such as a newline); rename the file"
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not valid UTF-8; rename the file"
    return None


def printable(name: str) -> str:
    """The name with control characters and undecodable bytes escaped, to report it on one line."""
    return name.encode("unicode_escape").decode("ascii") if name_problem(name) else name


def discover(paths: list[Path], *, follow_links: bool = False) -> Iterator[SourceFile]:
    """Every file under the given paths. A folder's files are named relative to that folder.

    A link inside a folder that leads out of it is refused (a file named 'notes.txt' may point at
    /etc/passwd) unless follow_links; a path given by name is read wherever it points. A file with
    a bad name is refused too; both come out as SourceFiles that extract refuses, saying why.
    Raises FileNotFoundError for a path that does not exist.
    """
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(str(path))
        if path.is_dir():
            yield from _walk(path, follow_links)
        else:
            yield _named(path.name, path, None)


def _walk(folder: Path, follow_links: bool) -> Iterator[SourceFile]:
    root = folder.resolve()
    visited: set[tuple[int, int]] = set()  # folders by (device, inode): followed links may loop
    for current, dirs, files in os.walk(folder, followlinks=follow_links):
        here = os.stat(current)
        if (here.st_dev, here.st_ino) in visited:
            dirs[:] = []
            continue
        visited.add((here.st_dev, here.st_ino))
        kept = []
        for name in sorted(d for d in dirs if not d.startswith(".")):
            full = Path(current) / name
            if full.is_symlink() and not follow_links and not _inside(full, root):
                yield SourceFile(printable(full.relative_to(folder).as_posix()), None,
                                 refused=_leaves(full, "folder"))
            else:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            if name.startswith("."):
                continue
            full = Path(current) / name
            source = full.relative_to(folder).as_posix()
            leaves = full.is_symlink() and not follow_links and not _inside(full, root)
            yield _named(source, full, _leaves(full, "file") if leaves else None)


def _named(source: str, path: Path, refused: str | None) -> SourceFile:
    problem = name_problem(source)
    return SourceFile(printable(source), path, refused=problem or refused)


def _inside(link: Path, root: Path) -> bool:
    return link.resolve().is_relative_to(root)


def _leaves(link: Path, what: str) -> str:
    return (f"a link to a {what} outside the ingested folder ({os.readlink(link)}); not followed: "
            "copy the file into the folder, or run 'rag ingest --follow-links' to read links wherever they lead")
