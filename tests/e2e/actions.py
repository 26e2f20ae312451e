"""What a person does on the page, for the tests and the screenshot script alike. The page may
speak English, Spanish or Portuguese: controls are found by id or by a name in any of them."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Locator, Page, expect


def ask(page: Page, question: str) -> tuple[dict, dict]:
    """Asks through the form; returns the JSON the page sent and the answer it got, once shown."""
    page.locator("#question").fill(question)
    with page.expect_response(lambda r: r.url.endswith("/ask")) as response:
        page.locator("#ask-button").click()
    answered = response.value
    expect(page.locator(".reply.pending")).to_have_count(0)
    return json.loads(answered.request.post_data), answered.json()


def latest_turn(page: Page) -> Locator:
    return page.locator(".turn").first


def marker(scope: Locator, n: int) -> Locator:
    """Marker [n] in scope, by its accessible name: "Citation n: …", "Cita n: …", "Citação n: …"."""
    return scope.get_by_role("button", name=re.compile(rf"^\S+ {n}: "))


def open_citation(page: Page, n: int, *, in_gloss: bool = False) -> Locator:
    """Clicks marker [n] of the latest answer (or of its machine translation); returns the
    highlighted passage, once shown."""
    text = latest_turn(page).locator(".reply .gloss .text" if in_gloss else ".reply > .text")
    marker(text, n).click()
    mark = page.locator("#viewer mark")
    expect(mark).to_be_visible()
    return mark


def source_entry(page: Page, n: int) -> Locator:
    """The nth source listed under the latest answer: its document's name, and page if it has one."""
    return latest_turn(page).locator(".sources > li").nth(n - 1).locator("button")


def choose_language(page: Page, language: str) -> None:
    page.locator("#language").select_option(language)


def watch_upload_progress(page: Page) -> None:
    """Records what the progress label says, however quickly an upload goes over loopback."""
    page.evaluate("""() => {
        window.progressSeen = [];
        const label = document.getElementById('upload-label');
        new MutationObserver(() => window.progressSeen.push(label.textContent))
            .observe(label, {childList: true, characterData: true, subtree: true});
    }""")


def progress_seen(page: Page) -> list[str]:
    return page.evaluate("window.progressSeen")
