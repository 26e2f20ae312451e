"""The SQLite half of the index: documents, and chunks with their text and vectors.

SQLite is the source of truth. Every change is one transaction that also bumps `generation`,
so a process killed mid-write leaves the last committed state; the FAISS files and the lexical
index are derived from the vectors and texts stored here, which rebuild them whenever they cannot
give the committed generation.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .schema import Chunk, Document, DocumentInfo
from .sqlite import ThreadConnections
from .generation_cache import GenerationCache
from .lexical import LexicalRow
from .store_schema import create_or_upgrade

# The collections a read is limited to; None: every collection.
Collections = Iterable[str] | None

class Store:
    """Thread-safe access to the SQLite file: one connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connections = ThreadConnections(path, pragmas=("journal_mode=WAL", "synchronous=FULL"),
                                              isolation_level=None)
        self._cache = GenerationCache(self.generation)
        try:
            create_or_upgrade(self.db, path.parent)
        except BaseException:
            self.close()
            raise

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

    def document_hashes(self, collection: str) -> dict[str, tuple[str, str]]:
        """source -> (doc_id, content_hash), in one collection: a source is unique within its own."""
        rows = self.db.execute("SELECT source, doc_id, content_hash FROM documents WHERE collection = ?",
                               (collection,))
        return {source: (doc_id, digest) for source, doc_id, digest in rows}

    def documents(self, collections: Collections = None) -> list[DocumentInfo]:
        where, params = _within("d.collection", collections)
        return self._infos(f"WHERE {where}", params)

    def document(self, doc_id: str) -> DocumentInfo | None:
        return next(iter(self._infos("WHERE d.doc_id = ?", (doc_id,))), None)

    def document_by_source(self, source: str, collection: str) -> DocumentInfo | None:
        return next(iter(self._infos("WHERE d.collection = ? AND d.source = ?", (collection, source))), None)

    def _infos(self, where: str, params: tuple) -> list[DocumentInfo]:
        """One document's details come from its own row, not from aggregating the whole table."""
        rows = self.db.execute(
            f"""SELECT d.doc_id, d.source, d.format, d.language, length(d.text), COUNT(c.id),
                       d.content_hash, d.added_at, d.ocr_pages, d.collection
                FROM documents d LEFT JOIN chunks c ON c.doc_id = d.doc_id
                {where} GROUP BY d.doc_id ORDER BY d.collection, d.source""",
            params,
        )
        return [DocumentInfo(*row[:-2], tuple(json.loads(row[-2])), row[-1]) for row in rows]

    def collections(self) -> list[tuple[str, int, int]]:
        """(name, documents, chunks) of every collection that holds a document, by name."""
        return self.db.execute(
            """SELECT d.collection, COUNT(DISTINCT d.doc_id), COUNT(c.id)
               FROM documents d LEFT JOIN chunks c ON c.doc_id = d.doc_id
               GROUP BY d.collection ORDER BY d.collection""").fetchall()

    def collection_names(self) -> set[str]:
        return {name for (name,) in self.db.execute("SELECT DISTINCT collection FROM documents")}

    def text(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def pages(self, doc_id: str) -> tuple[tuple[int, int], ...] | None:
        """Each page's (start, end) in the document's text; None when there is no such document."""
        row = self.db.execute("SELECT pages FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return tuple((start, end) for start, end in json.loads(row[0])) if row else None

    # The reads below run for every question: their answers are kept until the next commit.

    def count(self) -> tuple[int, int]:
        def counted() -> tuple[int, int]:
            docs = self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            chunks = self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
            return docs, chunks

        return self._cache.get("count", counted)

    def is_empty(self, collections: Collections = None) -> bool:
        where, params = _within("collection", collections)
        return self._cache.get(("is_empty", where, params), lambda: self.db.execute(
            f"SELECT NOT EXISTS (SELECT 1 FROM documents WHERE {where})", params).fetchone()[0] == 1)

    def languages(self, collections: Collections = None) -> frozenset[str]:
        where, params = _within("collection", collections)
        return self._cache.get(("languages", where, params), lambda: frozenset(
            lang for (lang,) in self.db.execute(f"SELECT DISTINCT language FROM documents WHERE {where}", params)))

    # --- writes (inside `write()`) ----------------------------------------------------------

    @staticmethod
    def delete_document(db: sqlite3.Connection, doc_id: str) -> list[int]:
        rows = [r for (r,) in db.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,))]
        db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        return rows

    @staticmethod
    def move_documents(db: sqlite3.Connection, renamed: list[tuple[str, str]], collection: str,
                       dimension: int) -> tuple[list[int], np.ndarray]:
        """Puts documents (old doc_id, new doc_id) into a collection; their chunks keep their rows,
        returned with their vectors."""
        db.executemany("UPDATE documents SET doc_id = ?, collection = ? WHERE doc_id = ?",
                       ((new, collection, old) for old, new in renamed))
        db.executemany("UPDATE chunks SET doc_id = ? WHERE doc_id = ?", ((new, old) for old, new in renamed))
        moved = [row for _, new in renamed
                 for row in db.execute("SELECT id, embedding FROM chunks WHERE doc_id = ? ORDER BY id", (new,))]
        return [r for r, _ in moved], _unpacked([v for _, v in moved], dimension)

    @staticmethod
    def insert_document(db: sqlite3.Connection, document: Document, chunks: list[Chunk],
                        vectors: np.ndarray) -> list[int]:
        db.execute(
            "INSERT INTO documents (doc_id, collection, source, content_hash, format, language, text, added_at, "
            "pages, ocr_pages) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (document.doc_id, document.collection, document.source, document.content_hash, document.format,
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
            rows.append(cursor.lastrowid)
        return rows

    @staticmethod
    def next_generation(db: sqlite3.Connection) -> int:
        """The generation the open transaction will commit as."""
        return int(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]) + 1

    @staticmethod
    def set_meta(db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # --- reads for retrieval ----------------------------------------------------------------

    def all_vectors(self, dimension: int) -> tuple[np.ndarray, list[str], np.ndarray]:
        """Every chunk's row, collection and vector, by row."""
        rows = self.db.execute("SELECT c.id, d.collection, c.embedding FROM chunks c "
                               "JOIN documents d ON d.doc_id = c.doc_id ORDER BY c.id").fetchall()
        ids = np.array([r for r, _, _ in rows], dtype=np.int64)
        vectors = _unpacked([v for _, _, v in rows], dimension)
        return ids, [c for _, c, _ in rows], vectors

    @staticmethod
    def lexical_rows(db: sqlite3.Connection, doc_ids: Iterable[str] | None = None) -> Iterator[LexicalRow]:
        """The chunks of these documents (None: of all), by row, as the lexical index holds them;
        read a batch at a time."""
        where, params = _within("c.doc_id", doc_ids)
        cursor = db.execute(f"SELECT c.id, c.text, d.language, d.collection FROM chunks c "
                            f"JOIN documents d ON d.doc_id = c.doc_id WHERE {where} ORDER BY c.id", params)
        while batch := cursor.fetchmany(1000):
            yield from (LexicalRow(*row) for row in batch)

    def chunks(self, rows: Iterable[int], collections: Collections = None) -> dict[int, tuple]:
        """row -> (doc_id, source, start, end, text, language); deleted rows, and rows outside
        `collections` when given, are absent."""
        rows = list(rows)
        if not rows:
            return {}
        marks = ",".join("?" * len(rows))
        where, params = _within("d.collection", collections)
        found = self.db.execute(
            f"""SELECT c.id, c.doc_id, d.source, c.start, c."end", c.text, d.language
                FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE c.id IN ({marks}) AND {where}""",
            [*rows, *params],
        )
        return {r[0]: r[1:] for r in found}


def _within(column: str, values: Iterable[str] | None) -> tuple[str, tuple[str, ...]]:
    """A WHERE condition that `column` is one of `values` (no condition when None), and its parameters."""
    if values is None:
        return "1", ()
    values = tuple(sorted(values))
    return f"{column} IN ({','.join('?' * len(values))})", values


def _unpacked(blobs: list[bytes], dimension: int) -> np.ndarray:
    """Stored embeddings (float32 bytes each) as one array, a row per blob."""
    return np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), dimension)
