"""POST /ask with conversation_id: follow-ups, 404 for unknown or expired ids, survival across restarts."""

from __future__ import annotations

from live_service import CORPUS, assert_citations_hold, assert_error, upload


def ask(client, question, conversation_id=None):
    body = {"question": question} | ({"conversation_id": conversation_id} if conversation_id else {})
    response = client.post("/ask", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_every_answer_carries_a_conversation_id(client):
    first = ask(client, "Who built the lighthouse on Gull Point?")
    second = ask(client, "Who built the lighthouse on Gull Point?")
    assert first["conversation_id"] and second["conversation_id"]
    assert first["conversation_id"] != second["conversation_id"]


SHIPS = {"ships.md": "The schooner Albatross was built in 1901 in Valparaíso for the nitrate trade.\n\n"
                    "The steamer Condor was built in 1923 in Glasgow for the coastal mail service.\n"}


def test_a_follow_up_is_understood_through_the_earlier_turn(serve):
    served = serve()
    assert upload(served.client, SHIPS).status_code == 200
    first = ask(served.client, "Where was the steamer Condor built?")
    assert "Glasgow" in first["citations"][0]["quote"]
    follow = ask(served.client, "When was it built?", first["conversation_id"])
    assert follow["conversation_id"] == first["conversation_id"]
    assert follow["found"] is True and "1923" in follow["citations"][0]["quote"]
    assert_citations_hold(served.client, follow)

    other = ask(served.client, "Where was the schooner Albatross built?")
    assert "1901" in ask(served.client, "When was it built?", other["conversation_id"])["citations"][0]["quote"]


def test_unknown_conversation_is_404_with_a_message(client, unharmed):
    assert_error(client.post("/ask", json={"question": "And then?", "conversation_id": "0" * 32}), 404,
                 "unknown or has expired")
    unharmed()


def test_conversations_survive_a_restart_and_expire(serve, tmp_path):
    settings = {"index_dir": tmp_path / "kept"}
    with_docs = serve(**settings)
    assert upload(with_docs.client, CORPUS).status_code == 200
    assert upload(with_docs.client, SHIPS).status_code == 200
    cid = ask(with_docs.client, "Where was the steamer Condor built?")["conversation_id"]

    restarted = serve(**settings)
    assert "1923" in ask(restarted.client, "When was it built?", cid)["citations"][0]["quote"]

    short = serve(**settings, conversation_ttl_hours=1e-9)  # everything is already idle too long
    assert_error(short.client.post("/ask", json={"question": "And?", "conversation_id": cid}), 404, "expired")
