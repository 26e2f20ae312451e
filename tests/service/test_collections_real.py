"""Two collections and two keys, with the real model behind a real server: a fact only in B is
not found with key A and answered with key B; B's documents do not exist for key A; no citation
crosses collections with twenty clients asking at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from live_service import assert_error, live
from rag.settings import BUNDLED_MODEL
from service.app import create_app
from two_collections import FACT, FACT_QUESTION, Holder, ask_under_load, fill, keyed_settings

pytestmark = pytest.mark.integration

ABSENT = "0123456789abcdef"


@pytest.fixture(scope="module")
def two(tmp_path_factory) -> Iterator[tuple]:
    settings, keys = keyed_settings(tmp_path_factory.mktemp("index"), embedding_model=BUNDLED_MODEL)
    with live(create_app(settings), headers={"Authorization": f"Bearer {settings.api_key}"}) as running:
        holders = fill(running.client, keys)
        yield running.client, holders["a"], holders["b"]


def as_key(holder: Holder) -> dict:
    return {"headers": holder.headers}


def fact_doc_id(client, b: Holder) -> str:
    (doc,) = [d for d in client.get("/documents", **as_key(b)).json() if d["source"] in FACT]
    return doc["doc_id"]


def test_a_fact_only_in_b_is_not_found_with_key_a_and_answered_with_key_b(two):
    client, a, b = two
    refused = client.post("/ask", json={"question": FACT_QUESTION}, **as_key(a)).json()
    assert refused["found"] is False and refused["citations"] == []
    assert refused["answer"] == "Not found in the documents."
    answered = client.post("/ask", json={"question": FACT_QUESTION}, **as_key(b)).json()
    assert answered["found"] is True and "Margaret Holloway" in answered["answer"]
    assert {c["doc_id"] for c in answered["citations"]} <= b.doc_ids
    for citation in answered["citations"]:  # key B opens its citations
        text = client.get(f"/documents/{citation['doc_id']}/text", **as_key(b)).json()["text"]
        assert text[citation["start"]:citation["end"]] == citation["quote"]


@pytest.mark.parametrize(("method", "path"), [("GET", "/documents/{}/text"), ("GET", "/documents/{}/pages"),
                                              ("DELETE", "/documents/{}"), ("GET", "/documents/{}")])
def test_a_b_document_is_a_404_to_key_a_exactly_like_a_missing_one(two, method, path):
    client, a, b = two
    doc_id = fact_doc_id(client, b)
    hidden = client.request(method, path.format(doc_id), **as_key(a))
    missing = client.request(method, path.format(ABSENT), **as_key(a))
    detail = assert_error(hidden, 404, doc_id)
    assert detail.replace(doc_id, ABSENT) == assert_error(missing, 404, ABSENT)
    assert client.get(f"/documents/{doc_id}/text", **as_key(b)).status_code == 200  # still there for B


def test_key_a_lists_no_b_document_and_a_named_b_is_like_no_collection(two):
    client, a, b = two
    listed = client.get("/documents", **as_key(a)).json()
    assert {d["doc_id"] for d in listed} == a.doc_ids and {d["collection"] for d in listed} == {"a"}
    assert {d["doc_id"] for d in client.get("/documents", params={"collection": "a"}, **as_key(a)).json()} == a.doc_ids
    named_b = client.get("/documents", params={"collection": "b"}, **as_key(a))
    named_nothing = client.get("/documents", params={"collection": "nothing"}, **as_key(a))
    assert assert_error(named_b, 404).replace("'b'", "'nothing'") == assert_error(named_nothing, 404)
    asked_b = client.post("/ask", json={"question": FACT_QUESTION, "collections": ["b"]}, **as_key(a))
    assert_error(asked_b, 404, "no collection 'b'")
    assert [c["name"] for c in client.get("/collections", **as_key(a)).json()] == ["a"]


def test_an_upload_with_key_a_into_b_is_403_and_indexes_nothing(two):
    client, a, b = two
    before = client.get("/documents", **as_key(b)).json()
    response = client.post("/documents", params={"collection": "b"}, **as_key(a),
                           files=[("files", ("planted.txt", b"The lighthouse was built by someone else."))])
    assert_error(response, 403, "may not write to collection 'b'")
    assert client.get("/documents", **as_key(b)).json() == before


def test_a_source_is_unique_within_its_collection_only(two):
    client, a, b = two
    by_a = {d["source"]: d["doc_id"] for d in client.get("/documents", **as_key(a)).json()}
    by_b = {d["source"]: d["doc_id"] for d in client.get("/documents", **as_key(b)).json()}
    shared = set(by_a) & set(by_b)
    assert len(shared) == 5 and all(by_a[s] != by_b[s] for s in shared)


def test_twenty_clients_with_two_keys_for_thirty_seconds_never_cross(two):
    client, a, b = two
    load = ask_under_load(str(client.base_url), [a, b], clients=20, seconds=30)
    assert load.failures == [] and set(load.statuses) == {200}
    assert load.crossings == []
    # Both keys asked, and were answered with citations: the check had something to check.
    assert min(load.answers.values()) > 20 and min(load.citations.values()) > 20
