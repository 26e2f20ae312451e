"""Socket Mode, started by `rag serve` when RAG_SLACK_APP_TOKEN is set, against a fake Socket Mode
server on loopback; and the settings that make no sense together, refused at start."""

from __future__ import annotations

import json
import time

import pytest
import uvicorn
from click.testing import CliRunner
from fake_slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, event_body, mention
from fake_socket_mode import fake_socket_mode
from live_service import CORPUS, live, upload

from rag.cli import main
from rag.errors import InvalidInput
from rag.settings import Settings
from service.app import create_app


@pytest.fixture
def env(tmp_path, monkeypatch, fake):
    fake.reset()
    for name, value in {"RAG_INDEX_DIR": str(tmp_path / "index"), "RAG_EMBEDDING_MODEL": "hash",
                        "RAG_SLACK_API_URL": fake.url}.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_rag_serve_connects_over_socket_mode_once_the_engine_is_open_and_answers(env, fake):
    env.setenv("RAG_SLACK_BOT_TOKEN", BOT_TOKEN)
    env.setenv("RAG_SLACK_APP_TOKEN", APP_TOKEN)
    checked = []

    def run(app, **options):  # uvicorn.run, serving for as long as the checks take
        time.sleep(0.3)
        assert fake.of("apps.connections.open") == []  # no engine yet: not connected
        with live(app) as served:
            assert upload(served.client, CORPUS).status_code == 200
            socket_mode.wait_connected()
            opened = fake.of("apps.connections.open")
            assert len(opened) == 1 and opened[0].headers["authorization"] == f"Bearer {APP_TOKEN}"

            event = mention("Who built the lighthouse on Gull Point?")
            body = event_body(event)
            socket_mode.send_envelope("envelope-1", body)
            assert socket_mode.wait_ack("envelope-1") == {"envelope_id": "envelope-1"}
            posted = fake.wait_for_posts(1)[0].params
            assert posted["thread_ts"] == event["ts"] and "Margaret Holloway" in posted["text"]

            # Slack redelivers an envelope it thinks was lost: acknowledged, not answered again.
            socket_mode.send_envelope("envelope-2", body, retry_attempt=1)
            socket_mode.wait_ack("envelope-2")
            follow = mention("When was it built?", thread_ts=event["ts"])
            socket_mode.send_envelope("envelope-3", event_body(follow))
            assert "1874" in json.dumps(fake.wait_for_posts(2)[1].params["blocks"])
            assert len(fake.of("chat.postMessage")) == 2
            # Without a signing secret there is no HTTP route: nothing unverified gets in.
            assert served.client.post("/slack/events", content=b"{}").status_code == 404
        checked.append(options)

    env.setattr(uvicorn, "run", run)
    with fake_socket_mode() as socket_mode:
        fake.socket_url = socket_mode.url
        result = CliRunner().invoke(main, ["serve", "--port", "8123"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert checked and checked[0]["port"] == 8123


@pytest.mark.parametrize("given, missing", [
    ({"RAG_SLACK_APP_TOKEN": APP_TOKEN}, "RAG_SLACK_BOT_TOKEN"),
    ({"RAG_SLACK_SIGNING_SECRET": SIGNING_SECRET}, "RAG_SLACK_BOT_TOKEN"),
    ({"RAG_SLACK_BOT_TOKEN": BOT_TOKEN}, "RAG_SLACK_SIGNING_SECRET"),
])
def test_rag_serve_refuses_slack_settings_that_cannot_work(env, given, missing):
    for name, value in given.items():
        env.setenv(name, value)
    env.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("served anyway"))
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and missing in result.stderr and result.stderr.count("\n") == 1


def test_without_slack_settings_there_is_no_bot(tmp_path):
    app = create_app(Settings(index_dir=tmp_path / "index", embedding_model="hash"))
    assert not hasattr(app.state, "slack")
    assert all(getattr(r, "path", "") != "/slack/events" for r in app.routes)
    with live(app) as served:
        assert served.client.post("/slack/events", content=b"{}").status_code == 404


def test_create_app_raises_on_half_a_configuration(tmp_path):
    with pytest.raises(InvalidInput, match="RAG_SLACK_BOT_TOKEN is set but neither"):
        create_app(Settings(index_dir=tmp_path / "index", slack_bot_token=BOT_TOKEN))
