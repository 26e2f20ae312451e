"""`rag collections move`, with the real model: every document of a collection goes to another in
one transaction, with the ids it would have had there, searchable there at once; a source the
target already holds is refused, and keys keep the scopes they were given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.cli import main
from rag.engine import Engine
from rag.schema import make_doc_id
from rag.settings import Settings

FACT = "The old lighthouse on Gull Point was built in 1874 by the engineer Margaret Holloway."
QUESTION = "Who built the lighthouse on Gull Point?"
OTHER = "The harbour master keeps the tide tables for the fishing fleet."


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def docs(collection: str) -> dict[str, dict]:
    return {d["source"]: d for d in json.loads(run("docs", "--json", "--collection", collection).stdout)}


@pytest.fixture
def folders(tmp_path, monkeypatch) -> dict[str, Path]:
    """Collection a: the fact and a note; collection b: a note of the same name."""
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_EMBEDDING_MODEL", "all-MiniLM-L6-v2")
    made = {}
    for name, files in (("a", {"lighthouse.txt": FACT, "note.txt": OTHER}), ("b", {"note.txt": OTHER})):
        made[name] = tmp_path / name
        made[name].mkdir()
        for source, text in files.items():
            (made[name] / source).write_text(text, "utf-8")
        assert run("ingest", str(made[name]), "--collection", name).exit_code == 0
    return made


def test_a_collection_moves_with_new_ids_and_answers_from_its_new_name(folders):
    assert run("keys", "add", "reader-a", "--read", "a").exit_code == 0
    before = docs("a")
    moved = run("collections", "move", "a", "c", "--yes", "--json")
    assert moved.exit_code == 0, moved.stderr
    report = json.loads(moved.stdout)
    assert report["keys_naming_old"] == ["reader-a"]  # told, not widened
    after = docs("c")
    assert set(after) == set(before) and {d["collection"] for d in after.values()} == {"c"}
    for source, info in after.items():
        assert info["doc_id"] == make_doc_id(source, (folders["a"] / source).read_text("utf-8"), "c")
        assert info["doc_id"] != before[source]["doc_id"]
    assert [c["name"] for c in json.loads(run("collections", "--json").stdout)] == ["b", "c"]
    answer = json.loads(run("ask", QUESTION, "--collection", "c", "--json").stdout)
    assert answer["found"] and answer["citations"][0]["doc_id"] == after["lighthouse.txt"]["doc_id"]
    assert not json.loads(run("ask", QUESTION, "--collection", "b", "--json").stdout)["found"]
    engine = Engine(Settings())  # the vectors moved too: dense search alone finds the fact under c
    try:
        query = engine.analyzer.analyze(QUESTION)
        dense = engine.retriever.retrieve(query, 5, "dense", collections={"c"})
        assert dense[0].doc_id == after["lighthouse.txt"]["doc_id"]
        assert engine.retriever.retrieve(query, 5, "dense", collections={"a"}) == []
    finally:
        engine.close()
    # The moved documents are found unchanged where they are now, and their old collection can be
    # filled again: the ids do not clash.
    again = json.loads(run("ingest", str(folders["a"]), "--collection", "c", "--json").stdout)
    assert again["counts"]["unchanged"] == 2 and again["counts"]["added"] == 0
    refilled = json.loads(run("ingest", str(folders["a"]), "--collection", "a", "--json").stdout)
    assert refilled["counts"]["added"] == 2


def test_a_move_into_a_collection_that_holds_documents_reports_only_those_moved(folders):
    assert run("remove", "note.txt", "--collection", "a").exit_code == 0
    moved = json.loads(run("collections", "move", "a", "b", "--yes", "--json").stdout)
    assert [d["source"] for d in moved["moved"]] == ["lighthouse.txt"]
    assert set(docs("b")) == {"lighthouse.txt", "note.txt"}


def test_a_source_the_target_holds_is_refused_and_nothing_moves(folders):
    before = docs("a")
    clash = run("collections", "move", "a", "b", "--yes")
    assert clash.exit_code == 2 and "'b' already holds note.txt" in clash.stderr
    assert docs("a") == before and set(docs("b")) == {"note.txt"}


def test_a_move_asks_first_and_refuses_what_cannot_move(folders):
    kept = run("collections", "move", "a", "c", input="n\n")
    assert kept.exit_code == 1 and "Aborted" in kept.stderr and set(docs("a")) == {"lighthouse.txt", "note.txt"}
    missing = run("collections", "move", "nothing", "c", "--yes")
    assert missing.exit_code == 1 and "no collection 'nothing'" in missing.stderr
    same = run("collections", "move", "a", "a", "--yes")
    assert same.exit_code == 2 and "already where it would move" in same.stderr
    assert run("collections", "move", "a", "no spaces", "--yes").exit_code == 2
