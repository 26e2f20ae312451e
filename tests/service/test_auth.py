"""RAG_API_KEY: with a key every route but the probes and the page needs `Authorization: Bearer <key>`,
and the schema says so."""

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
    ("GET", "/documents/0123456789abcdef/pages", {}),
    ("DELETE", "/documents/0123456789abcdef", {}),
    ("GET", "/metrics", {}),
    ("GET", "/openapi.json", {}),
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


def test_the_probes_never_need_the_key(keyed):
    assert keyed.get("/healthz").json() == {"status": "ok"}
    assert keyed.get("/readyz").json() == {"status": "ready", "documents": len(documents(keyed)),
                                           "chunks": sum(d["chunks"] for d in documents(keyed))}


def test_with_a_key_the_schema_is_served_to_the_key_and_declares_it(keyed):
    schema = keyed.get("/openapi.json", headers={"Authorization": f"Bearer {KEY}"}).json()
    assert schema["components"]["securitySchemes"] == {
        "HTTPBearer": {"type": "http", "scheme": "bearer",
                       "description": "A key made by 'rag keys add', or the one set in RAG_API_KEY."}}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            guarded = path not in ("/healthz", "/readyz")
            assert ("security" in operation) is guarded, (method, path)
            assert ("401" in operation["responses"]) is guarded, (method, path)


def test_with_a_key_the_docs_page_is_not_served(keyed):
    # A browser opening /docs cannot send the key; the schema is at /openapi.json, to the key.
    assert_error(keyed.get("/docs", headers={"Authorization": f"Bearer {KEY}"}), 404)


def test_without_a_key_nothing_needs_one_and_the_schema_asks_for_none(client):
    assert client.post("/ask", json={"question": "Who built the lighthouse?"}).status_code == 200
    assert client.get("/metrics").status_code == 200
    assert client.get("/documents", headers={"Authorization": "Bearer anything"}).status_code == 200
    schema = client.get("/openapi.json").json()
    assert {"/ask", "/documents", "/documents/{doc_id}/text", "/healthz", "/readyz", "/metrics"} <= set(schema["paths"])
    assert "securitySchemes" not in schema.get("components", {})
    assert not any("401" in operation["responses"] or "security" in operation
                   for operations in schema["paths"].values() for operation in operations.values())
