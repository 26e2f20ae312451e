"""RAG_API_KEY: with a key every route but /healthz needs `Authorization: Bearer <key>`."""

from __future__ import annotations

import pytest

from live_service import CORPUS, assert_error, live, upload
from rag.settings import Settings
from service.app import create_app

KEY = "correct horse battery staple"

GUARDED = [
    ("POST", "/ask", {"json": {"question": "Who built the lighthouse?"}}),
    ("GET", "/documents", {}),
    ("POST", "/documents", {"files": {"files": ("new.txt", b"A new document.")}}),
    ("GET", "/documents/0123456789abcdef", {}),
    ("GET", "/documents/0123456789abcdef/text", {}),
    ("DELETE", "/documents/0123456789abcdef", {}),
    ("GET", "/metrics", {}),
]
IDS = [f"{method} {path}" for method, path, _ in GUARDED]


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"), embedding_model="hash", api_key=KEY)
    with live(create_app(settings)) as running:
        assert upload(running.client, CORPUS).status_code == 401
        running.client.headers["Authorization"] = f"Bearer {KEY}"
        assert upload(running.client, CORPUS).status_code == 200
        del running.client.headers["Authorization"]
        yield running.client


def documents(client) -> list[dict]:
    return client.get("/documents", headers={"Authorization": f"Bearer {KEY}"}).json()


@pytest.mark.parametrize("authorization", [None, "Bearer wrong key", f"Bearer {KEY}x", f"Basic {KEY}", KEY,
                                           "Bearer"],
                         ids=["missing", "wrong", "longer", "basic", "no-scheme", "empty"])
@pytest.mark.parametrize(("method", "path", "kwargs"), GUARDED, ids=IDS)
def test_without_the_key_every_guarded_route_is_401(keyed, method, path, kwargs, authorization):
    before = documents(keyed)
    headers = {"Authorization": authorization} if authorization else {}
    response = keyed.request(method, path, headers=headers, **kwargs)
    assert_error(response, 401, "Authorization: Bearer")
    assert response.headers["www-authenticate"] == "Bearer"
    assert documents(keyed) == before


@pytest.mark.parametrize(("method", "path", "kwargs"), GUARDED, ids=IDS)
def test_with_the_key_every_guarded_route_answers(keyed, method, path, kwargs):
    response = keyed.request(method, path, headers={"Authorization": f"Bearer {KEY}"}, **kwargs)
    assert response.status_code in (200, 404), response.text


def test_healthz_never_needs_the_key(keyed):
    assert keyed.get("/healthz").json() == {"status": "ok", "documents": len(documents(keyed)),
                                            "chunks": sum(d["chunks"] for d in documents(keyed))}


def test_with_a_key_the_schema_and_docs_are_not_served(keyed):
    for path in ("/openapi.json", "/docs"):
        assert_error(keyed.get(path, headers={"Authorization": f"Bearer {KEY}"}), 404)


def test_without_a_key_nothing_needs_one(client):
    assert client.post("/ask", json={"question": "Who built the lighthouse?"}).status_code == 200
    assert client.get("/metrics").status_code == 200
    assert client.get("/documents", headers={"Authorization": "Bearer anything"}).status_code == 200
    schema = client.get("/openapi.json").json()
    assert {"/ask", "/documents", "/documents/{doc_id}/text", "/healthz", "/metrics"} <= set(schema["paths"])
