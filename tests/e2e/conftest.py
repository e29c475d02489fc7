"""Browser tests: Playwright (sync API) driving Debian's Chromium.

Without /usr/bin/chromium these tests are skipped with the reason printed;
under CI=true a missing browser is a failure, not a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses
# to run from a thread with a running loop unless told it is safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING = (
    f"Chromium is not installed at {CHROMIUM}; the browser tests need it. "
    "Install it with: apt-get install chromium"
)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {MISSING}")
        print(f"\nSKIPPED browser tests: {MISSING}")  # noqa: T201
        pytest.skip(MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, transactional_db) -> Iterator[object]:
    """A fresh English-speaking tab; service workers blocked so that every
    request reaches the live server."""
    context = browser.new_context(locale="en-US", service_workers="block")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()
