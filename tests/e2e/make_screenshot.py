"""Writes docs/screenshot.png: an answered question with a cited passage open.

    .venv/bin/python tests/e2e/make_screenshot.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from actions import ask, open_citation
from chromium import launch
from playwright.sync_api import sync_playwright
from served import ROOT, base_url, seeded

QUESTION = "Which countries are in TRACK4TIP?"


def main() -> None:
    with tempfile.TemporaryDirectory() as index_dir, seeded(Path(index_dir)) as running, \
            sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(base_url=base_url(running), viewport={"width": 1280, "height": 760}, locale="en-US")
        page.goto("/")
        _, answer = ask(page, QUESTION)
        open_citation(page, len(answer["citations"]))
        # The focus ring is for keyboard users; the picture shows the highlight alone.
        page.evaluate("document.activeElement.blur()")
        page.screenshot(path=ROOT / "docs" / "screenshot.png")
        browser.close()


if __name__ == "__main__":
    main()
