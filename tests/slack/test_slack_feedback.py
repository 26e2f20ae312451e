"""Helpful / not helpful under each answer: kept in SQLite with the question's id; `rag feedback` lists them."""

from __future__ import annotations

import json

import pytest
from checks import ask, question_id
from click.testing import CliRunner
from fake_slack import CHANNEL, USER, mention

from rag.cli import main
from rag.errors import NotFound
from rag.feedback import KEEP_ANSWERS_DAYS, FeedbackStore
from rag.schema import Answer
from service.slack.blocks import HELPFUL, NOT_HELPFUL


def click(slack, action_id: str, qid: str, *, user: str = USER, response: str = "click") -> dict:
    slack.fake.reset()
    assert slack.send.click(action_id, qid, user=user, response=response).status_code == 200
    return slack.fake.wait_for_posts(1, "response_url")[0].params


def listed(monkeypatch, index_dir, *args) -> tuple[int, str]:
    monkeypatch.setenv("RAG_INDEX_DIR", str(index_dir))
    result = CliRunner().invoke(main, ["feedback", *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_feedback_is_kept_with_the_question_id_and_listed(slack, monkeypatch):
    question = "Who built the lighthouse on Gull Point?"
    qid = question_id(ask(slack, mention(question))["blocks"])
    thanked = click(slack, HELPFUL, qid)
    assert thanked["response_type"] == "ephemeral" and thanked["replace_original"] is False
    assert thanked["text"] == "Thanks, noted: helpful."
    click(slack, NOT_HELPFUL, qid, user="U0BOB")
    assert click(slack, NOT_HELPFUL, qid)["text"] == "Thanks, noted: not helpful."  # Alice changes her mind

    index_dir = slack.app.state.settings.index_dir
    code, out = listed(monkeypatch, index_dir, "--json")
    assert code == 0
    rows = [r for r in json.loads(out) if r["question_id"] == qid]
    assert {(r["user"], r["verdict"]) for r in rows} == {("U0BOB", "not_helpful"), (USER, "not_helpful")}
    for row in rows:
        assert row["question"] == question and row["channel"] == CHANNEL
        assert row["time"].endswith("Z") and len(row["time"]) == 20
    code, out = listed(monkeypatch, index_dir)
    assert code == 0 and out.splitlines()[0].split()[:4] == ["TIME", "VERDICT", "USER", "CHANNEL"]
    assert qid in out and question in out


def test_thanks_come_in_the_answer_language(slack):
    qid = question_id(ask(slack, mention("¿Quién construyó el faro de Gull Point?"))["blocks"])
    assert click(slack, HELPFUL, qid)["text"] == "Gracias, anotado: útil."


def test_feedback_on_an_unknown_answer_says_so(slack):
    said = click(slack, HELPFUL, "f" * 32)
    assert said["response_type"] == "ephemeral" and "unknown or older than" in said["text"]


def test_listing_without_feedback_creates_nothing(tmp_path, monkeypatch):
    said = "no feedback yet; it is given with the buttons under the Slack bot's answers\n"
    assert listed(monkeypatch, tmp_path / "index") == (0, said)
    assert listed(monkeypatch, tmp_path / "index", "--json") == (0, "[]\n")
    assert not (tmp_path / "index").exists()


def test_a_damaged_feedback_file_is_one_line_and_exit_1(tmp_path, monkeypatch):
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "feedback.sqlite").write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    result = CliRunner().invoke(main, ["feedback"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot open the feedback file") and result.stderr.count("\n") == 1


def test_the_command_has_help_with_an_example():
    result = CliRunner().invoke(main, ["feedback", "-h"])
    assert result.exit_code == 0 and "Example" in result.output and "--json" in result.output


class Clock:
    now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_answers_are_kept_for_their_feedback_window_and_feedback_for_good(tmp_path):
    clock = Clock()
    store = FeedbackStore(tmp_path / "feedback.sqlite", clock=clock)
    answer = Answer("Who?", "Someone. [1]", True, "en", [], conversation_id="c1")
    old = store.record_answer(answer, channel="C1", user="U1")
    store.record(old, "helpful", user="U2", channel="C1")
    clock.now += KEEP_ANSWERS_DAYS * 86400 + 1
    store.record_answer(answer)  # purges answers past the window
    with pytest.raises(NotFound, match="ask the question again"):
        store.answer(old)
    with pytest.raises(NotFound):
        store.record(old, "not_helpful", user="U3")
    assert [(f.question_id, f.question, f.verdict) for f in store.feedback()] == [(old, "Who?", "helpful")]
    with pytest.raises(ValueError):
        store.record(old, "meh", user="U2")
    store.close()
