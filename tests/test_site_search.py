"""Search as a reader uses it: typed into Material's search box in headless Chromium.

Readers search by id and acronym ("ITI-41", "iti41", "XDS.b"); the page of that
id must come first, above pages whose chapter number or text merely contain its
parts, and the excerpts must read as text (no table cells run together, no
"Missing: iti" on hits that contain ITI). Built from a copy of the example.
"""

from __future__ import annotations

import functools
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser import browser_page
from sitebuild import copy_project, serve, tfpub

pytestmark = pytest.mark.browser

ITI_41 = "ITI/volume-2/ITI-41/"
XDS_B = "ITI/volume-1/XDS.b/"
ITI_18 = "ITI/volume-2/ITI-18/"
XCA = "ITI/volume-1/XCA/"


@functools.lru_cache(maxsize=None)
def _site() -> Path:
    project = copy_project(Path(tempfile.mkdtemp(prefix="tfpub-search-")) / "project")
    result = tfpub("build", cwd=project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def _results(page, query: str) -> list[dict]:
    """The result list for ``query``, once it has stopped changing: each page's link and excerpt text."""
    box = page.locator("input.md-search__input")
    box.fill("")
    box.press("End")  # Material searches on keyup: an empty query clears the list
    page.wait_for_function("() => !document.querySelector('.md-search-result__item')", timeout=10000)
    box.fill(query)
    box.press("End")  # one keyup, so one search: the first list that appears is this query's
    page.locator(".md-search-result__item").first.wait_for(timeout=15000)
    last, stable_since = None, time.monotonic()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        now = page.evaluate(
            """() => [...document.querySelectorAll('.md-search-result__item')].map(li => ({
                href: li.querySelector('a').getAttribute('href'),
                text: li.innerText,
            }))"""
        )
        if now != last:
            last, stable_since = now, time.monotonic()
        elif time.monotonic() - stable_since > 1.0:
            break
        time.sleep(0.1)
    return last or []


def _path(href: str) -> str:
    """The page a result links to, without the host, the highlight query (?h=...) and the anchor."""
    return urlsplit(href).path


@pytest.fixture(scope="module")
def search_page():
    with serve(_site()) as base, browser_page() as page:
        page.goto(base + "ITI/")
        page.keyboard.press("s")  # Material's shortcut: opens the search dialog
        page.locator("input.md-search__input").wait_for()
        yield page


@pytest.mark.parametrize(
    "query, first",
    [("ITI-41", ITI_41), ("iti41", ITI_41), ("ITI 41", ITI_41), ("XDS.b", XDS_B), ("xdsb", XDS_B), ("ITI-18", ITI_18)],
)
def test_an_id_or_acronym_finds_its_own_page_first(search_page, query, first):
    results = _results(search_page, query)
    assert results, f"no results for {query!r}"
    assert _path(results[0]["href"]).endswith(first), f"{query!r}: first result {results[0]['href']}, all: {[r['href'] for r in results]}"
    for r in results:
        # the table headings of every generated table, which used to run together in excerpts
        for glued in ("ChapterProfile", "ActorsTransactions", "ActorRole", "ProfileActor", "ActorOption"):
            assert glued not in r["text"], f"{query!r}: cells run together in the excerpt of {r['href']}: {r['text']!r}"
        if "iti" in r["text"].lower():
            assert "Missing: iti" not in r["text"], f"{query!r}: 'Missing: iti' on a hit containing ITI: {r['href']}: {r['text']!r}"
    assert search_page.problems == []


def test_iti_18_ranks_above_the_profile_of_chapter_18(search_page):
    order = [_path(r["href"]) for r in _results(search_page, "ITI-18")]
    tx = next(i for i, h in enumerate(order) if h.endswith(ITI_18))
    xca = next((i for i, h in enumerate(order) if h.endswith(XCA)), len(order))
    assert tx < xca, order


def test_aliases_are_not_shown_or_read(search_page):
    """The extra spellings feed the index only: hidden, so neither seen nor read by a screen reader."""
    page = search_page
    page.goto(page.url.split("ITI/")[0] + ITI_41)
    alias = page.locator(".tfpub-search-aliases")
    assert alias.inner_text(timeout=5000) == "" or not alias.is_visible()
    assert not alias.is_visible()
    assert "iti41" not in page.locator("article").inner_text()
    snapshot = page.accessibility.snapshot() if hasattr(page, "accessibility") else None
    if snapshot is not None:
        assert "iti41" not in str(snapshot)
