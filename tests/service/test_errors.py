"""Failures and privacy: unexpected errors are a 500 with a reference, questions stay out of the
log unless RAG_LOG_QUESTIONS is true, nothing connects out, a busy index is a 409, and unknown
routes answer in JSON."""

from __future__ import annotations

import logging
import re

import pytest

from live_service import CORPUS, KNOWN_QUESTION, assert_error, no_outbound_connections, upload
from rag.locking import WriteLock

SECRET = "Is Dana's salary review on 12 March confidential?"


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)


@pytest.mark.parametrize("log_questions", [False, True])
def test_an_unexpected_error_is_a_500_with_a_reference_and_the_question_is_withheld(
        serve, monkeypatch, caplog, log_questions):
    caplog.set_level(logging.DEBUG)
    served = serve(log_questions=log_questions)
    upload(served.client, CORPUS)
    engine = served.app.state.engine

    def explode(question: str, **_) -> None:
        raise RuntimeError(f"the index exploded while answering {question!r}")

    with monkeypatch.context() as patch:
        patch.setattr(engine, "ask", explode)
        response = served.client.post("/ask", json={"question": SECRET})

    detail = assert_error(response, 500, "internal error")
    reference = response.json()["reference"]
    assert re.fullmatch(r"[0-9a-f]{12}", reference) and reference in detail
    assert SECRET not in response.text and "exploded" not in response.text
    log = logged(caplog)
    assert reference in log and "RuntimeError" in log
    assert (SECRET in log) is log_questions

    # The service keeps answering, and logs questions only when told to, even refused ones.
    assert served.client.post("/ask", json={"question": SECRET}).status_code == 200
    assert served.client.post("/ask", json={"question": SECRET * 50}).status_code == 422
    assert (SECRET in logged(caplog)) is log_questions
    assert upload(served.client, {"after.txt": "Written after the failure."}).status_code == 200
    assert 'route="/ask",status="500"' in served.client.get("/metrics").text


def test_a_busy_index_is_409_and_questions_are_still_answered(serve, tmp_path):
    served = serve(index_dir=tmp_path / "busy")
    upload(served.client, CORPUS)
    before = served.client.get("/documents").json()
    with WriteLock(tmp_path / "busy"):  # as if `rag ingest` were running in another process
        assert_error(upload(served.client, {"new.txt": "Some new text."}), 409, "another writer")
        assert_error(served.client.delete(f"/documents/{before[0]['doc_id']}"), 409, "another writer")
        assert served.client.post("/ask", json={"question": KNOWN_QUESTION}).json()["found"] is True
    assert served.client.get("/documents").json() == before
    assert upload(served.client, {"new.txt": "Some new text."}).status_code == 200


def test_an_unknown_route_is_a_json_404(client, unharmed):
    assert_error(client.get("/answers"), 404, "/answers", "POST /ask")
    unharmed()


def test_a_wrong_method_is_a_json_405_naming_the_right_one(client, unharmed):
    response = client.get("/ask")
    assert_error(response, 405, "use POST")
    assert response.headers["allow"] == "POST"
    unharmed()


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("PUT", "/documents", "GET, POST"),
    ("PATCH", "/documents/0123456789abcdef", "DELETE, GET"),
    ("OPTIONS", "/documents/0123456789abcdef/text", "GET"),
    ("DELETE", "/healthz", "GET"),
])
def test_a_405_allows_every_method_of_the_path(client, method, path, allowed):
    # GET and POST /documents are two routes; the Allow header and the advice name both.
    response = client.request(method, path)
    assert_error(response, 405, f"use {allowed}")
    assert response.headers["allow"] == allowed


def test_nothing_connects_out_even_with_opentelemetry_configured(serve, monkeypatch):
    # FastAPI exports OpenTelemetry data when these are set, unless the app turns it off.
    monkeypatch.setenv("FASTAPI_OTEL_AUTO_CONFIGURE", "true")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://192.0.2.1:4318")
    with no_outbound_connections() as attempts:
        client = serve().client
        upload(client, CORPUS)
        client.post("/ask", json={"question": KNOWN_QUESTION})
        client.post("/ask", json={"question": ""})
        client.get("/metrics")
    assert attempts == []
