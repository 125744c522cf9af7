"""Authors' figures, tables and images in narrative: captioned, numbered by section, referable, published safely.

The syntax and its checks (generator/check/author_content.py), the numbering pass
(generator/render/author_figures.py) and the rendering (generator/render/narrative.py),
read back from a real build of the example with captioned content added (mkdocs,
PlantUML), from the Word document of the chapter, and from a supplement's page.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from conftest import expect, show, with_rule
from lxml import etree
from lxml import html as lxml_html
from sitebuild import copy_project

from generator.check.author_content import clean_svg, svg_problem
from generator.render.author_figures import NUMBER, REFERENCE, apply, numbers

REPO = Path(__file__).resolve().parents[1]
DOC_REL = "ITX/profiles/DOC.yaml"


def png(width: int, height: int, rgb: bytes = b"\xff\x00\x00") -> bytes:
    """A real PNG, made here (no image library needed)."""
    raw = b"".join(b"\x00" + rgb * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


SAFE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#ccc"/><text x="5" y="25">Flow</text></svg>'
OVERVIEW = """The deployment is shown in [[figure:fig-deploy]], the flow in [[figure:fig-flow]]
and the fields in [[table:tab-fields]].

```plantuml {#fig-flow caption="Identifier flow"}
Source -> Manager : feed
```

![A deployment of two sites](images/deploy.png){#fig-deploy caption="Deployment"}

![The flow of a feed](images/flow.svg)

Table: Fields of the feed {#tab-fields}
| Field | Meaning |
| --- | --- |
| PID-3 | identifiers |

"""


# --------------------------------------------------------------------------- the example, built


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("authored") / "project")
    images = root / "specs" / "ITI" / "profiles" / "images"
    images.mkdir()
    (images / "deploy.png").write_bytes(png(40, 20))
    (images / "flow.svg").write_text(SAFE_SVG, encoding="utf-8")
    pix = root / "specs" / "ITI" / "profiles" / "PIX.yaml"
    text = pix.read_text(encoding="utf-8")
    assert "overview: |\n" in text
    pix.write_text(text.replace("overview: |\n", "overview: |\n" + "".join("  " + line if line else line for line in OVERVIEW.splitlines(keepends=True)), 1), encoding="utf-8")
    # an image alone in a field (no diagram there), and one an amendment appends, next to amendments.yaml
    text = pix.read_text(encoding="utf-8")
    assert "security: >-\n" in text
    pix.write_text(text.replace("security: >-\n", "security: |-\n  ![A secured link](images/deploy.png)\n\n", 1), encoding="utf-8")
    ondemand = root / "specs" / "ITI" / "supplements" / "XDS.b-on-demand"
    (ondemand / "pictures").mkdir()
    (ondemand / "pictures" / "assembled.png").write_bytes(png(30, 10, b"\x00\x80\x00"))
    amendments = ondemand / "amendments.yaml"
    text = amendments.read_text(encoding="utf-8")
    marker = "    field: overview\n    text: |\n"
    assert marker in text
    amendments.write_text(text.replace(marker, marker + '      ![An assembled document](pictures/assembled.png){#fig-assembled caption="Assembling on demand"}\n\n', 1), encoding="utf-8")
    pdqm = root / "specs" / "ITI" / "supplements" / "PDQm" / "profiles" / "PDQm.yaml"
    text = pdqm.read_text(encoding="utf-8")
    pdqm.write_text(text.replace("overview: |\n", 'overview: |\n  The query is drawn in [[figure:fig-query]].\n\n  ```plantuml {#fig-query caption="A mobile query"}\n  App -> Server : GET /Patient\n  ```\n\n', 1), encoding="utf-8")
    return root


def tfpub(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def site(project) -> Path:
    done = tfpub("build", "-d", str(project / "site"), cwd=project)
    assert done.returncode == 0, done.stderr
    return project / "site"


def _page(site: Path, rel: str):
    return lxml_html.fromstring((site / rel / "index.html").read_bytes())


def test_captioned_figures_and_tables_are_numbered_by_their_section(site):
    doc = _page(site, "ITI/volume-1/PIX")
    captions = {f.get("id"): " ".join(f.find(".//figcaption").text_content().split()) for f in doc.iter("figure") if f.find(".//figcaption") is not None}
    # the overview stands in 5.4.1; the publisher's own figures keep their numbers
    assert captions["fig-flow"] == "Figure 5.4.1-1: Identifier flow"
    assert captions["fig-deploy"] == "Figure 5.4.1-2: Deployment"
    assert captions["figure-actor-diagram"] == "Figure 5.1-1: PIX Actor Diagram"
    caption = doc.get_element_by_id("tab-fields")
    assert " ".join(caption.text_content().split()) == "Table 5.4.1-1: Fields of the feed"
    assert caption.getnext().tag == "table" or caption.getnext().find(".//table") is not None, "the caption stands above its table"
    # the diagram is drawn (a real SVG from PlantUML), the image is an <img>
    assert doc.get_element_by_id("fig-flow").find(".//{http://www.w3.org/2000/svg}svg") is not None or doc.get_element_by_id("fig-flow").find(".//svg") is not None


def test_references_read_as_the_number_and_link_to_the_figure(site):
    doc = _page(site, "ITI/volume-1/PIX")
    links = {a.get("href"): a.text_content() for a in doc.iter("a") if (a.get("href") or "").startswith(("#fig-", "#tab-"))}
    assert links == {"#fig-deploy": "Figure 5.4.1-2", "#fig-flow": "Figure 5.4.1-1", "#tab-fields": "Table 5.4.1-1"}
    ids = {el.get("id") for el in doc.iter() if isinstance(el.tag, str)}
    assert {"fig-deploy", "fig-flow", "tab-fields"} <= ids
    assert "\u2063" not in (site / "ITI/volume-1/PIX/index.html").read_text(encoding="utf-8"), "no marker is left on the page"


def test_images_are_copied_into_the_site(site, project):
    doc = _page(site, "ITI/volume-1/PIX")
    page_dir = site / "ITI" / "volume-1" / "PIX"
    found = {img.get("alt"): (page_dir / img.get("src")).resolve() for img in doc.iter("img") if "tfpub-image" in (img.get("class") or "")}
    assert set(found) == {"A deployment of two sites", "The flow of a feed", "A secured link"}
    # PNG as it is; SVG parsed and written again (still the same picture)
    assert found["A deployment of two sites"].read_bytes() == (project / "specs/ITI/profiles/images/deploy.png").read_bytes()
    svg = etree.fromstring(found["The flow of a feed"].read_bytes())
    assert etree.QName(svg).localname == "svg" and "".join(svg.itertext()) == "Flow"


def test_word_chapter_numbers_them_and_shows_the_png(project, tmp_path):
    import docx

    out = tmp_path / "PIX.docx"
    done = tfpub("docx", "--profile", "PIX", "-o", str(out), cwd=project)
    assert done.returncode == 0, done.stderr
    d = docx.Document(str(out))
    texts = [p.text for p in d.paragraphs]
    assert "Figure 5.4.1-1: Identifier flow" in texts and "Figure 5.4.1-2: Deployment" in texts
    assert any(t.startswith("The deployment is shown in Figure 5.4.1-2, the flow in Figure 5.4.1-1") for t in texts)
    assert "Table 5.4.1-1: Fields of the feed" in texts
    with zipfile.ZipFile(out) as z:
        media = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
    assert png(40, 20) in media, "the author's PNG is a picture in Word, byte for byte"
    k = texts.index("Figure 5.4.1-2: Deployment")
    described = d.paragraphs[k - 1]._p.xpath(".//wp:docPr")
    assert described and described[0].get("descr") == "A deployment of two sites"


def test_supplement_numbers_its_authors_figures(site):
    doc = _page(site, "ITI/supplements/PDQm")
    fig = doc.get_element_by_id("pdqm-fig-query")
    assert " ".join(fig.find(".//figcaption").text_content().split()) == "Figure 38.4.1-1: A mobile query"
    link = next(a for a in doc.iter("a") if a.text_content() == "Figure 38.4.1-1")
    assert link.get("href") == "#pdqm-fig-query"


def test_an_amendments_image_is_published_with_the_supplement(site, project):
    doc = _page(site, "ITI/supplements/XDS.b-on-demand")
    fig = doc.get_element_by_id("xds-b-fig-assembled")
    assert " ".join(fig.find(".//figcaption").text_content().split()) == "Figure 10.4.1-1: Assembling on demand"  # the overview is 10.4.1, amended
    img = fig.find(".//img")
    published = (site / "ITI" / "supplements" / "XDS.b-on-demand" / img.get("src")).resolve()
    assert published.read_bytes() == png(30, 10, b"\x00\x80\x00")
    # the print page stands alone: the picture is in it
    printed = lxml_html.fromstring((site / "ITI" / "supplements" / "XDS.b-on-demand" / "XDS.b-on-demand.html").read_bytes())
    src = printed.get_element_by_id("xds-b-fig-assembled").find(".//img").get("src")
    assert src.startswith("data:image/png;base64,")


# --------------------------------------------------------------------------- validation


def overview(tree, text: str) -> None:
    tree[DOC_REL]["overview"] = text


def test_valid_author_content_passes(tree):
    tree["ITX/profiles/images/deploy.png"] = png(4, 4)
    overview(tree, "See [[figure:fig-a]].\n\n![Two sites](images/deploy.png){#fig-a caption=\"Sites\"}\n\nTable: Fields {#tab-b}\n| a |\n| --- |\n| 1 |\n")
    result = tree.validate()
    assert result.ok and not result.problems, show(result.problems)


@pytest.mark.parametrize("src, setup, says", [
    ("images/missing.png", None, "image 'images/missing.png': no such file"),
    ("../../../outside.png", "outside", "is outside the specs folder"),
    ("/etc/passwd.png", None, "is an absolute path"),
    ("https://example.org/x.png", None, "is not a file of the specs folder"),
    ("images/notes.txt", None, "is not a PNG, JPEG or SVG file"),
])
def test_an_image_that_is_not_a_file_of_the_specs_is_a_located_error(tree, src, setup, says):
    if setup == "outside":
        (tree.root.parent / "outside.png").write_bytes(png(2, 2))
    overview(tree, f"The picture:\n\n![a picture]({src})\n")
    result = tree.validate()
    line = tree.line_of(DOC_REL, f"![a picture]({src})")
    problem = expect(result, "narrative-image", DOC_REL, line, col=tree.col_of(DOC_REL, "![a picture]"))
    assert problem.is_error and says in problem.message, problem.message


@pytest.mark.parametrize("svg, says", [
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
    ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>', "event handler onload"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="https://evil.example/t.png"/></svg>', "refers to 'https://evil.example/t.png'"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://evil.example/x)"/></svg>', "loads something from outside"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(x.css);</style></svg>', "<style> loads something"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>hi</p></foreignObject></svg>', "<foreignObject>"),
    ('<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', "DOCTYPE or entities"),
    ("<svg", "not well-formed"),
])
def test_an_unsafe_svg_is_a_located_error(tree, svg, says):
    tree["ITX/profiles/images/x.svg"] = svg
    overview(tree, "The picture:\n\n![a picture](images/x.svg)\n")
    result = tree.validate()
    problem = expect(result, "narrative-image", DOC_REL, tree.line_of(DOC_REL, "![a picture]"), col=tree.col_of(DOC_REL, "![a picture]"))
    assert says in problem.message, problem.message


def test_published_svg_is_cleaned_again():
    """A second line of defence: what is copied to the site has no script, handler or outside reference,
    even if the check above were skipped."""
    dirty = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="x()">'
             b'<script>alert(1)</script><a xlink:href="javascript:x()"><rect onclick="y()" style="fill:url(http://e/x)"/></a>'
             b'<use href="#r"/><metadata>m</metadata><text>kept</text></svg>')
    assert svg_problem(dirty)
    cleaned = clean_svg(dirty).decode("utf-8")
    for gone in ("script", "onload", "onclick", "javascript", "http://e/", "metadata"):
        assert gone not in cleaned, gone
    assert 'href="#r"' in cleaned and "kept" in cleaned and svg_problem(clean_svg(dirty)) == ""


@pytest.mark.parametrize("text, needle, says", [
    ('```plantuml {#flow caption="F"}\nA -> B\n```\n', "{#flow", "'flow' is not a figure id"),
    ('```plantuml {#fig-flow}\nA -> B\n```\n', "{#fig-flow", "has no caption"),
    ('```plantuml {caption=F #x}\nA -> B\n```\n', "{caption=F", "are not ones tfpub reads"),
    ("Table: Fields {#fig-x}\n| a |\n| --- |\n| 1 |\n", "Table: Fields", "'fig-x' is not a table id"),
    ("Table: Fields {#tab-x}\n\nNo table here.\n", "Table: Fields", "right above its table"),
])
def test_a_wrong_label_is_a_located_error(tree, text, needle, says):
    overview(tree, "Before.\n\n" + text)
    result = tree.validate()
    problems = with_rule(result, "narrative-label")
    assert len(problems) == 1, show(result.problems)
    assert problems[0].loc.line == tree.line_of(DOC_REL, needle) and says in problems[0].message, show(problems)


def test_an_id_given_twice_is_an_error_at_the_second(tree):
    overview(tree, '```plantuml {#fig-a caption="A"}\nA -> B\n```\n\n```plantuml {#fig-a caption="B"}\nB -> A\n```\n')
    result = tree.validate()
    problem = expect(result, "narrative-label", DOC_REL, tree.line_of(DOC_REL, 'caption="B"'))
    assert "given twice" in problem.message


def test_a_reference_to_no_figure_of_the_file_is_an_error_with_a_suggestion(tree):
    overview(tree, 'See [[figure:fig-flw]].\n\n```plantuml {#fig-flow caption="Flow"}\nA -> B\n```\n')
    result = tree.validate()
    problem = expect(result, "unresolved-reference", DOC_REL, tree.line_of(DOC_REL, "[[figure:fig-flw]]"), col=tree.col_of(DOC_REL, "[[figure:fig-flw]]"))
    assert "names no figure of this file (did you mean 'fig-flow'?)" in problem.message


def test_image_syntax_in_code_and_names_is_text(tree):
    overview(tree, "Write `![alt](x.png)` for an image, or:\n\n```\n![alt](x.png){#fig-x}\n```\n")
    tree["ITX/actors/time-client.yaml"]["name"] = "Time Client ![i](x.png)"
    result = tree.validate()
    assert not with_rule(result, "narrative-image") and not with_rule(result, "narrative-label"), show(result.problems)


# --------------------------------------------------------------------------- numbering


def test_numbers_skip_the_publishers_own_and_follow_the_section():
    text = "\n".join([
        "## 10.1 Actors { #actors}",
        "<!--tfpub-diagram:md-1@fig-a-->",
        "## 10.4.2 Use Cases { #uc}",
        f"<p>{NUMBER.format(id='fig-b')}</p> <p>{NUMBER.format(id='tab-c')}</p>",
        f"<p>{NUMBER.format(id='fig-d')}</p> see {REFERENCE.format(kind='figure', id='fig-a')}",
    ])
    found = numbers(text, {"figure:10.1-1", "table:10.4.2-1"})
    assert found == {"fig-a": "10.1-2", "fig-b": "10.4.2-1", "tab-c": "10.4.2-2", "fig-d": "10.4.2-2"}
    assert apply(text, found).endswith("<p>10.4.2-2</p> see Figure 10.1-2")
