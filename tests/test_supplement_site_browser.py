"""A supplement page of the built site, in a real headless browser: headings read as headings at every level."""

from __future__ import annotations

import pytest
from browser import browser_page
from sitebuild import example_site, serve

pytestmark = pytest.mark.browser

STYLE = """e => { const s = getComputedStyle(e); return {size: parseFloat(s.fontSize), transform: s.textTransform, weight: parseInt(s.fontWeight), color: s.color}; }"""


def test_deep_supplement_headings_are_not_small_grey_capitals():
    with serve(example_site()) as base, browser_page() as page:
        page.goto(base + "ITI/supplements/PDQm/")
        body = page.locator(".md-content .md-typeset").first.evaluate(STYLE)  # the text: its size and colour
        for number, tag in (("38.1", "h4"), ("38.1.1", "h5"), ("38.1.1.1", "h6"), ("38.2.1", "h5")):
            heading = page.locator(f"{tag}:has-text('{number} ')").first
            style = heading.evaluate(STYLE)
            assert style["size"] >= body["size"], (number, style, body)
            assert style["transform"] == "none" and style["weight"] >= 700, (number, style)
            assert style["color"] == body["color"], (number, style, body)
        assert page.locator("text=Comment on this section").count() < page.locator(".md-typeset :is(h2, h3, h4, h5, h6)").count()
        link = page.locator(".md-typeset table a").first.evaluate("e => getComputedStyle(e).textDecorationLine")
        assert link == "none"  # a link is not underlined like inserted text
        assert page.problems == []
