"""A browser per session, the seeded app per module, a fresh browser context per test.

Every test's page is checked afterwards: no script error, and no request that left the app.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chromium import CHROMIUM, MISSING, launch, missing_is_fatal
from playwright.sync_api import Browser, Page, sync_playwright
from served import Served, base_url, seeded


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if missing_is_fatal():
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with seeded(tmp_path_factory.mktemp("index")) as running:
        yield running


@pytest.fixture
def viewport() -> dict:
    return {"width": 1280, "height": 800}


@pytest.fixture
def locale() -> str:
    """The browser's language; the page follows it (a test may parametrize it)."""
    return "en-US"


@pytest.fixture
def page(browser: Browser, served: Served, viewport: dict, locale: str) -> Iterator[Page]:
    url = base_url(served)
    context = browser.new_context(base_url=url, viewport=viewport, locale=locale)
    outside: list[str] = []
    errors: list[str] = []

    def only_the_app(route) -> None:
        if route.request.url.startswith(url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_app)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto("/")
    yield page
    context.close()
    assert outside == [], "the page asked for something outside the app"
    assert errors == []
