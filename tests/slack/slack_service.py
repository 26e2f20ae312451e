"""The service with the Slack bot on, as the tests see it: the app, a client for its HTTP API,
the fake Slack it calls, and a sender of signed Slack requests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
from fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackSender

from rag.settings import Settings

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
