"""The SQLite half of the index: documents, chunks with their vectors, and the lexical terms.

SQLite is the source of truth. Every change is one transaction that also bumps `generation`,
so a process killed mid-write leaves the last committed state; the FAISS file is derived
from the vectors stored here and rebuilt whenever it lags behind.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .analysis import prefixes, stems, words
from .schema import Chunk, Document, DocumentInfo
from .errors import IndexOutdated
from .sqlite import ThreadConnections

# 2: the lexical table gained a column of whole (folded, unstemmed) words.
# 3: documents gained their pages' spans and OCR pages (JSON lists), added to a schema 2 index in place.
SCHEMA_VERSION = "3"

# Schema 2 to 3: its documents keep their text and simply have no pages, as if read from .txt.
_FROM_2 = """
ALTER TABLE documents ADD COLUMN pages TEXT NOT NULL DEFAULT '[]';
ALTER TABLE documents ADD COLUMN ocr_pages TEXT NOT NULL DEFAULT '[]';
UPDATE meta SET value = '3' WHERE key = 'schema';
"""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL UNIQUE, content_hash TEXT NOT NULL,
    format TEXT NOT NULL, language TEXT NOT NULL, text TEXT NOT NULL, added_at TEXT NOT NULL,
    pages TEXT NOT NULL DEFAULT '[]', ocr_pages TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, embedding BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_terms USING fts5(stem, pref, word, tokenize='unicode61');
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_vocab USING fts5vocab(chunk_terms, 'col');
"""


class Store:
    """Thread-safe access to the SQLite file: one connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connections = ThreadConnections(path, pragmas=("journal_mode=WAL", "synchronous=FULL"),
                                              isolation_level=None)
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        for statement in filter(str.strip, _SCHEMA.split(";")):
            db.execute(statement)
        db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        db.execute("INSERT OR IGNORE INTO meta VALUES ('generation', '0')")
        stored = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
        if stored == "2":
            for statement in filter(str.strip, _FROM_2.split(";")):
                db.execute(statement)
            stored = SCHEMA_VERSION
        db.execute("COMMIT")
        if stored != SCHEMA_VERSION:
            self.close()
            raise IndexOutdated(
                f"the index in {path.parent} was built by an older version (schema {stored}, now "
                f"{SCHEMA_VERSION}); move it aside, or point RAG_INDEX_DIR at a new folder, and run "
                "'rag ingest' to rebuild it."
            )

    @property
    def db(self) -> sqlite3.Connection:
        return self._connections.get()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One atomic transaction that bumps the generation."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._connections.close()

    # --- meta -------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def generation(self) -> int:
        return int(self.meta("generation") or 0)

    # --- documents --------------------------------------------------------------------------

    def document_hashes(self) -> dict[str, tuple[str, str]]:
        """source -> (doc_id, content_hash)"""
        rows = self.db.execute("SELECT source, doc_id, content_hash FROM documents")
        return {source: (doc_id, digest) for source, doc_id, digest in rows}

    def documents(self) -> list[DocumentInfo]:
        return self._infos("", ())

    def document(self, doc_id: str) -> DocumentInfo | None:
        return next(iter(self._infos("WHERE d.doc_id = ?", (doc_id,))), None)

    def document_by_source(self, source: str) -> DocumentInfo | None:
        return next(iter(self._infos("WHERE d.source = ?", (source,))), None)

    def _infos(self, where: str, params: tuple) -> list[DocumentInfo]:
        """One document's details come from its own row, not from aggregating the whole table."""
        rows = self.db.execute(
            f"""SELECT d.doc_id, d.source, d.format, d.language, length(d.text), COUNT(c.id),
                       d.content_hash, d.added_at, d.ocr_pages
                FROM documents d LEFT JOIN chunks c ON c.doc_id = d.doc_id
                {where} GROUP BY d.doc_id ORDER BY d.source""",
            params,
        )
        return [DocumentInfo(*row[:-1], tuple(json.loads(row[-1]))) for row in rows]

    def text(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def pages(self, doc_id: str) -> tuple[tuple[int, int], ...] | None:
        """Each page's (start, end) in the document's text; None when there is no such document."""
        row = self.db.execute("SELECT pages FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return tuple((start, end) for start, end in json.loads(row[0])) if row else None

    def count(self) -> tuple[int, int]:
        docs = self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        chunks = self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return docs, chunks

    def is_empty(self) -> bool:
        return self.db.execute("SELECT NOT EXISTS (SELECT 1 FROM documents)").fetchone()[0] == 1

    def languages(self) -> set[str]:
        return {lang for (lang,) in self.db.execute("SELECT DISTINCT language FROM documents")}

    # --- writes (inside `write()`) ----------------------------------------------------------

    @staticmethod
    def delete_document(db: sqlite3.Connection, doc_id: str) -> list[int]:
        rows = [r for (r,) in db.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,))]
        db.executemany("DELETE FROM chunk_terms WHERE rowid = ?", ((r,) for r in rows))
        db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        return rows

    @staticmethod
    def insert_document(db: sqlite3.Connection, document: Document, chunks: list[Chunk],
                        vectors: np.ndarray) -> list[int]:
        db.execute(
            "INSERT INTO documents (doc_id, source, content_hash, format, language, text, added_at, pages, "
            "ocr_pages) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (document.doc_id, document.source, document.content_hash, document.format,
             document.language, document.text, datetime.now(timezone.utc).isoformat(timespec="seconds"),
             json.dumps(document.pages), json.dumps(document.ocr_pages)),
        )
        rows = []
        for chunk, vector in zip(chunks, vectors):
            cursor = db.execute(
                'INSERT INTO chunks (doc_id, ordinal, start, "end", text, embedding) VALUES (?, ?, ?, ?, ?, ?)',
                (chunk.doc_id, chunk.ordinal, chunk.start, chunk.end, chunk.text,
                 np.asarray(vector, dtype=np.float32).tobytes()),
            )
            row = cursor.lastrowid
            db.execute(
                "INSERT INTO chunk_terms (rowid, stem, pref, word) VALUES (?, ?, ?, ?)",
                (row, " ".join(stems(chunk.text, document.language)), " ".join(prefixes(chunk.text)),
                 " ".join(words(chunk.text))),
            )
            rows.append(row)
        return rows

    @staticmethod
    def set_meta(db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # --- reads for retrieval ----------------------------------------------------------------

    def all_vectors(self, dimension: int) -> tuple[np.ndarray, np.ndarray]:
        rows = self.db.execute("SELECT id, embedding FROM chunks ORDER BY id").fetchall()
        ids = np.array([r for r, _ in rows], dtype=np.int64)
        vectors = np.frombuffer(b"".join(v for _, v in rows), dtype=np.float32).reshape(len(rows), dimension)
        return ids, vectors

    def chunks(self, rows: Iterable[int]) -> dict[int, tuple]:
        """row -> (doc_id, source, start, end, text, language); deleted rows are absent."""
        rows = list(rows)
        if not rows:
            return {}
        marks = ",".join("?" * len(rows))
        found = self.db.execute(
            f"""SELECT c.id, c.doc_id, d.source, c.start, c."end", c.text, d.language
                FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE c.id IN ({marks})""",
            rows,
        )
        return {r[0]: r[1:] for r in found}

    def lexical_search(self, expression: str, limit: int, weights: tuple[float, ...],
                       languages: Iterable[str] | None = None) -> list[tuple[int, float]]:
        """(row, score) best first; scores are positive, larger is better. With `languages`, only
        chunks of documents in those languages."""
        if languages is None:
            rows = self.db.execute(
                "SELECT rowid, -bm25(chunk_terms, ?, ?, ?) AS s FROM chunk_terms WHERE chunk_terms MATCH ? "
                "ORDER BY s DESC LIMIT ?",
                (*weights, expression, limit),
            )
        else:
            languages = sorted(languages)
            marks = ",".join("?" * len(languages))
            rows = self.db.execute(
                "SELECT t.rowid, -bm25(chunk_terms, ?, ?, ?) AS s FROM chunk_terms t "
                "JOIN chunks c ON c.id = t.rowid JOIN documents d ON d.doc_id = c.doc_id "
                f"WHERE chunk_terms MATCH ? AND d.language IN ({marks}) ORDER BY s DESC LIMIT ?",
                (*weights, expression, *languages, limit),
            )
        return [(r, s) for r, s in rows]

    def term_document_counts(self, column: str, terms: Iterable[str]) -> dict[str, int]:
        terms = list(set(terms))
        if not terms:
            return {}
        marks = ",".join("?" * len(terms))
        rows = self.db.execute(
            f"SELECT term, doc FROM chunk_vocab WHERE col = ? AND term IN ({marks})", [column, *terms]
        )
        return dict(rows.fetchall())
