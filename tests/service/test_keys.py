"""Keys made by `rag keys add` (keys.sqlite beside the index): each request is read with its key's
scopes; revoking takes effect at once; a service started without keys asks for them once some exist."""

from __future__ import annotations

import pytest

from live_service import CORPUS, assert_error, live
from rag.keys import KeyStore
from rag.settings import Settings
from service.app import create_app

QUESTION = "Who built the lighthouse on Gull Point?"


def files(corpus: dict) -> list:
    return [("files", (name, text.encode())) for name, text in corpus.items()]


@pytest.fixture
def scoped(tmp_path):
    """Keys only (no RAG_API_KEY): an admin, a writer of a, a reader of a."""
    store = KeyStore(tmp_path)
    keys = {"admin": store.add("ops", read=frozenset(), write=frozenset(), admin=True),
            "writer": store.add("writer", read=frozenset({"a"}), write=frozenset({"a"})),
            "reader": store.add("reader", read=frozenset({"a"}), write=frozenset())}
    with live(create_app(Settings(index_dir=tmp_path, embedding_model="hash"))) as running:
        running.keys, running.store = keys, store
        yield running
    store.close()


def bearer(key: str) -> dict:
    return {"headers": {"Authorization": f"Bearer {key}"}}


def test_each_key_does_what_its_scopes_allow(scoped):
    client, keys = scoped.client, scoped.keys
    assert_error(client.get("/documents"), 401, "rag keys add")
    added = client.post("/documents", params={"collection": "a"}, files=files(CORPUS), **bearer(keys["writer"]))
    assert added.status_code == 200 and {d["collection"] for d in added.json()["added"]} == {"a"}
    # The default collection is not the writer's.
    assert_error(client.post("/documents", files=files(CORPUS), **bearer(keys["writer"])), 403, "'default'")
    doc_id = added.json()["added"][0]["doc_id"]
    answer = client.post("/ask", json={"question": QUESTION}, **bearer(keys["reader"])).json()
    assert answer["found"] is True
    assert_error(client.delete(f"/documents/{doc_id}", **bearer(keys["reader"])), 403, "may read but not write")
    assert client.get(f"/documents/{doc_id}", **bearer(keys["reader"])).status_code == 200
    assert client.get("/collections", **bearer(keys["reader"])).json() == [
        {"name": "a", "documents": 3, "chunks": 3, "read": True, "write": False}]
    assert client.delete(f"/documents/{doc_id}", **bearer(keys["writer"])).status_code == 200
    assert client.get("/collections", **bearer(keys["admin"])).json() == [
        {"name": "a", "documents": 2, "chunks": 2, "read": True, "write": True},
        {"name": "default", "documents": 0, "chunks": 0, "read": True, "write": True}]


def test_metrics_are_the_admins_and_name_no_document(scoped):
    client, keys = scoped.client, scoped.keys
    client.post("/documents", params={"collection": "a"}, files=files(CORPUS), **bearer(keys["writer"]))
    doc_id = client.get("/documents", **bearer(keys["reader"])).json()[0]["doc_id"]
    client.get(f"/documents/{doc_id}/text", **bearer(keys["reader"]))
    assert_error(client.get("/metrics", **bearer(keys["reader"])), 403, "admin key")
    metrics = client.get("/metrics", **bearer(keys["admin"])).text
    assert 'route="/documents/{doc_id}/text"' in metrics and doc_id not in metrics


def test_a_revoked_key_stops_working_at_once(scoped):
    client, keys = scoped.client, scoped.keys
    assert client.get("/documents", **bearer(keys["reader"])).status_code == 200
    scoped.store.revoke("reader")
    assert_error(client.get("/documents", **bearer(keys["reader"])), 401, "revoked")


def test_a_conversation_belongs_to_the_key_that_started_it(scoped):
    client, keys = scoped.client, scoped.keys
    client.post("/documents", params={"collection": "a"}, files=files(CORPUS), **bearer(keys["writer"]))
    started = client.post("/ask", json={"question": QUESTION}, **bearer(keys["writer"])).json()["conversation_id"]
    follow = {"question": "When was it built?", "conversation_id": started}
    stolen = client.post("/ask", json=follow, **bearer(keys["reader"]))
    unknown = client.post("/ask", json=follow | {"conversation_id": "f" * 32}, **bearer(keys["reader"]))
    assert assert_error(stolen, 404).replace(started, "f" * 32) == assert_error(unknown, 404)
    assert client.post("/ask", json=follow, **bearer(keys["writer"])).status_code == 200


@pytest.mark.parametrize("collections", [[], ["no spaces"], ["a,b"], "a"])
def test_a_bad_collections_field_is_a_422(scoped, collections):
    response = scoped.client.post("/ask", json={"question": QUESTION, "collections": collections},
                                  **bearer(scoped.keys["admin"]))
    assert_error(response, 422, "collections")


def test_a_bad_collection_in_the_query_is_a_422(scoped):
    for response in (scoped.client.get("/documents", params={"collection": "../x"}, **bearer(scoped.keys["admin"])),
                     scoped.client.post("/documents", params={"collection": ""}, files=files(CORPUS),
                                        **bearer(scoped.keys["admin"]))):
        assert_error(response, 422, "collection")


def test_a_service_started_without_keys_asks_for_them_once_one_is_made(tmp_path):
    with live(create_app(Settings(index_dir=tmp_path, embedding_model="hash"))) as running:
        assert running.client.get("/documents").status_code == 200
        store = KeyStore(tmp_path)
        key = store.add("late", read=frozenset({"default"}), write=frozenset())
        store.close()
        assert_error(running.client.get("/documents"), 401, "missing API key")
        assert_error(running.client.get("/documents", headers={"Authorization": "Bearer nope"}), 401, "wrong")
        assert running.client.get("/documents", **bearer(key)).status_code == 200
        assert_error(running.client.post("/documents", files=files(CORPUS), **bearer(key)), 403)
