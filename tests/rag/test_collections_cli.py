"""Collections through the CLI, with the real model: --collection limits what is asked, listed,
read and removed; rag collections lists and removes; rag keys makes, lists and revokes keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.cli import main
from rag.keys import FILE_NAME

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
FACT = "The old lighthouse on Gull Point was built in 1874 by the engineer Margaret Holloway."
QUESTION = "Who built the lighthouse on Gull Point?"
ABSENT = "0123456789abcdef"


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    """Seeds in collection a; the seeds and the fact in b."""
    folder = tmp_path_factory.mktemp("cli")
    extra = folder / "b-only"
    extra.mkdir()
    (extra / "harbour.txt").write_text(FACT, "utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAG_INDEX_DIR", str(folder / "index"))
        patch.setenv("RAG_EMBEDDING_MODEL", "all-MiniLM-L6-v2")
        for collection, paths in (("a", [SEEDS]), ("b", [SEEDS, extra])):
            report = run("ingest", *map(str, paths), "--collection", collection, "--json")
            assert json.loads(report.stdout)["counts"]["added"] == len(list(SEEDS.iterdir())) + (collection == "b")
    return folder / "index"


@pytest.fixture
def cli(index, monkeypatch):
    monkeypatch.setenv("RAG_INDEX_DIR", str(index))
    monkeypatch.setenv("RAG_EMBEDDING_MODEL", "all-MiniLM-L6-v2")


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def docs(*args) -> list[dict]:
    return json.loads(run("docs", "--json", *args).stdout)


def test_asking_collection_a_does_not_find_what_only_b_holds(cli):
    refused = json.loads(run("ask", QUESTION, "--collection", "a", "--json").stdout)
    assert refused["found"] is False and refused["citations"] == []
    answered = json.loads(run("ask", QUESTION, "--collection", "b", "--json").stdout)
    assert answered["found"] is True and "Margaret Holloway" in answered["answer"]
    b_ids = {d["doc_id"] for d in docs("--collection", "b")}
    assert {c["doc_id"] for c in answered["citations"]} <= b_ids
    # Repeated: both collections are searched.
    both = json.loads(run("ask", QUESTION, "--collection", "a", "--collection", "b", "--json").stdout)
    assert both["found"] is True


def test_a_b_document_is_not_found_in_collection_a_like_a_missing_one(cli):
    (fact,) = [d for d in docs("--collection", "b") if d["source"] == "harbour.txt"]
    assert {d["collection"] for d in docs("--collection", "a")} == {"a"}
    assert fact["doc_id"] not in {d["doc_id"] for d in docs("--collection", "a")}
    for command in ("text", "remove"):
        hidden = run(command, fact["doc_id"], "--collection", "a")
        missing = run(command, ABSENT, "--collection", "a")
        assert hidden.exit_code == missing.exit_code == 1
        assert hidden.stderr.replace(fact["doc_id"], ABSENT) == missing.stderr
        assert hidden.stderr.startswith("error: no document with id")
    assert run("text", fact["doc_id"], "--collection", "b").stdout.startswith(FACT)
    # A source both collections hold needs its collection named.
    shared = run("text", "004_3859dbde07010b13.txt")
    assert shared.exit_code == 2 and "collections a, b" in shared.stderr


def test_a_collection_without_documents_is_not_found(cli):
    for args in (["ask", QUESTION], ["docs"]):
        result = run(*args, "--collection", "nothing")
        assert result.exit_code == 1 and "no collection 'nothing'" in result.stderr


def test_a_bad_collection_name_is_a_usage_error(cli):
    for args in (["ingest", str(SEEDS)], ["ask", QUESTION], ["docs"]):
        result = run(*args, "--collection", "no spaces")
        assert result.exit_code == 2 and "is not a collection name" in result.stderr


def test_collections_are_listed_with_counts_and_removed_after_confirmation(cli, tmp_path):
    listed = {c["name"]: c for c in json.loads(run("collections", "--json").stdout)}
    assert set(listed) == {"a", "b"} and listed["b"]["documents"] == listed["a"]["documents"] + 1
    assert "COLLECTION" in run("collections").stdout
    kept = run("collections", "remove", "a", input="n\n")
    assert kept.exit_code == 1 and "Aborted" in kept.stderr
    assert len(docs("--collection", "a")) == listed["a"]["documents"]
    missing = run("collections", "remove", "nothing", "--yes")
    assert missing.exit_code == 1 and "no collection 'nothing'" in missing.stderr


def test_keys_are_printed_once_and_kept_as_hashes(cli, index):
    made = json.loads(run("keys", "add", "unit-a", "--read", "a,default", "--write", "a", "--json").stdout)
    assert made["key"].startswith("rag_") and made["read"] == ["a", "default"] and made["write"] == ["a"]
    assert made["key"].encode() not in (index / FILE_NAME).read_bytes()
    listed = run("keys", "list", "--json").stdout
    assert made["key"] not in listed
    assert json.loads(listed) == [{"name": "unit-a", "read": ["a", "default"], "write": ["a"], "admin": False,
                                   "created": json.loads(listed)[0]["created"]}]
    again = run("keys", "add", "unit-a", "--read", "a")
    assert again.exit_code == 2 and "exists" in again.stderr
    assert run("keys", "add", "nothing-to-do").exit_code == 2
    assert run("keys", "add", "bad", "--read", "a b").exit_code == 2
    assert "revoked key unit-a" in run("keys", "revoke", "unit-a").stdout
    assert run("keys", "revoke", "unit-a").exit_code == 1
    assert "no keys" in run("keys", "list").stdout
