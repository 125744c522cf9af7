"""Supplement documents carry their figures, in every form: the site page, the print page, the PDF, Word.

A new profile brings its actor diagram, a new transaction its interaction diagram,
a new use case its process flow, each numbered as the volumes will number it; a
figure an amendment changes is given as "replace Figure X with:" and the new
figure. Each form is read back as a reader gets it: the built site's HTML (real
mkdocs), the print page, the PDF printed by real headless Chromium (pdftotext for
the words, pdftoppm for the ink of the drawing), the .docx (its media parts, its
paragraphs in order).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import REPO_ROOT, run_cli
from lxml import html as lxml_html
from sitebuild import SPECS, example_site

from generator.supplements.printing import find_chromium

SVG_NS = "http://www.w3.org/2000/svg"

NEW = {
    "PDQm": [
        "Figure 38.1-1: PDQm Actor Diagram",
        "Figure 38.4.2.1-1: Identifying a patient at the bedside: Process Flow",
        "Figure 38.4.2.2-1: Matching a referral to an existing patient: Process Flow",
        "Figure 3.78.4-1: Interaction Diagram",
        "Figure 3.119.4-1: Interaction Diagram",
    ],
    "XDS.b-on-demand": [
        "Figure 10.4.2.2-1: Retrieving an up-to-date medication list: Process Flow",
        "Figure 3.61.4-1: Interaction Diagram",
    ],
}
REPLACED = {"PDQm": [], "XDS.b-on-demand": ["Figure 10.1-1: XDS.b Actor Diagram", "Figure 3.43.4-1: Interaction Diagram"]}


def squash(text: str) -> str:
    return " ".join(text.split())


def figures_of(doc) -> dict[str, object]:
    """caption -> the <figure> element, for every figure of an HTML document."""
    out = {}
    for fig in doc.iter("figure"):
        cap = fig.find(".//figcaption")
        assert cap is not None, "a figure without its caption"
        out[squash(cap.text_content())] = fig
    return out


def svg_of(fig):
    found = [el for el in fig.iter() if isinstance(el.tag, str) and el.tag.rpartition("}")[2] == "svg"]
    assert len(found) == 1, "a figure holds one picture"
    return found[0]


def svg_words(svg) -> str:
    return squash(" ".join(el.text_content() for el in svg.iter() if isinstance(el.tag, str) and el.tag.rpartition("}")[2] == "text"))


def check_figures(doc, sid: str) -> dict[str, object]:
    figs = figures_of(doc)
    for caption in NEW[sid] + REPLACED[sid]:
        assert caption in figs, f"{sid}: no {caption!r} (figures: {sorted(figs)})"
        svg = svg_of(figs[caption])
        assert svg_words(svg), f"{caption}: the picture draws nothing"
        ids = {el.get("id") for el in doc.iter() if isinstance(el.tag, str) and el.get("id")}
        for ref in (svg.get("aria-labelledby") or "").split() + (svg.get("aria-describedby") or "").split():
            assert ref in ids, f"{caption}: its label {ref!r} is not on the page"
    # a replaced figure comes right after its editor instruction; a new one has none
    for fig_caption in REPLACED[sid]:
        number = fig_caption.split(":")[0]
        before = figs[fig_caption].getprevious()
        assert before is not None and squash(before.text_content()) == f"Editor: replace {number} with:", fig_caption
    for fig_caption in NEW[sid]:
        before = figs[fig_caption].getprevious()
        assert before is None or "replace Figure" not in before.text_content(), fig_caption
    text = squash(doc.text_content())
    assert text.count("replace Figure") == len(REPLACED[sid]), "one instruction per changed figure, none for unchanged ones"
    return figs


@pytest.fixture(scope="module")
def site() -> Path:
    return example_site()


@pytest.mark.parametrize("sid", ["PDQm", "XDS.b-on-demand"])
def test_site_page_carries_the_figures(site, sid):
    page = site / "ITI" / "supplements" / sid / "index.html"
    doc = lxml_html.fromstring(page.read_bytes())
    figs = check_figures(doc, sid)
    ids = [el.get("id") for el in doc.iter() if isinstance(el.tag, str) and el.get("id")]
    assert len(ids) == len(set(ids)), "ids on the supplement page are unique"
    # the diagram's links lead somewhere from the supplement page: a section of it, or a published page
    for caption, fig in figs.items():
        for a in (el for el in fig.iter() if isinstance(el.tag, str) and el.tag.rpartition("}")[2] == "a"):
            href = a.get("href") or ""
            path, _, frag = href.partition("#")
            if not path:
                assert frag in ids, f"{caption}: link {href!r} to nothing on the page"
            else:
                target = (page.parent / path).resolve()
                assert (target / "index.html").is_file() or target.is_file(), f"{caption}: link {href!r} to no page"


def test_new_actor_is_in_the_replacing_diagram(site):
    doc = lxml_html.fromstring((site / "ITI" / "supplements" / "XDS.b-on-demand" / "index.html").read_bytes())
    figs = figures_of(doc)
    assert "On-Demand Document Source" in svg_words(svg_of(figs["Figure 10.1-1: XDS.b Actor Diagram"]))
    assert "Register On-Demand Document Entry" in svg_words(svg_of(figs["Figure 10.1-1: XDS.b Actor Diagram"]))
    assert "On-Demand Document Source" in svg_words(svg_of(figs["Figure 3.43.4-1: Interaction Diagram"]))


@pytest.mark.parametrize("sid", ["PDQm", "XDS.b-on-demand"])
def test_print_page_carries_the_figures_and_stands_alone(site, sid):
    page = site / "ITI" / "supplements" / sid / f"{sid}.html"
    doc = lxml_html.fromstring(page.read_bytes())
    figs = check_figures(doc, sid)
    for caption, fig in figs.items():
        for a in (el for el in fig.iter() if isinstance(el.tag, str) and el.tag.rpartition("}")[2] == "a"):
            href = a.get("href") or ""
            assert href.startswith("#") or re.match(r"^https?:", href), f"{caption}: {href!r} would not resolve from a mailbox"


# --------------------------------------------------------------------------- PDF


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    if find_chromium() is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils is not installed (apt-get install poppler-utils)")
    out = tmp_path_factory.mktemp("pdf") / "xds.pdf"
    done = run_cli("supplement", "pdf", "XDS.b-on-demand", "--specs", str(SPECS), "-o", str(out), cwd=REPO_ROOT, timeout=240)
    assert done.returncode == 0, done.stderr
    return out


def _words(pdf: Path, page: int) -> list[tuple[float, float, str]]:
    """(x, y, word) of a page's words, in points from the top left (pdftotext -bbox)."""
    done = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60)
    return [(float(m.group(1)), float(m.group(2)), lxml_html.fromstring(m.group(3)).text_content())
            for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>(.*?)</word>', done.stdout)]


def _gray(pdf: Path, page: int, dpi: int, tmp: Path) -> tuple[int, int, bytes]:
    """The page rendered in grey (pdftoppm -gray, a binary PGM): width, height, pixels."""
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(tmp / "page")], check=True, timeout=60)
    data = (tmp / "page.pgm").read_bytes()
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", data)
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, data[m.end():]


@pytest.mark.parametrize("caption, drawn", [
    ("Figure 10.1-1: XDS.b Actor Diagram", ["On-Demand Document Source", "Document Registry"]),
    ("Figure 3.61.4-1: Interaction Diagram", ["On-Demand Document Source", "Document Registry"]),
])
def test_pdf_carries_the_figures(pdf, tmp_path, caption, drawn):
    pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60).stdout.split("\f")
    number = next(i + 1 for i, text in enumerate(pages) if caption in squash(text))
    words = _words(pdf, number)
    label = caption.split(":")[0].split()[1]  # "10.1-1"
    cap_y = next(y for k, (_x, y, w) in enumerate(words) if w == "Figure" and k + 1 < len(words) and words[k + 1][2] == f"{label}:")
    # the drawing's own words stand above its caption, on the same page
    above = squash(" ".join(w for _x, y, w in words if y < cap_y))
    for text in drawn:
        assert text in above, f"{caption}: {text!r} not drawn above the caption"
    if caption.startswith("Figure 10.1-1"):
        top = next(y for k, (_x, y, w) in enumerate(words) if w == "replace" and words[k + 1][2] == "Figure" and words[k + 2][2] == label)
    else:
        top = max(y for _x, y, w in words if y < cap_y and w in ("Messages", "3.61.4"))  # the section heading above it
    # ink between the heading/instruction and the caption: the boxes and lines of the picture
    dpi = 36
    w, h, pixels = _gray(pdf, number, dpi, tmp_path)
    scale = dpi / 72
    rows = range(int((top + 14) * scale), int(cap_y * scale) - 1)
    dark = sum(1 for r in rows for px in pixels[r * w:(r + 1) * w] if px < 160)
    assert len(rows) > 20 and dark > 300, f"{caption}: {dark} dark pixels in {len(rows)} rows: no picture"


# --------------------------------------------------------------------------- Word


@pytest.fixture(scope="module")
def word(tmp_path_factory) -> dict[str, Path]:
    out = {}
    root = tmp_path_factory.mktemp("docx")
    for sid in ("PDQm", "XDS.b-on-demand"):
        path = root / f"{sid}.docx"
        done = run_cli("supplement", "build", sid, "--specs", str(SPECS), "--format", "docx", "-o", str(path), cwd=REPO_ROOT, timeout=240)
        assert done.returncode == 0, done.stderr
        assert "diagram-renderer-missing" not in done.stderr, done.stderr
        out[sid] = path
    return out


@pytest.mark.parametrize("sid", ["PDQm", "XDS.b-on-demand"])
def test_word_document_carries_the_figures_as_pictures(word, sid):
    import docx

    path = word[sid]
    with zipfile.ZipFile(path) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        pngs = [z.read(n) for n in media]
    d = docx.Document(str(path))
    paragraphs = d.paragraphs
    captions = [p.text for p in paragraphs if p.style.name == "Caption" and p.text.startswith("Figure ")]
    expected = NEW[sid] + REPLACED[sid]
    assert sorted(captions) == sorted(expected)
    assert len(media) == len(expected), media
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000 for png in pngs)
    for k, p in enumerate(paragraphs):
        if p.text in expected:
            picture = paragraphs[k - 1]._p
            drawing = picture.xpath(".//wp:docPr")
            assert drawing and drawing[0].get("descr"), f"{p.text}: no picture with its text alternative above the caption"
            instruction = paragraphs[k - 2].text
            if p.text in REPLACED[sid]:
                assert instruction == f"Editor: replace {p.text.split(':')[0]} with:"
            else:
                assert "replace Figure" not in instruction


def test_the_same_specs_give_the_same_word_bytes(word, tmp_path):
    """Figures included: PlantUML's PNG is byte-stable and the media parts are numbered in document order."""
    again = tmp_path / "again.docx"
    done = run_cli("supplement", "build", "XDS.b-on-demand", "--specs", str(SPECS), "--format", "docx", "-o", str(again), cwd=REPO_ROOT, timeout=240)
    assert done.returncode == 0, done.stderr
    assert again.read_bytes() == word["XDS.b-on-demand"].read_bytes()


def test_a_changed_author_diagram_is_replaced_with_its_number(tmp_path):
    """An author's captioned diagram that an amendment changes: "replace Figure 10.5-1 with:" and the new one."""
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    fence = '```plantuml {#fig-channel caption="A protected channel"}\n'
    xds = specs / "ITI" / "profiles" / "XDS.b.yaml"
    text = xds.read_text(encoding="utf-8")
    assert "security: |\n" in text
    xds.write_text(text.replace("security: |\n", f"security: |\n  See [[figure:fig-channel]].\n\n  {fence}  Consumer -> Registry : TLS\n  ```\n\n", 1), encoding="utf-8")
    amendments = specs / "ITI" / "supplements" / "XDS.b-on-demand" / "amendments.yaml"
    amendments.write_text(amendments.read_text(encoding="utf-8") + (
        "  - op: replace-narrative\n    profile: XDS.b\n    field: security\n    text: |\n"
        f"      See [[figure:fig-channel]].\n\n      {fence}      Consumer -> Registry : mutual TLS\n      ```\n"), encoding="utf-8")
    out = tmp_path / "xds.html"
    done = run_cli("supplement", "build", "XDS.b-on-demand", "--specs", str(specs), "-o", str(out), cwd=REPO_ROOT, timeout=240)
    assert done.returncode == 0, done.stderr
    doc = lxml_html.fromstring(out.read_bytes())
    figs = figures_of(doc)
    fig = figs["Figure 10.5-1: A protected channel"]
    assert "mutual TLS" in svg_words(svg_of(fig))
    assert squash(fig.getprevious().text_content()) == "Editor: replace Figure 10.5-1 with:"
    link = next(a for a in doc.iter("a") if a.text_content() == "Figure 10.5-1")
    assert link.get("href") == "#" + fig.get("id")
