"""The page by keyboard alone, and on a phone-sized screen."""

from __future__ import annotations

import pytest
from actions import ask, latest_turn, open_citation
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
QUESTION = "Which countries are in TRACK4TIP?"


def test_keyboard_alone_asks_and_opens_a_citation(page: Page):
    # The language switch comes first, in the masthead; then the question box.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Language")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Ask a question")).to_be_focused()
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    markers = latest_turn(page).locator("button.marker")
    expect(markers.first).to_be_visible()
    expect(page.locator("#turns")).to_have_attribute("aria-live", "polite")

    # From the question box: Ask, New conversation, then the newest answer's first marker.
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(markers.first).to_be_focused()
    assert markers.first.evaluate("m => getComputedStyle(m).outlineStyle") != "none"

    page.keyboard.press("Enter")
    mark = page.locator("#viewer mark")
    expect(mark).to_be_focused()
    expect(mark).to_be_in_viewport()
    page.keyboard.press("Escape")
    expect(page.locator("#viewer")).to_be_hidden()
    expect(markers.first).to_be_focused()


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("viewport", [PHONE])
def test_a_phone_sized_screen_needs_no_sideways_scrolling(page: Page, viewport):
    assert no_horizontal_scroll(page)
    _, answer = ask(page, QUESTION)
    assert no_horizontal_scroll(page)

    mark = open_citation(page, len(answer["citations"]))
    expect(mark).to_be_in_viewport()
    # The document takes the whole screen rather than a sliver beside the answer.
    assert page.locator("#viewer").bounding_box() == {"x": 0, "y": 0, **PHONE}
    assert no_horizontal_scroll(page)
    # Focus stays in the document that covers the screen: Tab never reaches the page behind it.
    for _ in range(4):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('.masthead, .layout') === null")
    page.get_by_role("button", name="Close").click()
    expect(page.locator("#viewer")).to_be_hidden()
