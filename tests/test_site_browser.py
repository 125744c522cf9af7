"""A reader's path through the built site, in a real headless browser."""

from __future__ import annotations

import pytest
from browser import browser_page
from sitebuild import example_site, serve

pytestmark = pytest.mark.browser


def test_search_for_a_transaction_and_open_it():
    with serve(example_site()) as base, browser_page() as page:
        page.goto(base + "ITI/")
        page.keyboard.press("s")  # Material's shortcut: opens the search dialog
        page.locator("input.md-search__input").press_sequentially("ITI-18")
        result = page.locator(".md-search-result__item a[href*='ITI-18']").first
        result.wait_for(timeout=15000)
        result.click()
        page.wait_for_url("**/ITI/volume-2/ITI-18/**")
        assert "Registry Stored Query [ITI-18]" in page.locator("h1").inner_text()
        assert page.problems == []


def test_profile_table_to_transaction_to_actor_index():
    with serve(example_site()) as base, browser_page() as page:
        page.goto(base + "ITI/volume-1/XDS.b/")
        table = page.locator("#table-actors-and-transactions")
        table.get_by_role("link", name="Registry Stored Query [ITI-18]").first.click()
        page.wait_for_url("**/ITI/volume-2/ITI-18/")
        page.locator("#table-actor-roles").get_by_role("link", name="Document Consumer").click()
        page.wait_for_url("**/ITI/actors/document-consumer/")
        profiles = page.locator("#table-profiles").inner_text()
        assert "XDS.b" in profiles and "Registry Stored Query [ITI-18]" in profiles
        required = page.locator("#table-grouped-with").inner_text()
        assert "Secure Node or Secure Application" in required and "Time Client" in required
        assert page.problems == []


def test_status_banner_and_dark_palette():
    with serve(example_site()) as base, browser_page() as page:
        page.goto(base + "ITI/volume-1/MHD/")
        banner = page.locator(".tfpub-status--trial-implementation")
        assert "Trial Implementation" in banner.inner_text()
        page.goto(base + "ITI/volume-1/XDS.b/")
        assert page.locator(".tfpub-status--trial-implementation, .tfpub-status--public-comment").count() == 0
        page.locator("form[data-md-component=palette] label").first.click()
        assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
        assert page.problems == []
