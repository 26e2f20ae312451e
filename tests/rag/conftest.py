"""Fixtures for the library tests: real files of every supported format, and engines on temp indexes."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.approximate import contents, is_approximate
from rag.embedding import HashEmbedder
from rag.engine import Engine
from rag.settings import Settings

# A module of its own, not this conftest's: test modules import it, and "conftest" names two modules.
sys.path.append(str(Path(__file__).resolve().parents[1]))
from pdf_files import pdf_bytes  # noqa: E402
from lexical_files import lexical_rows  # noqa: E402


# --- real files ---------------------------------------------------------------------------------


def docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def html_page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>" + title + "</title>"
        "<style>p { color: red; }</style><script>var hidden = 'script text';</script></head>\n"
        "<body>" + body + "</body></html>\n"
    )


class Files:
    """Writes documents of every format under a folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, name: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def text(self, name: str, text: str) -> Path:
        path = self.path(name)
        path.write_bytes(text.encode("utf-8"))  # bytes: no newline translation
        return path

    def raw(self, name: str, data: bytes) -> Path:
        path = self.path(name)
        path.write_bytes(data)
        return path

    pdf_bytes = staticmethod(pdf_bytes)
    docx_bytes = staticmethod(docx_bytes)

    def html(self, name: str, title: str, body: str) -> Path:
        return self.text(name, html_page(title, body))

    def pdf(self, name: str, pages: list[str]) -> Path:
        return self.raw(name, pdf_bytes(pages))

    def docx(self, name: str, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
        return self.raw(name, docx_bytes(paragraphs, table))


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path / "docs")


# --- engines ------------------------------------------------------------------------------------


class CountingEmbedder:
    """The package's HashEmbedder, counting what it is asked to embed."""

    def __init__(self, inner=None) -> None:
        self.inner = inner or HashEmbedder()
        self.name = self.inner.name
        self.dimension = self.inner.dimension
        self.calls = 0
        self.texts: list[str] = []

    def embed(self, texts: list[str], *, batch_size: int = 32, kind: str = "passage") -> np.ndarray:
        self.calls += 1
        self.texts.extend(texts)
        return self.inner.embed(texts, batch_size=batch_size, kind=kind)

    def reset(self) -> None:
        self.calls = 0
        self.texts = []


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def make_engine(index_dir: Path):
    """Engines on the test's index folder (hash embedder unless given another); closed at the end."""
    opened: list[Engine] = []

    def make(embedder=None, folder: Path | None = None, translator=None, **settings) -> Engine:
        engine = Engine(Settings(index_dir=folder or index_dir, embedding_model="hash", **settings),
                        embedder=embedder, translator=translator)
        opened.append(engine)
        return engine

    yield make
    for engine in opened:
        engine.close()


@pytest.fixture
def counting() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture(scope="session")
def real_embedder():
    """The bundled all-MiniLM-L6-v2 model, loaded once for all integration tests."""
    from rag.embedding import load_embedder

    return load_embedder("all-MiniLM-L6-v2")


# --- checks -------------------------------------------------------------------------------------


def assert_consistent(engine: Engine) -> None:
    """Every stored document has chunks whose offsets hold in its text; FAISS mirrors SQLite."""
    store = engine.index.store
    docs, chunk_count = store.count()
    assert len(engine.documents()) == docs
    for info in engine.documents():
        assert info.chunks > 0, info
        text = engine.index.text(info.doc_id)
        assert len(text) == info.chars
        rows = store.db.execute(
            'SELECT ordinal, start, "end", text FROM chunks WHERE doc_id = ? ORDER BY ordinal', (info.doc_id,)
        ).fetchall()
        assert [r[0] for r in rows] == list(range(len(rows)))
        for _, start, end, chunk in rows:
            assert 0 <= start < end <= len(text)
            assert text[start:end] == chunk
    # The lexical index too, at SQLite's generation.
    chunk_rows = sorted(row for (row,) in store.db.execute("SELECT id FROM chunks"))
    assert lexical_rows(engine.index.folder) == (store.generation(), chunk_rows)
    vectors = engine.index.vectors
    assert vectors.size == chunk_count
    # The same rows, with the same vectors: FAISS is derived from SQLite and must mirror it exactly.
    ids, collections, stored = store.all_vectors(vectors.dimension)
    # Each collection's index (flat or IVF) holds its own chunks, and only those, with their vectors.
    parts = vectors.parts()
    held = {name: contents(part) for name, part in parts.items()}
    assert sorted(row for rows, _ in held.values() for row in rows.tolist()) == ids.tolist()
    for name, (rows, kept) in held.items():
        mine = np.isin(ids, rows)
        assert all(collection == name for collection, m in zip(collections, mine) if m)
        # An IVF holds its vectors as 16-bit floats (rag/approximate.py): SQLite's, rounded.
        expected = stored[mine].astype(np.float16).astype(np.float32) if is_approximate(parts[name]) else stored[mine]
        assert np.allclose(kept, expected, atol=1e-6)  # both by increasing row


def assert_citations_valid(engine: Engine, answer) -> None:
    for citation in answer.citations:
        text = engine.index.text(citation.doc_id)
        assert text[citation.start:citation.end] == citation.quote
        assert engine.index.document(citation.doc_id).source == citation.source


class Checks:
    consistent = staticmethod(assert_consistent)
    citations = staticmethod(assert_citations_valid)


@pytest.fixture(scope="session")
def check() -> Checks:
    return Checks()


@pytest.fixture(scope="session")
def files_at():
    """Files(root) for module- and session-scoped fixtures."""
    return Files
