"""The service served for real with the Slack bot on, its Web API calls going to a fake Slack.

`slack` is one server per module over a small corpus (fake embedder), with the fake Slack's
record emptied before each test; `serve_slack` starts fresh ones for tests that need their own.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

# The service tests' server helper; tests/service is no package, so it is found by its folder.
sys.path.append(str(Path(__file__).resolve().parents[1] / "service"))

from fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackSender, fake_slack  # noqa: E402
from live_service import CORPUS, live, upload  # noqa: E402

from rag.settings import Settings  # noqa: E402
from service.app import create_app  # noqa: E402

SHIPS = {"ships.md": "The schooner Albatross was built in 1901 in Valparaíso for the nitrate trade.\n\n"
                    "The steamer Condor was built in 1923 in Glasgow for the coastal mail service.\n"}


@dataclass
class SlackService:
    app: object  # the FastAPI app
    client: httpx.Client  # speaks to the service
    fake: FakeSlack
    send: SlackSender


def slack_settings(index_dir: Path, fake: FakeSlack, **overrides) -> Settings:
    values = {"index_dir": index_dir, "embedding_model": "hash", "slack_bot_token": BOT_TOKEN,
              "slack_signing_secret": SIGNING_SECRET, "slack_api_url": fake.url}
    return Settings(**(values | overrides))


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with fake_slack() as running:
        yield running


@pytest.fixture(scope="module")
def shared_slack(tmp_path_factory: pytest.TempPathFactory, fake: FakeSlack) -> Iterator[SlackService]:
    settings = slack_settings(tmp_path_factory.mktemp("index"), fake)
    with live(create_app(settings)) as running:
        assert upload(running.client, CORPUS | SHIPS).status_code == 200
        yield SlackService(running.app, running.client, fake, SlackSender(running.client, fake))


@pytest.fixture
def slack(shared_slack: SlackService) -> SlackService:
    shared_slack.fake.reset()
    return shared_slack


@pytest.fixture
def serve_slack(tmp_path: Path, fake: FakeSlack) -> Iterator[Callable[..., SlackService]]:
    """serve_slack(**settings) starts a server with the bot over a fresh index holding the corpus."""
    with ExitStack() as stack:
        numbers = itertools.count()

        def start(**overrides) -> SlackService:
            settings = slack_settings(tmp_path / f"index{next(numbers)}", fake, **overrides)
            running = stack.enter_context(live(create_app(settings)))
            if settings.api_key:  # for the upload only: Slack's requests carry no key
                running.client.headers["authorization"] = f"Bearer {settings.api_key}"
            assert upload(running.client, CORPUS | SHIPS).status_code == 200
            running.client.headers.pop("authorization", None)
            fake.reset()
            return SlackService(running.app, running.client, fake, SlackSender(running.client, fake))

        yield start
