"""POST /ask over the small corpus: the answer's exact shape, and every kind of bad input."""

from __future__ import annotations

import pytest

from live_service import KNOWN_QUESTION, assert_citations_hold, assert_error

ANSWER_FIELDS = {"question", "answer", "answer_gloss", "found", "language", "citations", "took_ms", "conversation_id"}
CITATION_FIELDS = {"doc_id", "source", "start", "end", "quote", "score", "language", "gloss", "page"}


def test_answer_has_the_exact_shape_and_cites_exact_offsets(client):
    response = client.post("/ask", json={"question": KNOWN_QUESTION})
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == ANSWER_FIELDS
    assert answer["found"] is True and answer["language"] == "en"
    assert "Margaret Holloway" in answer["answer"]
    assert answer["citations"] and all(set(c) == CITATION_FIELDS for c in answer["citations"])
    assert answer["citations"][0]["source"] == "lighthouse.md"
    assert_citations_hold(client, answer)


@pytest.mark.parametrize(("question", "language", "source"), [
    ("¿Qué lleva la tortilla de patatas?", "es", "recetas.txt"),
    ("Quem criou o projeto Rio Limpo?", "pt", "projeto.txt"),
])
def test_answers_in_spanish_and_portuguese(client, question, language, source):
    answer = client.post("/ask", json={"question": question}).json()
    assert answer["language"] == language
    assert answer["found"] is True and answer["citations"][0]["source"] == source
    assert_citations_hold(client, answer)


def test_top_k_is_accepted_and_the_question_is_trimmed(client):
    answer = client.post("/ask", json={"question": f"  {KNOWN_QUESTION}\n", "top_k": 1}).json()
    assert answer["question"] == KNOWN_QUESTION and answer["found"] is True


def test_a_question_of_exactly_the_limit_is_answered(client):
    question = (KNOWN_QUESTION + " ") * 60
    response = client.post("/ask", json={"question": question[:2000]})
    assert response.status_code == 200


def test_an_unknown_topic_is_not_found(client):
    answer = client.post("/ask", json={"question": "What is the airspeed velocity of a swallow?"}).json()
    assert answer["found"] is False and answer["citations"] == []


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(("request_kwargs", "status", "fragment"), [
    ({"json": {"question": ""}}, 422, "'question'"),
    ({"json": {"question": "   \n\t"}}, 422, "'question'"),
    ({"json": {"question": "x" * 2001}}, 422, "at most 2000 characters"),
    ({"json": {"question": 123}}, 422, "valid string"),
    ({"json": {"question": None}}, 422, "valid string"),
    ({"json": {"question": "ok?", "top_k": "5"}}, 422, "'top_k'"),
    ({"json": {"question": "ok?", "top_k": 0}}, 422, "'top_k'"),
    ({"json": {"question": "ok?", "top_k": 51}}, 422, "'top_k'"),
    ({"json": {"question": "ok?", "top_k": 2.5}}, 422, "'top_k'"),
    ({"json": {"question": "ok?", "session": "c1"}}, 422, "unknown field 'session'"),
    ({"json": {"question": "ok?", "conversation_id": "c" * 65}}, 422, "'conversation_id'"),
    ({"json": {"question": "ok?", "conversation_id": 7}}, 422, "'conversation_id'"),
    ({"json": {"top_k": 3}}, 422, "'question' is required"),
    ({"json": ["Who built it?"]}, 422, "must be a JSON object"),
    ({"json": "Who built it?"}, 422, "must be a JSON object"),
    ({"content": b'{"question": "unterminated', "headers": JSON}, 422, "not valid JSON"),
    ({"content": b"", "headers": JSON}, 422, "no body"),
    ({"content": b"question=hi", "headers": {"content-type": "application/x-www-form-urlencoded"}}, 422,
     "must be a JSON object"),
    ({"json": {"question": "x" * 100_000}}, 413, "at most 2000 characters"),
], ids=["empty", "blank", "too-long", "number", "null", "top_k-string", "top_k-0", "top_k-51", "top_k-float",
        "extra-field", "conversation-id-too-long", "conversation-id-number", "missing-question", "array", "string", "malformed-json", "no-body", "form-encoded",
        "huge-body"])
def test_bad_input_is_a_4xx_with_a_message_and_harms_nothing(client, unharmed, request_kwargs, status, fragment):
    assert_error(client.post("/ask", **request_kwargs), status, fragment)
    unharmed()


def test_validation_errors_list_the_fields_without_echoing_the_input(client):
    body = client.post("/ask", json={"question": "secret " * 400}).json()
    assert body["errors"] == [{"loc": ["body", "question"], "msg": "String should have at most 2000 characters",
                               "type": "string_too_long"}]
    assert "secret" not in body["detail"]


def test_an_empty_index_answers_how_to_add_documents(serve):
    answer = serve().client.post("/ask", json={"question": "¿Quién implementa TRACK4TIP?"}).json()
    assert answer["found"] is False and answer["citations"] == [] and answer["language"] == "es"
    assert answer["answer"].startswith("El índice aún no tiene documentos") and "Subir" in answer["answer"]
