"""Over an index with no documents, the page says so in the person's language and how to add
some, rather than "not found"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from actions import ask, latest_turn
from playwright.sync_api import expect
from served import Served

from live_service import live  # found through served.py, which puts tests/service on the path
from rag.i18n import NO_DOCUMENTS
from rag.settings import BUNDLED_MODEL, Settings
from service.app import create_app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    settings = Settings(index_dir=tmp_path_factory.mktemp("empty"), embedding_model=BUNDLED_MODEL)
    with live(create_app(settings)) as running:
        yield running


@pytest.mark.parametrize("locale, question, language", [
    ("es-AR", "¿Qué países participan en TRACK4TIP?", "es"),
    ("pt-BR", "Quais países fazem parte do TRACK4TIP?", "pt"),
])
def test_an_empty_index_says_how_to_add_documents_in_the_persons_language(page, question, language):
    _, answer = ask(page, question)
    assert answer["found"] is False and answer["answer"] == NO_DOCUMENTS[language]
    expect(latest_turn(page).locator(".reply > .text")).to_contain_text(NO_DOCUMENTS[language].split(".")[0])
