"""Word output: supplements with their changes as real Word revisions, and volume chapters.

The documents are made by the real command line on a copy of the example, read
back as OOXML with lxml, and converted by the real LibreOffice (headless), which
must take them without error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import REPO_ROOT, run_cli
from lxml import etree

from generator.diagrams.renderer import png_size
from generator.render.word import TEXT_WIDTH_TWIPS, fit_widths

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "wp": WP, "a": A}
JAVA = shutil.which("java")
SPECS = REPO_ROOT / "specs"


@pytest.fixture(scope="module")
def specs(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("word") / "specs"
    shutil.copytree(SPECS, target)
    return target


def build(specs: Path, out: Path, *args: str) -> Path:
    done = run_cli(*args, "-o", str(out), cwd=specs.parent, timeout=180)
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in done.stderr
    return out


def supplement(specs: Path, sid: str, out: Path, *extra: str) -> Path:
    return build(specs, out, "supplement", "build", sid, "--specs", str(specs), "--format", "docx", *extra)


def body(path: Path):
    return etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))


def headings(path: Path) -> list[tuple[str, str]]:
    out = []
    for p in docx.Document(str(path)).paragraphs:
        if p.style.name.startswith("Heading") or p.style.name == "Title":
            out.append((p.style.name, p.text))
    return out


@pytest.fixture(scope="module")
def on_demand(specs, tmp_path_factory) -> Path:
    return supplement(specs, "XDS.b-on-demand", tmp_path_factory.mktemp("xds") / "XDS.b-on-demand.docx")


@pytest.fixture(scope="module")
def pdqm(specs, tmp_path_factory) -> Path:
    return supplement(specs, "PDQm", tmp_path_factory.mktemp("pdqm") / "PDQm.docx")


# --------------------------------------------------------------------------- supplements


def test_amendments_are_word_revisions_by_tfpub_on_the_supplement_date(on_demand):
    root = body(on_demand)
    ins, dels = root.findall(".//w:ins", NS), root.findall(".//w:del", NS)
    assert ins and dels
    for change in ins + dels:
        assert change.get(f"{{{W}}}author") == "tfpub"
        assert change.get(f"{{{W}}}date") == "2023-08-04T00:00:00Z"  # supplement.yaml's date
    ids = [c.get(f"{{{W}}}id") for c in ins + dels]
    assert len(ids) == len(set(ids))
    inserted = " ".join("".join(t.text for t in e.iter(f"{{{W}}}t")) for e in ins)
    assert "Register On-Demand Document Entry [ITI-61]" in inserted  # the Document Registry's new row
    assert "or on-demand sources" in inserted  # the Document Consumer's amended description
    removed = ["".join(t.text for t in e.iter(f"{{{W}}}delText")) for e in dels]
    assert "and" in removed
    # a removed word is w:delText inside w:del, never plain text
    assert not [t for e in dels for t in e.iter(f"{{{W}}}t")]


def test_new_rows_are_inserted_rows(on_demand):
    root = body(on_demand)
    rows = [tr for tr in root.iter(f"{{{W}}}tr") if tr.find("w:trPr/w:ins", NS) is not None]
    texts = ["".join(t.text for t in tr.iter(f"{{{W}}}t")) for tr in rows]
    assert any(t.startswith("Register On-Demand Document Entry [ITI-61]Responder") for t in texts), texts


def test_supplement_headings_carry_their_numbers_and_editor_instructions_are_boxed(on_demand):
    found = headings(on_demand)
    assert ("Title", "XDS.b On-Demand Documents") in found  # the title page
    assert ("Heading 1", "Volume 1 \u2013 Profiles") in found
    assert ("Heading 2", "10 Cross-Enterprise Document Sharing (XDS.b)") in found
    assert ("Heading 3", "10.1 XDS.b Actors, Transactions, and Content Modules") in found
    # 10.1.1 is not shown (unchanged), so its subsections nest one level below 10.1 (supplements.document.nest_headings)
    assert ("Heading 4", "10.1.1.7 On-Demand Document Source") in found
    assert ("Heading 2", "3.61 Register On-Demand Document Entry [ITI-61]") in found
    document = docx.Document(str(on_demand))
    editor = [p.text for p in document.paragraphs if p.style.name == "Editor Instruction"]
    assert "Editor: amend Section ITI TF-1: 10.1 XDS.b Actors, Transactions, and Content Modules as follows:" in editor
    style = document.styles["Editor Instruction"].element
    assert style.find(".//w:pBdr", NS) is not None and style.find(".//w:shd", NS) is not None
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Comment on this section" not in text  # site furniture stays on the site


def test_tables_have_captions_header_rows_and_widths_within_the_text_width(on_demand):
    document = docx.Document(str(on_demand))
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert "Table 10.1-1: XDS.b Profile - Actors and Transactions" in captions
    root = body(on_demand)
    tables = root.findall(".//w:body/w:tbl", NS)
    assert len(tables) >= 8
    for tbl in tables:
        cols = [int(c.get(f"{{{W}}}w")) for c in tbl.findall("w:tblGrid/w:gridCol", NS)]
        assert sum(cols) == 9360, cols  # 6.5 in: Letter with 1 in margins
        assert tbl.find("w:tr/w:trPr/w:tblHeader", NS) is not None
    actors = next(t for t in tables if "Initiator or Responder" in "".join(x.text for x in t.iter(f"{{{W}}}t")))
    cols = [int(c.get(f"{{{W}}}w")) for c in actors.findall("w:tblGrid/w:gridCol", NS)]
    assert len(set(cols)) > 1  # fitted, not equal
    assert cols[1] > cols[3]  # Transactions wider than Optionality


def test_new_profile_supplement_has_its_chapter_with_numbered_sections(pdqm):
    found = headings(pdqm)
    assert ("Heading 2", "38 Patient Demographics Query for Mobile (PDQm)") in found
    assert any(style == "Heading 3" and text.startswith("38.1 ") for style, text in found)
    root = body(pdqm)
    assert root.findall(".//w:ins", NS)  # the paragraph added to PDQ's Cross-Profile Considerations
    assert len(root.findall(".//w:body/w:tbl", NS)) >= 5


def test_markup_formatting_has_no_revisions(specs, tmp_path):
    out = supplement(specs, "XDS.b-on-demand", tmp_path / "formatted.docx", "--markup", "formatting")
    root = body(out)
    assert not root.findall(".//w:ins", NS) and not root.findall(".//w:del", NS) and not root.findall(".//w:delText", NS)
    runs = [r for r in root.iter(f"{{{W}}}r") if "".join(t.text or "" for t in r.iter(f"{{{W}}}t")) == "or on-demand sources"]
    assert runs and runs[0].find("w:rPr/w:b", NS) is not None and runs[0].find("w:rPr/w:u", NS) is not None
    struck = [r for r in root.iter(f"{{{W}}}r") if r.find("w:rPr/w:strike", NS) is not None]
    assert any("".join(t.text or "" for t in r.iter(f"{{{W}}}t")) == "and" for r in struck)


def test_word_output_is_byte_identical_across_runs(specs, on_demand, tmp_path):
    again = supplement(specs, "XDS.b-on-demand", tmp_path / "again.docx")
    assert again.read_bytes() == on_demand.read_bytes()
    props = zipfile.ZipFile(again).read("docProps/core.xml").decode()
    assert "2023-08-04T00:00:00Z" in props
    assert {i.date_time for i in zipfile.ZipFile(again).infolist()} == {(2023, 8, 4, 0, 0, 0)}


def test_public_comment_supplement_has_line_numbers(specs, tmp_path):
    yaml_path = specs / "ITI" / "supplements" / "PDQm" / "supplement.yaml"
    original = yaml_path.read_text(encoding="utf-8")
    try:
        yaml_path.write_text(original.replace("status: trial-implementation", "status: public-comment"), encoding="utf-8")
        out = supplement(specs, "PDQm", tmp_path / "pc.docx")
    finally:
        yaml_path.write_text(original, encoding="utf-8")
    assert body(out).find(".//w:sectPr/w:lnNumType", NS) is not None


def test_docx_cannot_go_to_standard_output(specs):
    done = run_cli("supplement", "build", "PDQm", "--specs", str(specs), "--format", "docx", "-o", "-", cwd=specs.parent)
    assert done.returncode == 2 and "give -o FILE" in done.stderr


# --------------------------------------------------------------------------- volumes


@pytest.fixture(scope="module")
def xds_chapter(specs, tmp_path_factory) -> Path:
    return build(specs, tmp_path_factory.mktemp("chapter") / "XDS.b.docx", "docx", str(specs), "--profile", "XDS.b")


def test_a_volume_chapter_as_word(specs, xds_chapter, tmp_path):
    out = xds_chapter
    found = headings(out)
    assert found[0] == ("Heading 1", "10 Cross-Enterprise Document Sharing (XDS.b)")
    assert ("Heading 2", "10.2 XDS.b Actor Options") in found and ("Heading 3", "10.2.10 Reference ID Option") in found
    root = body(out)
    assert not root.findall(".//w:ins", NS) and not root.findall(".//w:del", NS)
    document = docx.Document(str(out))
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert "Table 10.1-1: XDS.b Profile - Actors and Transactions" in captions
    assert "Figure 10.1-1: XDS.b Actor Diagram" in captions  # the figure: its picture (or text box) and caption below
    assert build(specs, tmp_path / "again.docx", "docx", str(specs), "--profile", "XDS.b").read_bytes() == out.read_bytes()


def _paragraph_text(p) -> str:
    return "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))


@pytest.mark.skipif(JAVA is None, reason="no Java: figures stay text boxes (see test_without_java_figures_are_text_boxes)")
@pytest.mark.parametrize("selection", [("--profile", "XDS.b"), ("--transaction", "ITI-18")])
def test_chapter_figures_are_pictures_within_the_text_width_with_alt_text(specs, xds_chapter, tmp_path, selection):
    out = xds_chapter if selection[1] == "XDS.b" else build(specs, tmp_path / "ITI-18.docx", "docx", str(specs), *selection)
    archive = zipfile.ZipFile(out)
    root = body(out)
    rels = etree.fromstring(archive.read("word/_rels/document.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    paragraphs = root.findall(".//w:body/w:p", NS)
    figure_captions = [i for i, p in enumerate(paragraphs)
                       if p.find("w:pPr/w:pStyle[@w:val='Caption']", NS) is not None and _paragraph_text(p).startswith("Figure ")]
    assert figure_captions
    for i in figure_captions:
        picture = paragraphs[i - 1]  # the caption is right below its picture
        inline = picture.find("w:r/w:drawing/wp:inline", NS)
        assert inline is not None, _paragraph_text(paragraphs[i])
        extent = inline.find("wp:extent", NS)
        cx, cy = int(extent.get("cx")), int(extent.get("cy"))
        assert 0 < cx <= TEXT_WIDTH_TWIPS * 635  # never wider than the text width (EMU)
        blip = inline.find(".//a:blip", NS)
        png = archive.read("word/" + targets[blip.get(f"{{{R}}}embed")])
        width, height = png_size(png)
        assert abs(cx / cy - width / height) < 0.01  # aspect kept
        descr = inline.find("wp:docPr", NS).get("descr")
        assert descr and len(descr) > 20  # the text alternative
    assert not root.xpath("//w:tbl[.//w:pStyle[@w:val='FigureText']]", namespaces=NS)  # no text box is left
    text = "\n".join(_paragraph_text(p) for p in paragraphs)
    assert "boost" not in text and "iti18" not in text  # front matter and hidden search aliases stay on the site
    if selection[1] == "ITI-18":
        assert descr.startswith("1. Document Consumer sends Registry Stored Query Request to Document Registry")


def test_without_java_figures_are_text_boxes_and_one_warning(specs, tmp_path):
    """A machine without Java (and an empty diagram cache) still writes the chapter: figures as text boxes."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "TFPUB_JAVA": str(tmp_path / "no-java")}
    out = tmp_path / "XDS.b.docx"
    done = subprocess.run([sys.executable, "-m", "generator", "docx", str(specs), "--profile", "XDS.b", "-o", str(out)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, encoding="utf-8", timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "figure(s) are text boxes" in line]
    assert len(warnings) == 1 and warnings[0].startswith("tfpub docx: warning: Java not found: 2 figure(s)"), done.stderr
    root = body(out)
    assert not root.findall(".//w:drawing", NS)
    document = docx.Document(str(out))
    boxed = [p.text for t in document.tables for p in t.cell(0, 0).paragraphs if p.style.name == "Figure Text"]
    assert any(text.startswith("Document Consumer initiates Registry Stored Query [ITI-18]") for text in boxed), boxed


def test_a_whole_volume_as_word_has_every_transaction_in_order(specs, tmp_path):
    out = build(specs, tmp_path / "vol2.docx", "docx", str(specs), "--volume", "2", "--domain", "ITI")
    numbers = [text.split(" ")[0] for style, text in headings(out) if style == "Heading 1"]
    assert "3.18" in numbers and numbers.index("3.18") < numbers.index("3.43")
    assert not any(text == "Used by" for _, text in headings(out))  # the site's own index sections stay on the site


def test_an_unknown_chapter_is_a_clear_message(specs):
    done = run_cli("docx", str(specs), "--profile", "XDS", cwd=specs.parent)
    assert done.returncode == 2 and "no profile 'XDS' (did you mean 'XDS.b'?)" in done.stderr
    done = run_cli("docx", str(specs), cwd=specs.parent)
    assert done.returncode == 2 and "exactly one of" in done.stderr


def test_fitted_widths_give_long_words_room_and_sum_to_the_width():
    widths = fit_widths([["Requirement", "Text"], ["RDS-001", "The system SHALL implement the Document Consumer of XDS.b with every option."]], 8640, header_rows=1)
    assert sum(widths) == 8640
    assert widths[0] >= 11 * 110 + 240  # "Requirement" fits on one line
    assert widths[1] > widths[0]


# --------------------------------------------------------------------------- LibreOffice


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
def test_libreoffice_converts_the_supplements(on_demand, pdqm, tmp_path):
    profile = tmp_path / "lo-profile"
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(on_demand), str(pdqm)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    for name in ("XDS.b-on-demand.pdf", "PDQm.pdf"):
        pdf = tmp_path / name
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF"), (name, done.stdout, done.stderr)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / "XDS.b-on-demand.pdf"), "-"], capture_output=True, text=True, check=False).stdout
        assert "10.1 XDS.b Actors, Transactions, and Content Modules" in text
        assert "Register On-Demand Document Entry [ITI-61]" in text


@pytest.mark.skipif(SOFFICE is None or JAVA is None, reason="needs LibreOffice and Java")
def test_libreoffice_shows_the_chapter_figures_as_pictures(xds_chapter, tmp_path):
    profile = tmp_path / "lo-profile"
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(xds_chapter)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    pdf = tmp_path / "XDS.b.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    if not shutil.which("pdfimages"):
        pytest.skip("pdfimages (poppler-utils) is not installed")
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    pages = [int(line.split()[0]) for line in listing if line.split()[2] == "image"]
    assert len(pages) == 2 and pages[0] == 1, listing  # the actor diagram under 10.1, on page 1; the process flow later
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=False).stdout
    assert "Figure 10.1-1: XDS.b Actor Diagram" in text
