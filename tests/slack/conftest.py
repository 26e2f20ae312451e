"""The service served for real with the Slack bot on, its Web API calls going to a fake Slack.

`slack` is one server per module over a small corpus (fake embedder), with the fake Slack's
record emptied before each test; `serve_slack` starts fresh ones for tests that need their own.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

# The service tests' server helper; tests/service is no package, so it is found by its folder.
sys.path.append(str(Path(__file__).resolve().parents[1] / "service"))

from fake_slack import FakeSlack, SlackSender, fake_slack  # noqa: E402
from live_service import CORPUS, live, upload  # noqa: E402
from slack_service import SHIPS, SlackService, slack_settings  # noqa: E402

from service.app import create_app  # noqa: E402


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
