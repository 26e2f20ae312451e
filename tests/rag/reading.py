"""Reading one file as the tests do: its (kind, text), or the reason it is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.loaders import BadFile, extract
from rag.sources import SourceFile


def load(path: Path) -> tuple[str, str]:
    extracted = extract(SourceFile(path.name, path))
    return extracted.kind, extracted.text


def refused(path: Path) -> str:
    """Why the file at `path` is refused."""
    with pytest.raises(BadFile) as caught:
        load(path)
    return str(caught.value)


def refused_bytes(name: str, data: bytes) -> str:
    """Why a file of this name and content is refused."""
    with pytest.raises(BadFile) as caught:
        extract(SourceFile(name, None, data))
    return str(caught.value)
