"""Costs that must follow what changes, not the index's size: the vectors' files an ingest writes,
and the answers a question reads again and again, kept until the next commit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import rag.index
from rag import vector_files
from rag.embedding import HashEmbedder

WORDS = ("prosecutor minister police border migrants trafficking network session training workshop report "
         "court victims investigation cooperation agreement judges customs officers region").split()


def write_documents(files, count: int, offset: int = 0) -> Path:
    for n in range(offset, offset + count):
        body = " ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(40))
        files.text(f"docs/doc{n:04d}.txt", f"Office Q{n:04d}Z opened in the city. {body}.")
    return files.root / "docs"


class Writes:
    """Every vectors' file written, by kind, with its size: the real writes, counted on their way."""

    def __init__(self, monkeypatch) -> None:
        self.bases: list[int] = []
        self.deltas: list[int] = []
        write_base, write_delta = vector_files.write_base, vector_files.write_delta
        monkeypatch.setattr(vector_files, "write_base", lambda *a: self._count(self.bases, write_base(*a)))
        monkeypatch.setattr(vector_files, "write_delta", lambda *a: self._count(self.deltas, write_delta(*a)))

    @staticmethod
    def _count(sizes: list[int], size: int) -> int:
        sizes.append(size)
        return size


def base_size(index_dir: Path) -> int:
    return sum(p.stat().st_size for p in index_dir.glob("vectors.*.faiss"))


def test_an_ingest_of_many_groups_writes_the_vectors_a_bounded_number_of_times(
        make_engine, files, index_dir, monkeypatch, check):
    monkeypatch.setattr(rag.index, "GROUP_CHUNKS", 8)  # one group per few documents: many commits
    writes = Writes(monkeypatch)
    engine = make_engine(embedder=HashEmbedder(dimension=384))  # the real models' size of vector
    engine.ingest_paths([write_documents(files, 600)])
    groups = len(writes.deltas)
    assert groups >= 50  # one delta per commit, each the size of its group
    # Bases are folded geometrically: a handful for the whole ingest, not one per group.
    assert len(writes.bases) <= 8, writes.bases
    written = sum(writes.bases) + sum(writes.deltas)
    final = vector_files.write_base(index_dir, engine.index.store.generation(), engine.index.vectors)
    assert written <= 3 * final, (written, final)
    check.consistent(engine)


def test_an_upload_into_a_large_index_writes_what_it_adds(make_engine, files, index_dir, monkeypatch, check):
    engine = make_engine()
    engine.ingest_paths([write_documents(files, 300)])
    before = base_size(index_dir)
    writes = Writes(monkeypatch)
    files.text("late/one.txt", "Office Q9999Z opened late in the harbour district.")
    engine.ingest_paths([files.root / "late"])
    assert writes.bases == [] and len(writes.deltas) == 1
    assert writes.deltas[0] < before / 20  # one small document, not the index
    engine.remove(source="one.txt")
    assert writes.bases == [] and len(writes.deltas) == 2
    check.consistent(engine)


def test_another_process_reader_catches_up_by_the_deltas(make_engine, files, check):
    reader = make_engine()
    writer = make_engine()
    writer.ingest_paths([write_documents(files, 30)])
    vectors = reader.index.vectors
    writer.ingest_paths([write_documents(files, 5, offset=30)])
    assert reader.index.vectors is vectors  # brought up to date in place, not read again whole
    check.consistent(reader)
    answer = reader.ask("Where did office Q0032Z open?")
    assert answer.found and answer.citations[0].source == "doc0032.txt"


def test_a_question_sees_the_languages_of_a_document_just_added_or_removed(make_engine, files):
    engine = make_engine()
    files.text("en/track.txt", "TRACK4TIP is an initiative of the United Nations Office on Drugs and Crime.")
    engine.ingest_paths([files.root / "en"])
    assert engine.index.store.languages() == {"en"}
    assert engine.index.store.count() == (1, 1)
    other = make_engine()  # another writer, as another process would be
    files.text("pt/brasil.txt", "O Ministério Público Federal do Brasil assinou um acordo de cooperação com a "
                                "Polícia Federal para combater o tráfico de pessoas na fronteira.")
    other.ingest_paths([files.root / "pt"])
    assert engine.index.store.languages() == {"en", "pt"}
    assert engine.index.store.count() == (2, 2)
    assert engine.index.lexical.document_counts("word", ["fronteira"]) == {"fronteira": 1}
    answer = engine.ask("Quem assinou um acordo com a Polícia Federal?")
    assert answer.found and answer.citations[0].source == "brasil.txt"
    other.remove(source="brasil.txt")
    assert engine.index.store.languages() == {"en"}
    assert engine.index.lexical.document_counts("word", ["fronteira"]) == {}
    assert engine.index.store.count() == (1, 1)


def test_an_index_of_schema_4_gains_the_index_of_languages_on_opening(make_engine, files, index_dir):
    engine = make_engine()
    engine.ingest_paths([files.text("a.txt", "TRACK4TIP is an initiative of the United Nations.")])
    engine.close()
    with sqlite3.connect(index_dir / "index.sqlite") as db:  # as written before it existed
        db.execute("DROP INDEX documents_language")
    reopened = make_engine()
    plan = reopened.index.store.db.execute("EXPLAIN QUERY PLAN SELECT DISTINCT language FROM documents").fetchall()
    assert "documents_language" in str(plan)
    assert reopened.index.store.meta("schema") == "5"
