"""RAG_AUDIT_LOG: one JSON line per request with the time, the key's name, the route and the
doc_ids returned or opened; the question only with RAG_LOG_QUESTIONS; a line that cannot be
written withholds the response, loudly."""

from __future__ import annotations

import json
import logging
import time

import pytest

from live_service import CORPUS, KNOWN_QUESTION, assert_error, live, upload
from rag.errors import AuditFailed
from rag.keys import KeyStore
from rag.settings import Settings
from service.app import create_app


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture
def audited(tmp_path):
    def start(**settings):
        store = KeyStore(tmp_path / "index")
        key = store.add("unit-a", read=frozenset({"default"}), write=frozenset({"default"}))
        store.close()
        app = create_app(Settings(index_dir=tmp_path / "index", embedding_model="hash",
                                  audit_log=tmp_path / "audit.jsonl", **settings))
        return live(app, headers={"Authorization": f"Bearer {key}"}), tmp_path / "audit.jsonl"
    return start


def test_each_request_is_one_line_with_its_key_route_and_documents(audited):
    server, path = audited()
    with server as running:
        client = running.client
        added = [d["doc_id"] for d in upload(client, CORPUS).json()["added"]]
        answer = client.post("/ask", json={"question": KNOWN_QUESTION}).json()
        cited = [c["doc_id"] for c in answer["citations"]]
        client.get(f"/documents/{cited[0]}/text")
        client.get("/documents/0123456789abcdef/pages")
        client.get("/documents", headers={"Authorization": "Bearer wrong"})
    start, *requests = lines(path)
    assert start["event"] == "start"
    assert [(r["key"], r["route"], r["status"]) for r in requests] == [
        ("unit-a", "POST /documents", 200), ("unit-a", "POST /ask", 200),
        ("unit-a", "GET /documents/{doc_id}/text", 200), ("unit-a", "GET /documents/{doc_id}/pages", 404),
        (None, "GET /documents", 401)]
    assert sorted(requests[0]["doc_ids"]) == sorted(added)
    assert requests[1]["doc_ids"] == list(dict.fromkeys(cited)) and cited
    assert requests[2]["doc_ids"] == [cited[0]] and requests[3]["doc_ids"] == []
    assert all(r["time"].endswith("+00:00") for r in requests)
    assert KNOWN_QUESTION not in path.read_text("utf-8")  # no question text


def test_an_upload_job_is_its_key_s_line_when_it_starts_and_its_own_line_with_its_documents(audited):
    server, path = audited()
    with server as running:
        client = running.client
        started = client.post("/uploads", files=[("files", (name, text.encode())) for name, text in CORPUS.items()])
        job = started.json()
        while job["state"] not in ("done", "failed"):
            time.sleep(0.05)
            job = client.get(f"/uploads/{job['upload_id']}").json()
    added = [d["doc_id"] for d in job["report"]["added"]]
    assert job["state"] == "done" and len(added) == len(CORPUS)
    _, posted, *after = lines(path)
    assert (posted["key"], posted["route"], posted["status"], posted["doc_ids"]) == ("unit-a", "POST /uploads", 202, [])
    # POST /uploads answers before anything is written: the job says what it wrote when it finishes.
    (finished,) = [line for line in after if line["route"] == "upload job"]
    assert (finished["key"], finished["status"], finished["doc_ids"]) == ("unit-a", 200, added)
    # A poll that returned the report returned its documents.
    polls = [line for line in after if line["route"] == "GET /uploads/{upload_id}"]
    assert polls[-1]["doc_ids"] == added and all(p["doc_ids"] == [] for p in polls[:-1])


def test_the_question_is_kept_only_with_rag_log_questions(audited):
    server, path = audited(log_questions=True)
    with server as running:
        upload(running.client, CORPUS)
        running.client.post("/ask", json={"question": KNOWN_QUESTION})
    asked = [line for line in lines(path) if line.get("route") == "POST /ask"]
    assert [line["question"] for line in asked] == [KNOWN_QUESTION]


def test_a_line_that_cannot_be_written_withholds_the_answer_and_says_so(audited, caplog):
    server, path = audited()
    with server as running:
        upload(running.client, CORPUS)
        path.unlink()
        path.mkdir()  # the file is gone, and a folder stands in its way
        with caplog.at_level(logging.ERROR, logger="service.audit"):
            response = running.client.post("/ask", json={"question": KNOWN_QUESTION})
        detail = assert_error(response, 500, "audit log", "could not be written", "withheld")
        assert "Margaret" not in response.text and "Margaret" not in detail
        assert any("could not be written" in record.getMessage() for record in caplog.records)
        path.rmdir()
        assert running.client.post("/ask", json={"question": KNOWN_QUESTION}).status_code == 200


def test_a_path_that_cannot_be_written_stops_the_start(tmp_path):
    with pytest.raises(AuditFailed, match="could not be written"):
        create_app(Settings(index_dir=tmp_path / "index", embedding_model="hash", audit_log=tmp_path / "no" / "x.log"))
