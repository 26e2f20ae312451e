"""RAG_SLACK_COLLECTIONS: each channel is answered from its own collections, direct messages from
the "dm" entry's, and a channel not named gets a polite refusal in the asker's language."""

from __future__ import annotations

import pytest
from checks import ask, citations
from fake_slack import CHANNEL, direct_message, mention
from test_slack_command import command

from rag.errors import InvalidInput
from rag.settings import Settings
from service.app import create_app
from service.slack.blocks import not_here

# Only in collection "cases"; the corpus (lighthouse, ships…) is in "default".
CASES = {"raid.txt": "The raid on the Rua Augusta warehouse freed eleven workers on 3 May 2024."}
CASE_QUESTION = "How many workers did the raid on the Rua Augusta warehouse free?"
CORPUS_QUESTION = "Who built the lighthouse on Gull Point?"
OTHER_CHANNEL = "C0ELSEWHERE"


def with_cases(served):
    """The served bot, once CASES are in collection "cases" (uploaded with the admin key)."""
    response = served.client.post("/documents", params={"collection": "cases"},
                                  headers={"authorization": "Bearer admin"},
                                  files=[("files", (name, text.encode())) for name, text in CASES.items()])
    assert response.status_code == 200, response.text
    served.fake.reset()
    return served


@pytest.fixture
def mapped(serve_slack):
    return with_cases(serve_slack(api_key="admin", slack_collections={CHANNEL: ["cases"], "dm": ["default"]}))


def test_a_mapped_channel_is_answered_from_its_collections_only(mapped):
    posted = ask(mapped, mention(CASE_QUESTION))
    assert "eleven workers" in posted["text"] and [c.source for c in citations(posted["blocks"])] == ["raid.txt"]
    outside = ask(mapped, mention(CORPUS_QUESTION))
    assert outside["text"] == "Not found in the documents." and citations(outside["blocks"]) == []


def test_direct_messages_are_answered_from_the_dm_entry(mapped):
    posted = ask(mapped, direct_message(CORPUS_QUESTION))
    assert "Margaret Holloway" in posted["text"]
    assert ask(mapped, direct_message(CASE_QUESTION))["text"] == "Not found in the documents."


@pytest.mark.parametrize(("question", "language"), [(CORPUS_QUESTION, "en"),
                                                    ("¿Quién construyó el faro de Gull Point?", "es"),
                                                    ("Quem construiu o farol de Gull Point?", "pt")])
def test_a_channel_not_named_gets_a_polite_refusal_in_the_askers_language(mapped, question, language):
    posted = ask(mapped, mention(question, channel=OTHER_CHANNEL))
    assert posted["text"] == not_here(language) and "blocks" not in posted
    assert ("Sorry", "Lo siento", "Desculpe")[("en", "es", "pt").index(language)] in posted["text"]


def test_the_command_follows_the_channel_it_is_typed_in(mapped):
    assert "eleven workers" in command(mapped, CASE_QUESTION)["text"]
    refused = command(mapped, CASE_QUESTION, channel=OTHER_CHANNEL, response="elsewhere")
    assert refused["text"] == not_here("en")
    in_dm = command(mapped, CORPUS_QUESTION, channel="D0ALICE", channel_name="directmessage", response="dm")
    assert "Margaret Holloway" in in_dm["text"]


def test_without_the_setting_every_channel_is_answered_from_the_default_collection(serve_slack):
    served = with_cases(serve_slack(api_key="admin"))
    assert "Margaret Holloway" in ask(served, mention(CORPUS_QUESTION, channel=OTHER_CHANNEL))["text"]
    assert ask(served, mention(CASE_QUESTION))["text"] == "Not found in the documents."


def test_a_bad_collection_name_in_the_setting_stops_the_start_with_what_to_fix(tmp_path):
    settings = Settings(index_dir=tmp_path, embedding_model="hash", slack_bot_token="xoxb-1",
                        slack_signing_secret="s", slack_collections={CHANNEL: ["no spaces"]})
    with pytest.raises(InvalidInput, match=f"RAG_SLACK_COLLECTIONS, channel '{CHANNEL}'.*not a collection name"):
        create_app(settings)
