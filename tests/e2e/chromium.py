"""Debian's Chromium, driven by Playwright. Playwright's own browser downloads are never used:
the machines this runs on reach package registries only."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Browser, Playwright

CHROMIUM = Path("/usr/bin/chromium")
MISSING = f"no browser at {CHROMIUM}; install Debian's: apt-get install -y chromium"
# Nothing in the background that would try to reach the internet.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def missing_is_fatal() -> bool:
    """In CI a missing browser is a broken set-up, not a reason to skip the page's tests."""
    return os.environ.get("CI") == "true"


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
