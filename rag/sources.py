"""The files to read, and what they are called: a folder walked into SourceFiles, named relative
to it, links out of it and unusable names refused with a reason that `extract` gives back.

A SourceFile is a path on disk (`rag ingest`) or bytes in memory (an upload, a mail's
attachment); either is read the same way, in a parser process (rag/parsing.py).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .loaders import BadFile


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
