"""rag.index through the Engine: incremental ingest, replace, remove, the model on record, one writer."""

from __future__ import annotations

from pathlib import Path

import pytest

import rag.index
from rag.embedding import HashEmbedder
from rag.errors import IndexBusy, InvalidInput, ModelMismatch, NotFound
from rag.locking import WriteLock
from rag.markdown import render as render_markdown

TEXTS = {
    "track.txt": ("TRACK4TIP is a three-year initiative implemented by the United Nations Office on Drugs "
                  "and Crime (UNODC).\r\nIt strengthens criminal justice responses to trafficking in persons.\n"),
    "notes/chile.md": ("# Chile\n\nFrom 2 to 6 December, a European expert trained 35 prosecutors and police "
                       "officers in Santiago on the smuggling of migrants.\n"),
    "notes/deep/brasil.txt": ("O Ministério Público Federal do Brasil assinou um acordo de cooperação com a "
                              "Polícia Federal para combater o tráfico de pessoas na fronteira.\n"),
}


def write_corpus(files) -> Path:
    for name, text in TEXTS.items():
        files.text(name, text)
    files.html("web/page.html", "Fiscalía de Chile",
               "<h1>Red de fiscales</h1><p>La Fiscalía Nacional de Chile creó una red de fiscales contra la "
               "trata de personas en 2019.</p>")
    files.pdf("reports/annual.pdf", ["Annual report of the border police.",
                                     "In 2021 the border police rescued 120 victims of human trafficking."])
    files.docx("reports/minutes.docx", ["Minutes of the regional workshop.",
                                        "The workshop in Lima gathered 48 judges from nine countries."],
               table=[["Country", "Judges"], ["Peru", "20"]])
    return files.root


SOURCES = sorted([*TEXTS, "web/page.html", "reports/annual.pdf", "reports/minutes.docx"])


@pytest.fixture
def corpus(files) -> Path:
    return write_corpus(files)


def by_source(engine) -> dict:
    return {d.source: d for d in engine.documents()}


def faiss_files(folder: Path) -> list[str]:
    """The vectors' files: bases, deltas, and any temporary one."""
    return sorted(p.name for p in folder.iterdir() if p.name.lstrip(".").startswith(("vectors.", "delta.")))


# --- first ingest ------------------------------------------------------------------------------


def test_ingest_a_folder_of_every_format(make_engine, corpus, check):
    engine = make_engine()
    report = engine.ingest_paths([corpus])
    assert sorted(d.source for d in report.added) == SOURCES
    assert (report.replaced, report.unchanged, report.skipped) == ([], [], [])
    docs = by_source(engine)
    assert sorted(docs) == SOURCES
    assert {s: d.format for s, d in docs.items()} == {
        "notes/chile.md": "md", "notes/deep/brasil.txt": "txt", "reports/annual.pdf": "pdf",
        "reports/minutes.docx": "docx", "track.txt": "txt", "web/page.html": "html"}
    assert report.chunks == sum(d.chunks for d in docs.values())
    assert sorted(report.added, key=lambda d: d.source) == engine.documents()  # dated, like the listing
    assert all(d.added_at for d in report.added)
    assert report.to_dict()["counts"] == {"added": 6, "replaced": 0, "unchanged": 0, "skipped": 0,
                                          "chunks": report.chunks}
    check.consistent(engine)


def test_text_files_are_stored_exactly_so_citations_hold_against_the_file(make_engine, corpus, check):
    engine = make_engine()
    engine.ingest_paths([corpus])
    docs = by_source(engine)
    for source, text in TEXTS.items():
        stored = engine.index.text(docs[source].doc_id)
        if source.endswith(".txt"):
            assert stored == (corpus / source).read_bytes().decode("utf-8") == text
        else:  # Markdown is stored as the text it renders to: the heading's "# " is markup
            assert stored == text.replace("# Chile", "Chile")
        assert docs[source].chars == len(stored)
    answer = engine.ask("How many prosecutors did the European expert train in December?")
    assert answer.found and answer.citations
    check.citations(engine, answer)
    cited = answer.citations[0]
    assert cited.source == "notes/chile.md"
    assert engine.index.text(cited.doc_id)[cited.start:cited.end] == cited.quote
    assert "35 prosecutors" in cited.quote


def test_documents_are_tagged_with_their_language(make_engine, corpus):
    engine = make_engine()
    engine.ingest_paths([corpus])
    languages = {s: d.language for s, d in by_source(engine).items()}
    assert languages["track.txt"] == "en"
    assert languages["web/page.html"] == "es"
    assert languages["notes/deep/brasil.txt"] == "pt"


def test_a_single_file_is_named_by_its_file_name(make_engine, corpus):
    engine = make_engine()
    report = engine.ingest_paths([corpus / "notes" / "deep" / "brasil.txt"])
    assert [d.source for d in report.added] == ["brasil.txt"]


def test_missing_path_is_invalid_input_and_nothing_is_written(make_engine, corpus):
    engine = make_engine()
    with pytest.raises(InvalidInput, match="no such file or folder"):
        engine.ingest_paths([corpus, corpus / "nope"])
    assert engine.documents() == []


def test_progress_ticks_once_per_file(make_engine, corpus):
    engine = make_engine()
    ticks, totals = [], []
    engine.ingest_paths([corpus], progress=ticks.append, on_total=totals.append)
    assert totals == [len(SOURCES)] and sum(ticks) == len(SOURCES)


# --- bad files are skipped, the rest ingested -------------------------------------------------


def test_bad_files_are_skipped_with_their_reason_and_the_rest_ingested(make_engine, corpus, files, check):
    files.raw("bad/latin1.txt", "Ministério".encode("latin-1"))
    files.raw("bad/corrupt.pdf", b"%PDF-1.4\nthis is not really a pdf")
    files.raw("bad/corrupt.docx", b"PK\x03\x04 truncated")
    files.raw("bad/empty.md", b"")
    files.raw("bad/data.csv", b"a,b\n1,2\n")
    (files.root / "bad" / "dangling.txt").symlink_to(files.root / "bad" / "missing.txt")
    engine = make_engine()
    report = engine.ingest_paths([corpus])
    reasons = {s.source: s.reason for s in report.skipped}
    assert set(reasons) == {"bad/latin1.txt", "bad/corrupt.pdf", "bad/corrupt.docx", "bad/empty.md",
                            "bad/data.csv", "bad/dangling.txt"}
    assert "not UTF-8" in reasons["bad/latin1.txt"]
    assert "corrupt PDF" in reasons["bad/corrupt.pdf"]
    assert "corrupt .docx" in reasons["bad/corrupt.docx"]
    assert reasons["bad/empty.md"] == "empty file"
    assert "unsupported type '.csv'" in reasons["bad/data.csv"]
    assert reasons["bad/dangling.txt"].startswith("unreadable")
    assert sorted(d.source for d in report.added) == SOURCES == sorted(by_source(engine))
    counts = report.to_dict()["counts"]
    assert (counts["added"], counts["skipped"]) == (6, 6)
    assert {"source": "bad/empty.md", "reason": "empty file"} in report.to_dict()["skipped"]
    check.consistent(engine)


def test_two_files_with_the_same_name_in_one_ingest(make_engine, files):
    a = files.text("a/same.txt", "The first file named same.")
    b = files.text("b/same.txt", "The second file named same.")
    engine = make_engine()
    report = engine.ingest_paths([a, b])
    assert [d.source for d in report.added] == ["same.txt"]
    assert [(s.source, s.reason) for s in report.skipped] == [
        ("same.txt", "another file in this ingest has the same name")]
    assert engine.index.text(report.added[0].doc_id) == "The first file named same."


# --- incremental ------------------------------------------------------------------------------


def test_unchanged_documents_do_no_work(make_engine, corpus, counting, index_dir):
    engine = make_engine(embedder=counting)
    engine.ingest_paths([corpus])
    assert counting.calls > 0
    before = (engine.documents(), engine.index.store.generation(), faiss_files(index_dir))
    counting.reset()
    report = engine.ingest_paths([corpus])
    assert sorted(report.unchanged) == SOURCES
    assert (report.added, report.replaced, report.skipped, report.chunks) == ([], [], [], 0)
    assert counting.calls == 0 and counting.texts == []
    assert (engine.documents(), engine.index.store.generation(), faiss_files(index_dir)) == before
    # Also from a fresh process's point of view: a new engine on the same folder.
    counting.reset()
    again = make_engine(embedder=counting).ingest_paths([corpus])
    assert sorted(again.unchanged) == SOURCES and counting.calls == 0


def test_a_changed_document_is_replaced_and_only_it_is_embedded(make_engine, corpus, counting, check):
    engine = make_engine(embedder=counting)
    engine.ingest_paths([corpus])
    old = by_source(engine)["notes/chile.md"]
    counting.reset()
    new_text = "# Chile\n\nIn March, 80 customs officers in Valparaíso learned to detect forged passports.\n"
    (corpus / "notes/chile.md").write_bytes(new_text.encode())
    report = engine.ingest_paths([corpus])
    assert [d.source for d in report.replaced] == ["notes/chile.md"]
    assert sorted(report.unchanged) == sorted(set(SOURCES) - {"notes/chile.md"})
    assert report.added == []
    new = by_source(engine)["notes/chile.md"]
    assert new.doc_id != old.doc_id and new.content_hash != old.content_hash
    assert report.replaced == [new]
    rendered = render_markdown(new_text)  # a .md document is stored as the text it renders to
    assert counting.texts == [rendered.strip()]  # only the changed document's chunks were embedded
    assert engine.index.text(new.doc_id) == rendered
    with pytest.raises(NotFound):
        engine.index.text(old.doc_id)
    assert len(engine.documents()) == len(SOURCES)
    check.consistent(engine)
    answer = engine.ask("How many customs officers learned to detect forged passports?")
    assert answer.found and answer.citations[0].doc_id == new.doc_id
    check.citations(engine, answer)
    assert all(c.doc_id != old.doc_id for c in engine.ask("smuggling of migrants in Santiago").citations)


def test_a_new_file_is_added_next_to_unchanged_ones(make_engine, corpus, files, counting, check):
    engine = make_engine(embedder=counting)
    engine.ingest_paths([corpus])
    counting.reset()
    files.text("notes/new.txt", "A new note about the Conference of the Parties in Vienna.")
    report = engine.ingest_paths([corpus])
    assert [d.source for d in report.added] == ["notes/new.txt"]
    assert len(report.unchanged) == len(SOURCES)
    assert counting.texts == ["A new note about the Conference of the Parties in Vienna."]
    check.consistent(engine)


def test_same_content_under_another_name_is_another_document(make_engine, files):
    files.text("one/a.txt", "Identical text in two places.")
    files.text("two/a.txt", "Identical text in two places.")
    engine = make_engine()
    first = engine.ingest_paths([files.root / "one"]).added[0]
    # Relative to the folder it came from, 'two/a.txt' is also 'a.txt': same source, same text.
    assert engine.ingest_paths([files.root / "two"]).unchanged == ["a.txt"]
    other = engine.ingest_paths([files.root]).added
    assert sorted(d.source for d in other) == ["one/a.txt", "two/a.txt"]
    assert len({first.doc_id, *(d.doc_id for d in other)}) == 3


def test_a_file_that_turns_bad_keeps_its_previous_version(make_engine, corpus):
    engine = make_engine()
    engine.ingest_paths([corpus])
    old = by_source(engine)["track.txt"]
    (corpus / "track.txt").write_bytes("TRACK4TIP é".encode("latin-1"))
    report = engine.ingest_paths([corpus])
    assert [s.source for s in report.skipped] == ["track.txt"]
    assert by_source(engine)["track.txt"] == old


def test_many_groups_commit_in_turn(make_engine, files, monkeypatch, check):
    monkeypatch.setattr(rag.index, "GROUP_CHUNKS", 3)
    for i in range(20):
        files.text(f"d{i:02d}.txt", f"Document {i} mentions workshop number {i} in city {i * 3}.")
    engine = make_engine()
    generation = engine.index.store.generation()
    report = engine.ingest_paths([files.root])
    assert len(report.added) == 20
    assert engine.index.store.generation() - generation == 7  # ceil(20 / 3) groups, one commit each
    check.consistent(engine)


# --- remove -------------------------------------------------------------------------------------


def test_remove_by_id_and_by_source(make_engine, corpus, check):
    engine = make_engine()
    engine.ingest_paths([corpus])
    docs = by_source(engine)
    removed = engine.remove(doc_id=docs["reports/annual.pdf"].doc_id)
    assert removed == docs["reports/annual.pdf"]
    assert engine.remove(source="notes/chile.md") == docs["notes/chile.md"]
    assert sorted(by_source(engine)) == sorted(set(SOURCES) - {"reports/annual.pdf", "notes/chile.md"})
    check.consistent(engine)
    for gone in ("reports/annual.pdf", "notes/chile.md"):
        with pytest.raises(NotFound):
            engine.index.document(docs[gone].doc_id)
    answer = engine.ask("How many victims did the border police rescue in 2021?")
    assert all(c.source != "reports/annual.pdf" for c in answer.citations)
    # Removed documents come back as added on the next ingest of the folder.
    report = engine.ingest_paths([corpus])
    assert sorted(d.source for d in report.added) == ["notes/chile.md", "reports/annual.pdf"]
    check.consistent(engine)


def test_remove_unknown_is_not_found_and_changes_nothing(make_engine, corpus):
    engine = make_engine()
    engine.ingest_paths([corpus])
    generation = engine.index.store.generation()
    with pytest.raises(NotFound, match="no document with id 'feedfacefeedface'"):
        engine.remove(doc_id="feedfacefeedface")
    with pytest.raises(NotFound, match="no document with source 'nope.txt'"):
        engine.remove(source="nope.txt")
    assert engine.index.store.generation() == generation and len(engine.documents()) == len(SOURCES)


def test_remove_everything_leaves_an_empty_working_index(make_engine, corpus, check):
    engine = make_engine()
    engine.ingest_paths([corpus])
    for doc in engine.documents():
        engine.remove(doc_id=doc.doc_id)
    assert engine.documents() == []
    check.consistent(engine)
    assert not engine.ask("Who implements TRACK4TIP?").found


# --- persistence and readers ------------------------------------------------------------------


def test_reopened_index_answers_the_same(make_engine, corpus, index_dir, check):
    engine = make_engine()
    engine.ingest_paths([corpus])
    question = "Who implements TRACK4TIP?"
    first = engine.ask(question)
    engine.close()
    reopened = make_engine()
    assert reopened.documents() == engine.documents()
    assert reopened.ask(question).citations == first.citations
    check.consistent(reopened)


def test_lost_faiss_file_is_rebuilt_from_sqlite(make_engine, corpus, index_dir, check):
    engine = make_engine()
    engine.ingest_paths([corpus])
    expected = engine.ask("Who implements TRACK4TIP?").citations
    engine.close()
    for name in faiss_files(index_dir):
        (index_dir / name).unlink()
    reopened = make_engine()
    check.consistent(reopened)
    assert reopened.ask("Who implements TRACK4TIP?").citations == expected


def test_a_reader_sees_what_a_writer_committed(make_engine, corpus, files):
    reader = make_engine()
    assert not reader.ask("Who implements TRACK4TIP?").found
    writer = make_engine()
    writer.ingest_paths([corpus])
    answer = reader.ask("Who implements TRACK4TIP?")
    assert answer.found and answer.citations[0].source == "track.txt"
    writer.remove(source="track.txt")
    assert all(c.source != "track.txt" for c in reader.ask("Who implements TRACK4TIP?").citations)


# --- the model on record ------------------------------------------------------------------------


class OtherModel(HashEmbedder):
    def __init__(self, dimension: int = 32, name: str = "other-model") -> None:
        super().__init__(dimension=dimension)
        self.name = name


def test_the_model_is_recorded_and_another_one_is_refused(make_engine, corpus, index_dir, check):
    engine = make_engine()
    engine.ingest_paths([corpus])
    assert engine.index.store.meta("model") == "hash"
    assert engine.index.store.meta("dimension") == "64"
    engine.close()
    with pytest.raises(ModelMismatch) as refused:
        make_engine(embedder=OtherModel())
    message = str(refused.value)
    assert "'hash'" in message and "'other-model'" in message and "RAG_EMBEDDING_MODEL" in message
    # The index is untouched and still works with its own model.
    again = make_engine()
    assert sorted(by_source(again)) == SOURCES
    check.consistent(again)
    assert again.ask("Who implements TRACK4TIP?").found


def test_an_emptied_index_takes_another_model(make_engine, corpus, check):
    engine = make_engine()
    engine.ingest_paths([corpus])
    for doc in engine.documents():
        engine.remove(doc_id=doc.doc_id)
    engine.close()
    other = make_engine(embedder=OtherModel(dimension=32))
    report = other.ingest_paths([corpus])
    assert len(report.added) == len(SOURCES)
    assert other.index.store.meta("model") == "other-model"
    assert other.index.store.meta("dimension") == "32"
    check.consistent(other)
    assert other.ask("Who implements TRACK4TIP?").found
    with pytest.raises(ModelMismatch):
        make_engine()


def test_vectors_of_another_size_are_refused_before_writing(make_engine, corpus, files, index_dir, check):
    engine = make_engine()
    engine.ingest_paths([corpus])
    before = engine.documents()
    engine.close()
    files.text("extra.txt", "One more document about the police network.")
    resized = make_engine(embedder=OtherModel(dimension=32, name="hash"))  # same name, other size
    with pytest.raises(ModelMismatch, match="size 64.*size 32"):
        resized.ingest_paths([corpus])
    resized.close()
    with WriteLock(index_dir):  # the failed ingest released the lock
        pass
    intact = make_engine()
    assert intact.documents() == before
    check.consistent(intact)


# --- one writer at a time ---------------------------------------------------------------------


def test_a_second_writer_is_refused_while_one_writes(make_engine, corpus, index_dir, files, check):
    engine = make_engine()
    engine.ingest_paths([corpus])
    before = (engine.documents(), engine.index.store.generation())
    files.text("late.txt", "A document that arrives while someone else writes.")
    with WriteLock(index_dir):
        with pytest.raises(IndexBusy, match="another writer .* is changing the index"):
            engine.ingest_paths([corpus])
        with pytest.raises(IndexBusy):
            engine.remove(source="track.txt")
        # Readers are not blocked.
        assert engine.ask("Who implements TRACK4TIP?").found
        assert (engine.documents(), engine.index.store.generation()) == before
    report = engine.ingest_paths([corpus])
    assert [d.source for d in report.added] == ["late.txt"]
    check.consistent(engine)


# --- the real model -----------------------------------------------------------------------------


@pytest.mark.integration
def test_real_model_ingest_and_answer(make_engine, corpus, real_embedder, check):
    engine = make_engine(embedder=real_embedder)
    report = engine.ingest_paths([corpus])
    assert len(report.added) == len(SOURCES)
    assert engine.index.store.meta("model") == "all-MiniLM-L6-v2"
    assert engine.index.store.meta("dimension") == "384"
    check.consistent(engine)
    answer = engine.ask("Who implements TRACK4TIP?")
    assert answer.found and answer.citations[0].source == "track.txt"
    assert "UNODC" in answer.answer
    check.citations(engine, answer)
    answer = engine.ask("How many judges did the workshop in Lima gather?")
    assert answer.found and any(c.source == "reports/minutes.docx" for c in answer.citations)
    check.citations(engine, answer)
    assert sorted(engine.ingest_paths([corpus]).unchanged) == SOURCES
    engine.close()
    with pytest.raises(ModelMismatch, match="all-MiniLM-L6-v2"):
        make_engine()  # the hash fake


def test_an_index_of_an_older_format_is_refused_with_what_to_do(tmp_path):
    import sqlite3

    from rag.engine import Engine
    from rag.errors import IndexOutdated
    from rag.settings import Settings

    folder = tmp_path / "old"
    engine = Engine(Settings(index_dir=folder, embedding_model="hash"))
    engine.close()
    with sqlite3.connect(folder / "index.sqlite") as db:
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    with pytest.raises(IndexOutdated, match="older version .*rag ingest"):
        Engine(Settings(index_dir=folder, embedding_model="hash"))
