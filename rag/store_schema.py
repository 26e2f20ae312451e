"""The index's SQLite tables, and the in-place upgrades of an index written by an older version.

Versions: 2, the lexical table gained a column of whole (folded, unstemmed) words; 3, documents
gained their pages' spans and OCR pages; 4, documents gained their collection, and a source is
unique within its collection rather than in the whole index; 5, the lexical terms left SQLite's
FTS5 tables for a Tantivy index beside the vectors' files (rag/lexical.py), which the next writer
builds from the chunks.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .errors import IndexOutdated

SCHEMA_VERSION = "5"

_DOCUMENTS = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, collection TEXT NOT NULL DEFAULT 'default', source TEXT NOT NULL,
    content_hash TEXT NOT NULL, format TEXT NOT NULL, language TEXT NOT NULL, text TEXT NOT NULL,
    added_at TEXT NOT NULL, pages TEXT NOT NULL DEFAULT '[]', ocr_pages TEXT NOT NULL DEFAULT '[]',
    UNIQUE (collection, source))
"""

_SCHEMA = _DOCUMENTS + """;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, embedding BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
"""

# Schema 2 to 3: its documents keep their text and simply have no pages, as if read from .txt.
_FROM_2 = """
ALTER TABLE documents ADD COLUMN pages TEXT NOT NULL DEFAULT '[]';
ALTER TABLE documents ADD COLUMN ocr_pages TEXT NOT NULL DEFAULT '[]';
"""

# Schema 3 to 4: every document goes to the default collection, with its id unchanged. SQLite
# cannot drop a UNIQUE constraint in place, so the table is copied. The generation moves on: the
# vectors' file of schema 3 holds one index, not one per collection, and is rebuilt from SQLite.
_FROM_3 = "ALTER TABLE documents RENAME TO documents_3;" + _DOCUMENTS + """;
INSERT INTO documents (doc_id, collection, source, content_hash, format, language, text, added_at, pages,
                       ocr_pages)
    SELECT doc_id, 'default', source, content_hash, format, language, text, added_at, pages, ocr_pages
    FROM documents_3;
DROP TABLE documents_3;
UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation';
"""

# Schema 4 to 5: dropped in the transaction of the upgrade; the lexical index is derived from the
# chunks' text, not from these tables.
_FROM_4 = """
DROP TABLE IF EXISTS chunk_vocab;
DROP TABLE IF EXISTS chunk_terms;
"""

_UPGRADES = {"2": (_FROM_2, "3"), "3": (_FROM_3, "4"), "4": (_FROM_4, "5")}

# Indexes any version may have, made after the upgrades (which may copy a table): not a new
# version, since an older reader of the file is unaffected. `documents(language)` turns listing
# the documents' languages from a scan of every document's text (22.5 ms at 132k chunks) into a
# walk of the index (0.5 ms).
_INDEXES = "CREATE INDEX IF NOT EXISTS documents_language ON documents(language)"


def _run(db: sqlite3.Connection, script: str) -> None:
    for statement in filter(str.strip, script.split(";")):
        db.execute(statement)


def create_or_upgrade(db: sqlite3.Connection, folder: Path) -> None:
    """Creates the tables of a new index, or upgrades an older one in place, in one transaction
    (a connection in autocommit mode); IndexOutdated for a version that cannot be upgraded."""
    db.execute("BEGIN IMMEDIATE")
    try:
        _run(db, _SCHEMA)
        db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        db.execute("INSERT OR IGNORE INTO meta VALUES ('generation', '0')")
        stored = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
        while stored in _UPGRADES:
            script, stored = _UPGRADES[stored]
            _run(db, script)
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (stored,))
        if stored == SCHEMA_VERSION:
            _run(db, _INDEXES)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    if stored != SCHEMA_VERSION:
        raise IndexOutdated(
            f"the index in {folder} was built by an older version (schema {stored}, now {SCHEMA_VERSION}); "
            "move it aside, or point RAG_INDEX_DIR at a new folder, and run 'rag ingest' to rebuild it."
        )
