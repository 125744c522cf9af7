"""Headless Chromium through Playwright, as the browser tests use it.

The browser is Debian's chromium (installed by .ci/run); Playwright's own
browser download is never used, since it cannot reach the network here.
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_browser():
    if not shutil.which("chromium") and not shutil.os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does this)")
    return pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")


@contextmanager
def browser_page(**options):
    """A fresh page that records console errors, page errors and dialogs (which must never open).

    ``options`` go to Playwright's ``new_page``: ``color_scheme="dark"``, ``viewport``.
    """
    sync_api = require_browser()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(**options)
            page.problems = []  # type: ignore[attr-defined]
            page.on("console", lambda msg: msg.type == "error" and page.problems.append(f"console: {msg.text}"))
            page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))

            def on_dialog(dialog):
                page.problems.append(f"dialog: {dialog.message}")
                dialog.dismiss()

            page.on("dialog", on_dialog)
            yield page
        finally:
            browser.close()
