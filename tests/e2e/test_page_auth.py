"""With RAG_API_KEY set: the page itself needs no key, asks for it once, and asks again if wrong."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from actions import ask
from playwright.sync_api import Page, expect
from served import Served, base_url, seeded

pytestmark = pytest.mark.e2e

KEY = "correct horse battery staple"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with seeded(tmp_path_factory.mktemp("index"), api_key=KEY) as running:
        yield running


@pytest.mark.parametrize("path", ["/", "/static/main.js", "/static/style.css"])
def test_the_page_is_served_without_the_key(served, path):
    response = httpx.get(base_url(served) + path)
    assert response.status_code == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_an_unknown_asset_is_a_json_404(served):
    response = httpx.get(base_url(served) + "/static/secrets.txt")
    assert response.status_code == 404 and "main.js" in response.json()["detail"]


def test_the_page_asks_for_the_key_and_then_works(page: Page):
    dialog = page.get_by_role("dialog", name="API key needed")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("needs an API key")
    expect(page.get_by_label("API key", exact=True)).to_be_focused()

    page.get_by_label("API key", exact=True).fill("not the key")
    page.keyboard.press("Enter")
    expect(dialog).to_contain_text("That key was refused")
    page.get_by_label("API key", exact=True).fill(KEY)
    dialog.get_by_role("button", name="Use this key").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#library-title")).to_have_text("Documents (5)")

    with page.expect_request("**/ask") as sent:
        _, answer = ask(page, "Who implements TRACK4TIP?")
    assert sent.value.headers["authorization"] == f"Bearer {KEY}"
    assert "UNODC" in answer["answer"]

    # Kept for the tab: a reload does not ask again.
    page.reload()
    expect(page.locator("#library-title")).to_have_text("Documents (5)")
    expect(dialog).to_be_hidden()


def test_cancelling_the_key_shows_why_nothing_loaded(page: Page):
    page.get_by_role("dialog", name="API key needed").get_by_role("button", name="Cancel").click()
    expect(page.locator("#documents-status")).to_have_text("this service needs an API key; try again to enter it.")


@pytest.mark.parametrize("locale", ["es-ES"])
def test_the_key_prompt_speaks_the_pages_language(page: Page, locale):
    dialog = page.get_by_role("dialog", name="Se necesita una clave de API")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Este servicio necesita una clave de API.")
    expect(page.get_by_label("Clave de API", exact=True)).to_be_focused()
    page.get_by_label("Clave de API", exact=True).fill("not the key")
    dialog.get_by_role("button", name="Usar esta clave").click()
    expect(dialog).to_contain_text("Esa clave fue rechazada.")
    dialog.get_by_role("button", name="Cancelar").click()
    status = page.locator("#documents-status")
    expect(status).to_have_text("este servicio necesita una clave de API; vuelva a intentarlo para introducirla.")
    expect(status).not_to_have_attribute("lang", "en")
