"""/ask: acknowledged at once, answered to the asker alone (through the response URL), with a
button that posts the answer to the channel."""

from __future__ import annotations

import threading
import time

from checks import answer_text, assert_citations_hold, buttons, citations, question_id
from fake_slack import USER

from service.slack.blocks import HELPFUL, NOT_HELPFUL, POST_TO_CHANNEL, how_to_ask


def command(slack, text: str, *, response: str = "command", **send) -> dict:
    """Sends /ask; returns what the bot sent to the command's response URL."""
    acked = slack.send.command(text, response=response, **send)
    assert acked.status_code == 200 and acked.content == b"", acked.text
    calls = slack.fake.wait_for(lambda calls: any(c.path == f"/response/{response}" for c in calls))
    return next(c.params for c in calls if c.path == f"/response/{response}")


def test_the_command_answers_the_asker_alone_with_citations_and_a_post_button(slack):
    answered = command(slack, "Who built the lighthouse on Gull Point?")
    assert answered["response_type"] == "ephemeral" and answered["replace_original"] is False
    assert "Margaret Holloway" in answered["text"] and "Margaret Holloway" in answer_text(answered["blocks"])
    assert_citations_hold(slack.client, answered["blocks"])
    assert list(buttons(answered["blocks"])) == [POST_TO_CHANNEL, HELPFUL, NOT_HELPFUL]
    assert slack.fake.of("chat.postMessage", "chat.postEphemeral") == []  # nothing public


def test_post_to_channel_shows_the_answer_to_everyone_and_removes_the_private_one(slack):
    answered = command(slack, "Where was the steamer Condor built?", response="private")
    qid = question_id(answered["blocks"])
    assert slack.send.click(POST_TO_CHANNEL, qid, response="private", ephemeral=True).status_code == 200
    calls = slack.fake.wait_for(lambda calls: sum(c.path == "/response/private" for c in calls) >= 3)
    _, public, removal = [c.params for c in calls if c.path == "/response/private"]
    assert public["response_type"] == "in_channel" and public["replace_original"] is False
    blocks = public["blocks"]
    assert blocks[0]["type"] == "context"
    assert blocks[0]["elements"][0]["text"] == f"<@{USER}> asked: Where was the steamer Condor built?"
    assert citations(blocks) == citations(answered["blocks"])
    assert list(buttons(blocks)) == [HELPFUL, NOT_HELPFUL] and question_id(blocks) == qid
    assert removal["delete_original"] is True


def test_an_empty_command_is_answered_at_once_with_how_to_ask(slack):
    acked = slack.send.command("   ")
    assert acked.status_code == 200 and acked.text == how_to_ask("command")  # shown to the asker alone
    command(slack, "Who built the lighthouse on Gull Point?", response="after")
    assert [c.path for c in slack.fake.calls] == ["/response/after"]


def test_the_command_says_not_found_in_the_question_language(slack):
    answered = command(slack, "Qual é a velocidade de uma andorinha sem carga?")
    assert answered["text"] == "Não encontrado nos documentos."
    assert citations(answered["blocks"]) == []
    assert list(buttons(answered["blocks"])) == [POST_TO_CHANNEL, HELPFUL, NOT_HELPFUL]
    labels = [e["text"]["text"] for e in answered["blocks"][-1]["elements"]]
    assert labels == ["Publicar no canal", "Útil", "Não útil"]


def test_a_renamed_command_still_asks(slack):
    answered = command(slack, "Who built the lighthouse on Gull Point?", command="/pregunta")
    assert "Margaret Holloway" in answered["text"]


def test_posting_an_unknown_answer_says_so(slack):
    assert slack.send.click(POST_TO_CHANNEL, "0" * 32, response="gone", ephemeral=True).status_code == 200
    said = slack.fake.wait_for_posts(1, "response_url")[0].params
    assert said["response_type"] == "ephemeral" and "unknown or older than" in said["text"]


def test_the_command_is_acknowledged_before_it_is_answered(slack, monkeypatch):
    engine = slack.app.state.engine
    opened, entered, ask = threading.Event(), threading.Event(), engine.ask

    def held(*args, **kwargs):
        entered.set()
        assert opened.wait(30)
        return ask(*args, **kwargs)

    monkeypatch.setattr(engine, "ask", held)
    started = time.perf_counter()
    acked = slack.send.command("Who built the lighthouse on Gull Point?", response="held")
    assert acked.status_code == 200 and time.perf_counter() - started < 2
    assert entered.wait(10) and slack.fake.calls == []
    opened.set()
    assert "Margaret Holloway" in slack.fake.wait_for_posts(1, "response_url")[0].params["text"]
