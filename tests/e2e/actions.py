"""What a person does on the page, for the tests and the screenshot script alike."""

from __future__ import annotations

import json

from playwright.sync_api import Locator, Page, expect


def ask(page: Page, question: str) -> tuple[dict, dict]:
    """Asks through the form; returns the JSON the page sent and the answer it got, once shown."""
    page.get_by_label("Ask a question").fill(question)
    with page.expect_response(lambda r: r.url.endswith("/ask")) as response:
        page.get_by_role("button", name="Ask", exact=True).click()
    answered = response.value
    expect(page.locator(".reply.pending")).to_have_count(0)
    return json.loads(answered.request.post_data), answered.json()


def latest_turn(page: Page) -> Locator:
    return page.locator(".turn").first


def open_citation(page: Page, n: int) -> Locator:
    """Clicks marker [n] of the latest answer; returns the highlighted passage, once shown."""
    latest_turn(page).get_by_role("button", name=f"Citation {n}:").click()
    mark = page.locator("#viewer mark")
    expect(mark).to_be_visible()
    return mark
