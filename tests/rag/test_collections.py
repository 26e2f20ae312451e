"""Collections in the index: a source is unique within its collection, a collection is removed
whole, an index of schema 3 is upgraded in place, and a search limited to some collections finds
a full top-k in them however many better passages the others hold."""

from __future__ import annotations

import sqlite3

import pytest

from rag.access import Access
from rag.errors import InvalidInput, NotFound
from rag.schema import make_doc_id

QUESTION = "Who built the lighthouse on Gull Point?"
ANSWER = "The lighthouse on Gull Point was built in 1874 by the engineer Margaret Holloway."


def test_one_source_in_two_collections_is_two_documents(make_engine, files, check):
    engine = make_engine()
    path = files.text("notes.txt", "The lighthouse keeper logged every ship that passed.")
    a = engine.ingest_paths([path], collection="a").added[0]
    b = engine.ingest_paths([path], collection="b").added[0]
    assert (a.collection, b.collection) == ("a", "b") and a.doc_id != b.doc_id
    assert engine.ingest_paths([path], collection="a").unchanged == ["notes.txt"]
    files.text("notes.txt", "The lighthouse keeper logged every storm.")
    replaced = engine.ingest_paths([path], collection="b")
    assert [d.collection for d in replaced.replaced] == ["b"]
    assert engine.index.document(a.doc_id).source == "notes.txt"  # a's copy is untouched
    assert [d.collection for d in engine.documents()] == ["a", "b"]
    assert [d.doc_id for d in engine.documents(["a"])] == [a.doc_id]
    check.consistent(engine)


def test_a_document_outside_the_collections_is_not_found_as_if_missing(make_engine, files):
    engine = make_engine()
    doc = engine.ingest_paths([files.text("secret.txt", ANSWER)], collection="b").added[0]
    for read in (engine.index.document, engine.index.text, engine.index.pages):
        with pytest.raises(NotFound) as hidden:
            read(doc.doc_id, ["a"])
        with pytest.raises(NotFound) as missing:
            read("0123456789abcdef", ["a"])
        assert hidden.value.message.replace(doc.doc_id, "0123456789abcdef") == missing.value.message
    assert engine.index.text(doc.doc_id, ["b"]) == ANSWER


def test_a_collection_is_removed_whole_and_the_others_kept(make_engine, files, check):
    engine = make_engine()
    kept = engine.ingest_paths([files.text("kept.txt", ANSWER)], collection="a").added
    engine.ingest_paths([files.text("gone1.txt", "First."), files.text("gone2.txt", "Second.")], collection="b")
    removed = engine.index.remove_collection("b")
    assert sorted(d.source for d in removed) == ["gone1.txt", "gone2.txt"]
    assert engine.documents() == kept
    assert engine.index.store.collections() == [("a", 1, 1)]
    check.consistent(engine)
    with pytest.raises(NotFound, match="no collection 'b'"):
        engine.index.remove_collection("b")


def test_a_bad_collection_name_is_refused_before_anything_is_read(make_engine, files):
    with pytest.raises(InvalidInput, match="not a collection name"):
        make_engine().ingest_paths([files.text("x.txt", "x")], collection="a,b")


def test_vectors_reopened_from_their_file_keep_each_collection_apart(make_engine, files, index_dir):
    engine = make_engine()
    engine.ingest_paths([files.text("a.txt", ANSWER)], collection="a")
    engine.ingest_paths([files.text("b.txt", ANSWER + " Twice.")], collection="b")
    engine.close()
    reopened = make_engine()
    assert sorted(reopened.index.vectors._parts) == ["a", "b"]
    answer = reopened.ask(QUESTION, collections=frozenset({"a"}))
    assert answer.found and {c.source for c in answer.citations} == {"a.txt"}


def test_an_index_of_schema_3_is_upgraded_in_place_into_the_default_collection(make_engine, files, index_dir, check):
    engine = make_engine()
    before = engine.ingest_paths([files.text("old.txt", ANSWER)]).added[0]
    engine.close()
    # What schema 3 looked like: no collection, and a source unique in the whole index.
    with sqlite3.connect(index_dir / "index.sqlite") as db:
        db.executescript("""
            CREATE TABLE documents_3 (
                doc_id TEXT PRIMARY KEY, source TEXT NOT NULL UNIQUE, content_hash TEXT NOT NULL,
                format TEXT NOT NULL, language TEXT NOT NULL, text TEXT NOT NULL, added_at TEXT NOT NULL,
                pages TEXT NOT NULL DEFAULT '[]', ocr_pages TEXT NOT NULL DEFAULT '[]');
            INSERT INTO documents_3 SELECT doc_id, source, content_hash, format, language, text, added_at, pages,
                ocr_pages FROM documents;
            DROP TABLE documents;
            ALTER TABLE documents_3 RENAME TO documents;
            UPDATE meta SET value = '3' WHERE key = 'schema';""")
    upgraded = make_engine()
    assert upgraded.index.store.meta("schema") == "5"
    assert upgraded.index.store.db.execute(  # made again on the copied table
        "SELECT 1 FROM sqlite_master WHERE name = 'documents_language'").fetchone()
    (after,) = upgraded.documents()
    assert after.collection == "default" and after.doc_id == before.doc_id == make_doc_id("old.txt", ANSWER)
    check.consistent(upgraded)
    assert upgraded.ask(QUESTION).found
    # The same source may now go into another collection too.
    assert upgraded.ingest_paths([files.path("old.txt")], collection="other").added


def test_a_conversation_is_continued_only_by_its_owner(make_engine, files):
    engine = make_engine()
    engine.ingest_paths([files.text("a.txt", ANSWER)])
    started = engine.ask(QUESTION, owner="key-a")
    with pytest.raises(NotFound) as other:
        engine.ask("And when?", conversation_id=started.conversation_id, owner="key-b")
    with pytest.raises(NotFound) as unknown:
        engine.ask("And when?", conversation_id="f" * 32, owner="key-b")
    assert other.value.message.replace(started.conversation_id, "f" * 32) == unknown.value.message
    assert engine.ask("And when?", conversation_id=started.conversation_id, owner="key-a").found


def test_access_searches_what_it_may_read_and_names_nothing_else():
    access = Access("k", frozenset({"a", "b", "empty"}), frozenset({"a"}))
    existing = lambda: {"a", "b", "c"}  # noqa: E731
    assert access.searched(None, existing) == {"a", "b", "empty"} and access.searched(["b"], existing) == {"b"}
    assert access.can_write("a") and not access.can_write("b")
    with pytest.raises(NotFound) as unreadable:
        access.searched(["c"], existing)
    with pytest.raises(NotFound) as misspelt:
        access.searched(["empty"], existing)
    assert unreadable.value.message.replace("'c'", "'empty'") == misspelt.value.message
    with pytest.raises(InvalidInput):
        access.searched(["not a name"], existing)
    assert Access.everything(None).searched(None, existing) is None


# --- filtering before ranking, with the real model -----------------------------------------------

@pytest.fixture(scope="module")
def crowded(tmp_path_factory, real_embedder):
    """1,000 one-chunk documents in B, each closer to the question than anything in A; 10 in A.
    Written as parsed text (Engine.write): the parser processes are tested elsewhere."""
    from rag.engine import Engine
    from rag.parsing import Parsed
    from rag.schema import IngestReport
    from rag.settings import Settings

    b = [Parsed(f"b{n:04d}.txt", "txt", f"Who built the lighthouse on Gull Point? Minute {n}.") for n in range(1000)]
    a = [Parsed(f"a{n:04d}.txt", "txt", f"Lighthouse keepers' rota, week {n}: the lamp was trimmed and the log kept.")
         for n in range(9)] + [Parsed("answer.txt", "txt", ANSWER)]
    engine = Engine(Settings(index_dir=tmp_path_factory.mktemp("crowded"), embedding_model="all-MiniLM-L6-v2",
                             translation="off"), embedder=real_embedder)
    for collection, parsed in (("b", b), ("a", a)):
        engine.write(parsed, IngestReport(), collection=collection)
    assert engine.index.store.collections() == [("a", 10, 10), ("b", 1000, 1000)]
    yield engine
    engine.close()


@pytest.mark.integration
@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
def test_a_question_limited_to_a_gets_a_full_top_k_from_a(crowded, mode):
    query = crowded.analyzer.analyze(QUESTION)
    everywhere = crowded.retriever.retrieve(query, 40, mode)
    # Without the filter B fills every place: filtering after ranking would have left A nothing.
    assert {hit.source[0] for hit in everywhere} == {"b"}
    hits = crowded.retriever.retrieve(query, 10, mode, frozenset({"a"}))
    assert len(hits) == 10 and {hit.source[0] for hit in hits} == {"a"}
    assert hits[0].source == "answer.txt"


@pytest.mark.integration
def test_the_answer_comes_from_a_however_much_b_holds(crowded):
    answer = crowded.ask(QUESTION, collections=frozenset({"a"}))
    assert answer.found and "Margaret Holloway" in answer.answer
    assert {c.source for c in answer.citations} == {"answer.txt"}
