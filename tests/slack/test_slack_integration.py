"""The bot with the real embedding model over the seed documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from checks import answer_text, ask, assert_citations_hold
from fake_slack import SlackSender, mention
from live_service import live, upload
from slack_service import SlackService, slack_settings

from rag.settings import BUNDLED_MODEL
from service.app import create_app

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, fake):
    settings = slack_settings(tmp_path_factory.mktemp("index"), fake, embedding_model=BUNDLED_MODEL)
    with live(create_app(settings)) as running:
        seeds = {path.name: path.read_bytes() for path in sorted(SEEDS.iterdir())}
        assert upload(running.client, seeds).status_code == 200
        fake.reset()
        yield SlackService(running.app, running.client, fake, SlackSender(running.client, fake))


def test_a_thread_about_track4tip_is_one_conversation(seeded):
    first = mention("Which countries are in TRACK4TIP?")
    posted = ask(seeded, first)
    assert "TRACK4TIP" in posted["text"]
    assert_citations_hold(seeded.client, posted["blocks"])

    follow = ask(seeded, mention("Who implements it?", thread_ts=first["ts"]))
    assert follow["thread_ts"] == first["ts"]
    assert "UNODC" in answer_text(follow["blocks"]) or "United Nations Office on Drugs and Crime" in follow["text"]
    assert_citations_hold(seeded.client, follow["blocks"])


def test_a_question_the_seeds_cannot_answer_says_so_in_spanish(seeded):
    posted = ask(seeded, mention("¿Cuál es la receta tradicional del gazpacho andaluz?"))
    assert posted["text"] == "No se encontró en los documentos."
