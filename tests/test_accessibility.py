"""axe-core on every kind of page the site has, in the light and the dark palette.

The real checker (axe-core, pinned in tools/package.json, installed by ``make test``)
runs in real Chromium on the built example. Whatever it finds fails the test, except
the violations the theme's own markup causes (mkdocs-material's templates, which tfpub
does not write), listed in KNOWN with the reason, each matched narrowly: its rule, the
element's selector and the start of its markup. A known entry that no page shows any
more fails too, so the list cannot go stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser import browser_page
from sitebuild import example_site, serve

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "tools" / "node_modules" / "axe-core" / "axe.min.js"

# One page of each kind, as a reader reaches it.
PAGE_KINDS = {
    "home": "",
    "domain home": "ITI/",
    "volume index (Volume 1)": "ITI/volume-1/",
    "volume index (Volume 2)": "ITI/volume-2/",
    "volume index (Volume 3)": "ITI/volume-3/",
    "profile page, large (XDS.b)": "ITI/volume-1/XDS.b/",
    "profile page, small (CT)": "ITI/volume-1/CT/",
    "profile page with a status banner (MHD)": "ITI/volume-1/MHD/",
    "transaction page with its diagram (ITI-18)": "ITI/volume-2/ITI-18/",
    "content page": "ITI/volume-3/bppc-consent/",
    "actor page": "ITI/actors/document-consumer/",
    "Appendix A (actors)": "ITI/actors/",
    "Appendix B (transactions)": "ITI/appendices/b-transactions/",
    "Appendix D (glossary)": "ITI/appendices/d-glossary/",
    "transactions index": "ITI/indexes/transactions/",
    "standards index": "ITI/indexes/standards/",
    "supplements index": "ITI/supplements/",
    "supplement page (PDQm)": "ITI/supplements/PDQm/",
    "supplement page amending a profile (XDS.b On-Demand)": "ITI/supplements/XDS.b-on-demand/",
    "supplement, print-ready page": "ITI/supplements/PDQm/PDQm.html",
    "change proposals index": "ITI/change-proposals/",
    "change proposal page (a table amended)": "ITI/change-proposals/CP-ITI-1215/",
    "change proposal, print-ready page": "ITI/change-proposals/CP-ITI-1215.html",
    "revision page (changes since the previous revision)": "ITI/revisions/20.0/",
    "annexes index": "ITI/annexes/",
    "annex page": "ITI/annexes/regional-document-sharing/",
    "annex builder page": "ITI/annexes/builder/",
    "hand-written docs page": "guide/reading/",
}

SCHEMES = {"light": "default", "dark": "slate"}  # the reader's system setting -> Material's palette


@dataclass(frozen=True)
class Known:
    rule: str
    target: str  # regular expression the element's selector matches whole
    markup: str  # regular expression the start of its markup matches
    reason: str

    def matches(self, rule: str, target: str, html: str) -> bool:
        return rule == self.rule and re.fullmatch(self.target, target) is not None and re.match(self.markup, html) is not None


KNOWN = [
    Known(
        "aria-dialog-name",
        r"\.md-search",
        r'<div class="md-search" data-md-component="search" role="dialog">',
        "mkdocs-material's search (partials/search.html) is a role=dialog with no accessible name; "
        "its input is labelled 'Search'. The markup is the theme's; tfpub writes no template of it.",
    ),
    Known(
        "landmark-unique",
        r'nav\[data-md-level="\d"\]',
        r'<nav class="md-nav" data-md-level="\d" aria-labelledby="__nav_[\d_]+_label"',
        "mkdocs-material labels a section's navigation with the section's toggle label, which with "
        "navigation.indexes holds only an icon (partials/nav-item.html): nameless navigation landmarks.",
    ),
]


def _axe(page) -> list[dict]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")


def _report(found: list[tuple[str, dict, dict]]) -> str:
    lines = []
    for where, violation, node in found:
        summary = " ".join((node.get("failureSummary") or "").split())
        lines += [
            f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}",
            f"    at {' '.join(map(str, node['target']))}",
            f"    {' '.join(node['html'].split())[:200]}",
            f"    {summary[:400]}",
        ]
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_no_accessibility_violation_of_tfpub_on_any_page_kind(scheme):
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (npm ci --prefix tools; make test does this)")
    unknown: list[tuple[str, dict, dict]] = []
    seen: dict[Known, int] = {k: 0 for k in KNOWN}
    with serve(example_site()) as base, browser_page(color_scheme=scheme, viewport={"width": 1280, "height": 900}) as page:
        failed: list[str] = []
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
        for kind, path in PAGE_KINDS.items():
            page.goto(base + path)
            palette = page.locator("body").get_attribute("data-md-color-scheme")
            assert palette in (SCHEMES[scheme], None), f"{kind}: palette {palette}, not the {scheme} one"
            if path.endswith("/") or path == "":
                assert palette == SCHEMES[scheme], f"{kind}: the theme's page shows palette {palette}"
            for violation in _axe(page):
                for node in violation["nodes"]:
                    target = " ".join(map(str, node["target"]))
                    known = next((k for k in KNOWN if k.matches(violation["id"], target, node["html"])), None)
                    if known:
                        seen[known] += 1
                    else:
                        unknown.append((f"{kind} [{path or '/'}, {scheme}]", violation, node))
        assert (page.problems, failed) == ([], [])
    print(f"\naxe-core, {scheme} palette, {len(PAGE_KINDS)} page kinds: {len(unknown)} violation(s) of tfpub's own")
    for k, n in seen.items():
        print(f"  known, the theme's: {k.rule} x{n}: {k.reason}")
    assert not unknown, "axe-core violations in tfpub's pages:\n" + _report(unknown)
    stale = [k.rule for k, n in seen.items() if n == 0]
    assert not stale, f"known theme violations no page shows any more; remove them from KNOWN: {stale}"
