"""The site source as data: what page generation hands to mkdocs, and what the stages
above the volumes (supplements, annexes) hand to page generation.

A module of plain dataclasses, below everything that produces or consumes them, so
that supplements and annexes can describe their share of the site without importing
page generation, and page generation can take it without importing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NavItem = dict | str


# The key, among the figure stage's placeholder replacements (page source -> {placeholder: HTML}),
# under which it hands over the figures' standalone pictures: page source -> {site path: SVG}.
# No page source can be it (it is not a path).
FIGURE_FILES = "\0figure-files"


@dataclass
class SiteSource:
    """mkdocs source path -> content, the navigation, and the stylesheets and scripts to load."""

    files: dict[str, str | bytes] = field(default_factory=dict)
    nav: list[NavItem] = field(default_factory=list)
    extra_css: list[str] = field(default_factory=list)
    extra_javascript: list[str] = field(default_factory=list)


@dataclass
class Addition:
    """A later stage's share of the site, computed from the framework, merged in by page generation.

    ``notes`` are shown on the volume pages they name (("profile", acronym) or
    ("transaction", id) -> HTML notes such as "updated by the PDQm supplement"): they
    are a page input, so the preview computes a page again when its notes change.
    ``nav`` entries are appended, in order, to the named domain's navigation.
    ``home_links`` are (domain, text, mkdocs source path) links for that domain's home
    page, which lists every section of the site (the home page never imports the stages
    that add sections, so they say here what they added).
    """

    files: dict[str, str | bytes] = field(default_factory=dict)
    nav: list[tuple[str, NavItem]] = field(default_factory=list)
    notes: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    extra_css: list[str] = field(default_factory=list)
    home_links: list[tuple[str, str, str]] = field(default_factory=list)
