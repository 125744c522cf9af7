"""Every figure fits its column, with legible text, on a desktop, on a phone and on paper.

The example is built with the real CLI (real PlantUML, real mkdocs) and every profile,
transaction and supplement page is loaded in real headless Chromium at 1280 px and at
390 px wide, and in print layout. On every page: no figure is wider than its column
and the page does not scroll sideways; each picture's smallest text is at least the
minimum (generator/diagrams/fit.py) at the size it is drawn; on a desktop every picture
is drawn whole (it fits without scrolling in its frame). Each figure links to its
picture alone, outside the picture, and that file is a sanitised SVG. axe-core finds
no interactive element nested in another (``nested-interactive``: links inside an
image) and no scrollable frame a keyboard cannot reach.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import browser_page
from sitebuild import example_site, serve

from generator.diagrams.fit import MIN_PRINT_PX, MIN_TEXT_PX

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "tools" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": 1280, "phone": 390}
PRINT_WIDTH = 718  # A4 less Chromium's default margins, in CSS px: the width a printed page lays out at
AXE_RULES = ["nested-interactive", "scrollable-region-focusable", "svg-img-alt", "role-img-alt", "aria-allowed-role"]

# For each figure: the column (the content box of the page's text), the figure, its frame,
# its picture, the picture's natural width and smallest font, and whether the page scrolls sideways.
MEASURE = """() => {
  const doc = document.documentElement;
  const out = {scroll: doc.scrollWidth, viewport: doc.clientWidth, figures: []};
  for (const f of document.querySelectorAll('figure')) {
    const col = f.closest('.md-typeset') || document.body;
    const cs = getComputedStyle(col), cr = col.getBoundingClientRect();
    const left = cr.left + parseFloat(cs.paddingLeft), right = cr.right - parseFloat(cs.paddingRight);
    const fr = f.getBoundingClientRect();
    const frame = f.querySelector('.tfpub-diagram-frame');
    const svg = f.querySelector('svg, img');
    const item = {id: f.id, col: right - left, left: fr.left - left, right: fr.right - right, width: fr.width};
    if (frame) { const r = frame.getBoundingClientRect(); item.frame = r.width; item.frameRight = r.right - right;
                 item.inner = frame.scrollWidth - frame.clientWidth; }
    if (svg && svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width) {
      item.natural = svg.viewBox.baseVal.width;
      item.drawn = svg.getBoundingClientRect().width;
      const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size'))).filter(x => x > 0);
      item.font = sizes.length ? Math.min(...sizes) : 0;
    }
    out.figures.push(item);
  }
  return out;
}"""


def _pages(site: Path) -> list[str]:
    """Every profile, transaction and supplement page of the built site (and the supplements' print pages)."""
    iti = site / "ITI"
    pages = []
    for folder in ("volume-1", "volume-2", "supplements"):
        pages += sorted(p.parent.relative_to(site).as_posix() + "/" for p in (iti / folder).glob("*/index.html"))
    pages += sorted(p.relative_to(site).as_posix() for p in (iti / "supplements").glob("*/*.html") if p.name != "index.html")
    return pages


def _problems(url: str, view: str, m: dict, min_text: float, whole: bool) -> list[str]:
    found = []
    if m["scroll"] > m["viewport"] + 1:
        found.append(f"{url} ({view}): the page scrolls sideways ({m['scroll']} px in a {m['viewport']} px window)")
    for f in m["figures"]:
        name = f"{url}#{f['id']} ({view})"
        if f["left"] < -1 or f["right"] > 1:
            found.append(f"{name}: figure {f['width']:.0f} px overflows its {f['col']:.0f} px column")
        if "frame" in f and f["frameRight"] > 1:
            found.append(f"{name}: frame {f['frame']:.0f} px overflows its {f['col']:.0f} px column")
        if f.get("natural"):
            scale = f["drawn"] / f["natural"]
            if f["font"] and f["font"] * scale < min_text - 0.05:
                found.append(f"{name}: smallest text {f['font'] * scale:.1f} px (minimum {min_text} px), drawn at {scale:.0%}")
            if whole and f.get("inner", 0) > 1:
                found.append(f"{name}: picture {f['drawn']:.0f} px scrolls in its {f['frame']:.0f} px frame")
    return found


def _table(rows: list[tuple]) -> str:
    return "\n".join(f"  {view:8s} {natural:6.0f} px natural -> {drawn:6.0f} px in a {col:4.0f} px column  {name}" for view, natural, drawn, col, name in rows)


@pytest.fixture(scope="module")
def site() -> Path:
    return example_site()


def test_every_figure_fits_its_column_with_legible_text(site):
    pages = _pages(site)
    assert len([p for p in pages if "/volume-1/" in p]) >= 10 and len([p for p in pages if "/volume-2/" in p]) >= 20, pages
    assert any("/supplements/" in p for p in pages)
    problems, rows, figures = [], [], 0
    with serve(site) as base:
        for view, width in WIDTHS.items():
            with browser_page(viewport={"width": width, "height": 900}) as page:
                for url in pages:
                    page.goto(base + url)
                    m = page.evaluate(MEASURE)
                    problems += _problems(url, view, m, MIN_TEXT_PX, whole=view == "desktop")
                    for f in m["figures"]:
                        figures += 1
                        if f.get("natural"):
                            rows.append((view, f["natural"], f["drawn"], f["col"], f"{url}#{f['id']}"))
                assert page.problems == []  # type: ignore[attr-defined]
        with browser_page(viewport={"width": PRINT_WIDTH, "height": 1000}) as page:
            page.emulate_media(media="print")
            for url in pages:
                page.goto(base + url)
                m = page.evaluate(MEASURE)
                problems += _problems(url, "print", m, MIN_PRINT_PX, whole=True)
                rows += [("print", f["natural"], f["drawn"], f["col"], f"{url}#{f['id']}") for f in m["figures"] if f.get("natural")]
    widest = sorted((r for r in rows if r[0] == "desktop"), reverse=True, key=lambda r: r[1])[:6]
    print(f"\n{len(pages)} pages, {figures} figure views; widest:\n" + _table(widest))
    assert figures > 60
    assert problems == [], "\n".join(problems)


def test_each_figure_links_to_its_picture_alone_outside_the_picture(site):
    """The "full size" link is a sibling of the picture (no link nested in the image), and
    its target is the same picture as a standalone, sanitised SVG beside the page."""
    with serve(site) as base, browser_page(viewport={"width": 390, "height": 900}) as page:
        for url in ("ITI/volume-1/XDS.b/", "ITI/volume-1/ATNA/", "ITI/volume-2/ITI-18/"):
            page.goto(base + url)
            links = page.eval_on_selector_all(
                "figure.tfpub-diagram", "fs => fs.map(f => { const a = f.querySelector('.tfpub-diagram-full a');"
                " return {id: f.id, href: a && a.getAttribute('href'), inSvg: !!(a && a.closest('svg')), text: a && a.textContent}; })",
            )
            assert links and all(link["href"] and not link["inSvg"] for link in links), (url, links)
            for link in links:
                assert link["text"].startswith("Open Figure ") and link["text"].endswith(" full size"), link
                file = site / url / link["href"]
                text = file.read_text(encoding="utf-8")
                assert text.startswith("<svg") and "<script" not in text and "<title>" in text, file
                response = page.goto(base + url + link["href"])
                assert response.ok and "svg" in response.headers["content-type"]
                # the picture's own links still lead where the page's do: relative to the same folder
                hrefs = page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))")
                for href in hrefs[:3]:
                    assert (site / url / href / "index.html").is_file() or (site / url / href.split("#")[0] / "index.html").is_file(), href
                page.goto(base + url)


def test_axe_finds_no_nested_interactive_element_in_figures(site):
    """On the phone, where frames scroll (the rules that do not depend on the width hold on any)."""
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (npm ci --prefix tools; make test does this)")
    found, checked = [], 0
    with serve(site) as base, browser_page(viewport={"width": WIDTHS["phone"], "height": 900}) as page:
        for url in _pages(site):
            page.goto(base + url)
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                "async rules => (await axe.run(document, {runOnly: rules, resultTypes: ['violations']})).violations", AXE_RULES
            )
            found += [f"{url}: {v['id']}: {n['target']} {n['html'][:120]}" for v in violations for n in v["nodes"]]
            checked += page.locator("figure.tfpub-diagram svg").count()
    assert checked > 40
    assert found == [], "\n".join(found)
