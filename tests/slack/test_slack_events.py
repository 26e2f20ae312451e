"""Mentions and direct messages, signed and sent over HTTP to the running service; the answers
read back from the fake Slack Web API."""

from __future__ import annotations

import json
import logging
import threading
import time

from checks import answer_text, ask, assert_citations_hold, buttons, citations, unescape
from fake_slack import (
    BOT_TOKEN,
    BOT_USER,
    CHANNEL,
    SIGNING_SECRET,
    direct_message,
    event_body,
    mention,
    signed_headers,
)
from live_service import upload

from service.slack.blocks import HELPFUL, NOT_HELPFUL, how_to_ask


def test_a_mention_is_answered_in_its_thread_with_its_citations(slack):
    event = mention("Who built the lighthouse on Gull Point?")
    posted = ask(slack, event)
    assert posted["channel"] == CHANNEL and posted["thread_ts"] == event["ts"]
    assert "Margaret Holloway" in posted["text"] and "[1]" in posted["text"]
    blocks = posted["blocks"]
    assert "Margaret Holloway" in answer_text(blocks)
    shown = assert_citations_hold(slack.client, blocks)
    assert shown[0].source == "lighthouse.md" and "Margaret Holloway" in shown[0].quote
    assert set(buttons(blocks)) == {HELPFUL, NOT_HELPFUL}
    # The bot's own token, checked once with auth.test, is used for every call.
    assert all(c.headers["authorization"] == f"Bearer {BOT_TOKEN}" for c in slack.fake.calls)


def test_a_follow_up_in_the_thread_is_understood_through_the_earlier_turn(slack):
    first = mention("Where was the steamer Condor built?")
    assert "Glasgow" in citations(ask(slack, first)["blocks"])[0].quote
    follow = mention("When was it built?", thread_ts=first["ts"])
    posted = ask(slack, follow)
    assert posted["thread_ts"] == first["ts"]
    assert "1923" in citations(posted["blocks"])[0].quote

    other = mention("Where was the schooner Albatross built?")
    ask(slack, other)
    assert "1901" in citations(ask(slack, mention("When was it built?", thread_ts=other["ts"]))["blocks"])[0].quote
    # The first thread still has its own subject.
    again = ask(slack, mention("And when was it built?", thread_ts=first["ts"]))
    assert "1923" in citations(again["blocks"])[0].quote


def test_a_direct_message_is_answered_in_its_thread_and_followed_up(slack):
    first = direct_message("Where was the steamer Condor built?")
    posted = ask(slack, first)
    assert posted["channel"] == "D0ALICE" and posted["thread_ts"] == first["ts"]
    assert "Glasgow" in citations(posted["blocks"])[0].quote
    follow = ask(slack, direct_message("When was it built?", thread_ts=first["ts"]))
    assert "1923" in citations(follow["blocks"])[0].quote


def test_what_the_documents_cannot_answer_is_said_plainly_in_the_question_language(slack):
    for question, said in [("What is the airspeed velocity of an unladen swallow?", "Not found in the documents."),
                           ("¿Cuál es la velocidad de una golondrina sin carga?", "No se encontró en los documentos."),
                           ("Qual é a velocidade de uma andorinha sem carga?", "Não encontrado nos documentos.")]:
        posted = ask(slack, mention(question))
        assert posted["text"] == said
        assert answer_text(posted["blocks"]) == said
        assert citations(posted["blocks"]) == []  # no citation blocks, the feedback buttons still
        assert set(buttons(posted["blocks"])) == {HELPFUL, NOT_HELPFUL}


def test_slack_markup_is_read_and_written_as_text(slack, serve_slack):
    # '&', '<', '>' arrive escaped; links and mentions arrive as markup; the answer's quote is escaped back.
    posted = ask(slack, mention("Who built the &lt;lighthouse&gt; on <https://example.org|Gull Point>?"))
    assert "Margaret Holloway" in posted["text"]
    served = serve_slack()
    markup = {"markup.md": "The code A<B & C>D was chosen by the ACME board in 1999.\n"}
    assert upload(served.client, markup).status_code == 200
    posted = ask(served, mention("Which code did the ACME board choose?"))
    assert "A&lt;B &amp; C&gt;D" in posted["text"] and "A<B" not in posted["text"]
    assert unescape(citations(posted["blocks"])[0].quote) == "The code A<B & C>D was chosen by the ACME board in 1999."
    assert_citations_hold(served.client, posted["blocks"])


def test_an_empty_mention_says_how_to_ask(slack):
    event = mention("")
    posted = ask(slack, event)
    assert posted["text"] == how_to_ask("mention") and "blocks" not in posted


def test_a_question_over_the_limit_is_told_so(slack):
    posted = ask(slack, mention("Who built it? " * 200))
    assert posted["text"].startswith("The question has") and "limit is 2000" in posted["text"]


def test_a_question_over_the_limit_is_told_so_in_its_language(slack):
    posted = ask(slack, mention("¿Quién financia la red de fiscales de la región? " * 50))
    assert posted["text"].startswith("La pregunta tiene") and "límite es 2000" in posted["text"]


# --- what Slack must not get through -----------------------------------------------------------------

def sentinel(slack) -> dict:
    """A good question after the bad requests: once its answer is posted, anything the bad
    requests could have caused would have been posted too."""
    return ask(slack, mention("Who built the lighthouse on Gull Point?"))


def test_a_bad_signature_or_a_stale_timestamp_gets_401_and_posts_nothing(slack):
    body = json.dumps(event_body(mention("Who built the lighthouse on Gull Point?")))
    stale = int(time.time()) - 6 * 60
    refused = {
        "wrong secret": signed_headers(body, secret="not-the-secret"),
        "stale timestamp": signed_headers(body, timestamp=stale),
        "future timestamp": signed_headers(body, timestamp=int(time.time()) + 6 * 60),
        "no signature": {"content-type": "application/json", "x-slack-request-timestamp": str(int(time.time()))},
        "body changed": signed_headers(body.replace("lighthouse", "museum")),
    }
    for name, headers in refused.items():
        response = slack.send.post(body, headers)
        assert response.status_code == 401, name
    assert slack.send.post(body, signed_headers(body, timestamp=int(time.time()) - 4 * 60)).status_code == 200
    # Answered in its own listener thread: waited for here, so the sentinel's answer cannot overtake it.
    slack.fake.wait_for_posts(1)
    sentinel(slack)
    posts = slack.fake.of("chat.postMessage")
    assert len(posts) == 2  # the late-but-valid one and the sentinel


def test_a_retry_is_acknowledged_and_posts_nothing_more(slack):
    event = mention("Who built the lighthouse on Gull Point?")
    ask(slack, event, event_id="EvRETRY001")
    for attempt in (1, 2, 3):
        retry = slack.send.event(event, event_id="EvRETRY001",
                                 headers={"x-slack-retry-num": str(attempt), "x-slack-retry-reason": "http_timeout"})
        assert retry.status_code == 200
    # The same event delivered again without the header (as Socket Mode does) is dropped too.
    assert slack.send.event(event, event_id="EvRETRY001").status_code == 200
    sentinel(slack)
    assert [c.params["thread_ts"] for c in slack.fake.of("chat.postMessage")].count(event["ts"]) == 1


def test_concurrent_deliveries_of_one_event_answer_once(slack):
    event = mention("Who built the lighthouse on Gull Point?")
    results = []
    threads = [threading.Thread(target=lambda: results.append(slack.send.event(event, event_id="EvTWICE001")))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in results] == [200] * 4
    # The one answer is posted from a listener thread: waited for, so the sentinel cannot overtake it.
    slack.fake.wait_for_posts(1)
    sentinel(slack)
    assert [c.params["thread_ts"] for c in slack.fake.of("chat.postMessage")].count(event["ts"]) == 1


def test_a_retry_of_an_event_never_received_is_answered(slack):
    # Slack retries when the first delivery failed (the service was down): the asker still gets an answer.
    posted = ask(slack, mention("Who built the lighthouse on Gull Point?"), event_id="EvLOST0001",
                 headers={"x-slack-retry-num": "1", "x-slack-retry-reason": "http_error"})
    assert "Margaret Holloway" in posted["text"]


def test_the_bots_own_messages_and_edits_are_not_answered(slack):
    own = direct_message("Not found in the documents.") | {"bot_id": "B0BOT", "user": BOT_USER}
    edited = direct_message("Who built the lighthouse?") | {"subtype": "message_changed"}
    channel = direct_message("Who built the lighthouse?") | {"channel_type": "channel", "channel": CHANNEL}
    mentioned_in_dm = mention("Who built the lighthouse?", channel="D0ALICE")  # message.im answers it
    for event in (own, edited, channel, mentioned_in_dm):
        assert slack.send.event(event).status_code == 200
    sentinel(slack)
    assert len(slack.fake.of("chat.postMessage")) == 1


def test_the_url_check_is_answered_with_its_challenge(slack):
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"})
    response = slack.send.post(body, signed_headers(body))
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
    assert slack.send.post(body, signed_headers(body, secret="wrong")).status_code == 401


# --- at once, then the answer ------------------------------------------------------------------------

class Gate:
    """Holds the engine's answers until opened: proves Slack's request was answered first."""

    def __init__(self, engine) -> None:
        self.open = threading.Event()
        self.entered = threading.Event()
        self._ask = engine.ask

    def ask(self, *args, **kwargs):
        self.entered.set()
        assert self.open.wait(30)
        return self._ask(*args, **kwargs)


def test_slack_is_answered_at_once_and_the_question_after(slack, monkeypatch):
    engine = slack.app.state.engine
    gate = Gate(engine)
    monkeypatch.setattr(engine, "ask", gate.ask)
    event = mention("Who built the lighthouse on Gull Point?")
    started = time.perf_counter()
    response = slack.send.event(event)
    assert response.status_code == 200 and time.perf_counter() - started < 2
    assert gate.entered.wait(10)  # the question is being answered, after Slack got its 200
    assert slack.fake.of("chat.postMessage") == []
    gate.open.set()
    posted = slack.fake.wait_for_posts(1)[0].params
    assert posted["thread_ts"] == event["ts"] and "Margaret Holloway" in posted["text"]


# --- errors ---------------------------------------------------------------------------------------------

def test_an_error_inside_is_an_apology_with_a_reference_that_is_in_the_log(slack, monkeypatch, caplog):
    question = "Who built the lighthouse on Gull Point?"

    def broken(q, **kwargs):
        raise RuntimeError(f"disk on fire while answering {q!r}")

    monkeypatch.setattr(slack.app.state.engine, "ask", broken)
    caplog.set_level(logging.INFO)
    posted = ask(slack, mention(question))
    assert posted["text"].startswith("Sorry, something went wrong")
    reference = posted["text"].split("`")[1]
    assert len(reference) == 12
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert len(logged) == 1 and logged[0].levelno == logging.ERROR
    assert "disk on fire" in logged[0].getMessage()
    assert question not in caplog.text  # questions stay out of the log (RAG_LOG_QUESTIONS is off)

    posted = ask(slack, mention("¿Quién construyó el faro de Gull Point?"))
    assert posted["text"].startswith("Lo siento") and "`" in posted["text"]


def test_a_message_slack_refuses_is_replaced_by_an_apology(slack):
    slack.fake.refuse = lambda call: "invalid_blocks" if call.params.get("blocks") else None
    event = mention("Who built the lighthouse on Gull Point?")
    assert slack.send.event(event).status_code == 200
    refused, apology = (c.params for c in slack.fake.wait_for_posts(2))
    assert refused["blocks"] and refused["thread_ts"] == apology["thread_ts"] == event["ts"]
    assert apology["text"].startswith("Sorry, something went wrong") and "blocks" not in apology


def test_questions_stay_out_of_the_log(slack, caplog):
    caplog.set_level(logging.DEBUG, logger="service")
    caplog.set_level(logging.INFO, logger="slack_bolt.RequestVerification")  # logs refused bodies at INFO
    caplog.set_level(logging.INFO)
    question = "Who built the lighthouse on Gull Point?"
    body = json.dumps(event_body(mention(question)))
    assert slack.send.post(body, signed_headers(body, secret="wrong")).status_code == 401
    ask(slack, mention(question))
    assert "answered in" in caplog.text and "refused with 401" in caplog.text
    assert "Gull Point" not in caplog.text


def test_questions_are_logged_when_asked_to(serve_slack, caplog):
    served = serve_slack(log_questions=True)
    caplog.set_level(logging.INFO, logger="service")
    ask(served, mention("Who built the lighthouse on Gull Point?"))
    assert "Gull Point" in caplog.text


def test_the_route_needs_no_api_key_but_the_api_still_does(serve_slack):
    served = serve_slack(api_key="s3cret")
    posted = ask(served, mention("Who built the lighthouse on Gull Point?"))
    assert "Margaret Holloway" in posted["text"]
    assert served.client.post("/ask", json={"question": "Who built it?"}).status_code == 401
    assert [c.method for c in served.fake.calls][0] == "auth.test"
    assert SIGNING_SECRET not in json.dumps([c.params for c in served.fake.calls])
