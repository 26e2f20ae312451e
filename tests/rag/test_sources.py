"""rag.sources: folders walked recursively, files named relative to them, unreadable files refused."""

from __future__ import annotations

import os
import threading

import pytest
from reading import load, refused

from rag.loaders import BadFile
from rag.sources import discover

def test_dangling_symlink_is_unreadable(files):
    link = files.path("gone.txt")
    link.symlink_to(files.root / "does-not-exist.txt")
    assert refused(link).startswith("unreadable:")


def test_fifo_is_refused_instead_of_blocking(files):
    fifo = files.path("pipe.txt")
    os.mkfifo(fifo)
    outcome: list[str] = []

    def read() -> None:
        try:
            load(fifo)
        except BadFile as exc:
            outcome.append(str(exc))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=5)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert outcome == ["not a regular file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_permission_denied_is_unreadable(files):
    path = files.text("secret.txt", "Top secret.")
    path.chmod(0)
    try:
        assert refused(path) == "unreadable: permission denied"
    finally:
        path.chmod(0o644)


# --- discover -----------------------------------------------------------------------------------


def test_folders_are_walked_recursively_with_relative_sources(files):
    for name in ["b.txt", "a.md", "sub/c.html", "sub/deeper/d.pdf", "sub/e.docx", "z/other.csv",
                 ".hidden.txt", ".git/config.txt", "sub/.cache/x.txt"]:
        files.raw(name, b"x")
    found = list(discover([files.root]))
    assert [f.source for f in found] == ["a.md", "b.txt", "sub/c.html", "sub/e.docx", "sub/deeper/d.pdf",
                                         "z/other.csv"]
    assert all(f.path == files.root / f.source for f in found)


def test_a_file_is_named_by_its_own_name_and_paths_mix(files):
    single = files.text("folder/inner/one.txt", "One.")
    other = files.text("two/two.md", "Two.")
    found = list(discover([single, other.parent]))
    assert [(f.source, f.path) for f in found] == [("one.txt", single), ("two.md", other)]


def test_missing_path_raises(files):
    with pytest.raises(FileNotFoundError):
        list(discover([files.root / "nowhere"]))
