"""Annex Word and Excel a buyer can send: tables that fit the page with content-sized columns, paper
and orientation as settings, a protected compliance matrix with row heights and print setup, option
names, and citations as links in the Markdown, HTML and Word outputs. The Word and Excel files are
also converted with LibreOffice headless (when installed) and their pages counted."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import REPO_ROOT, run_cli, show

from generator.annex import render
from generator.annex.expand import expand
from generator.annex.links import project_site_url
from generator.annex.office import (
    MARGIN_TWIPS,
    PAPER_TWIPS,
    annex_docx,
    annex_xlsx,
    text_width,
)
from generator.annex.selection import read_annex

SPECS = REPO_ROOT / "specs"
ANNEX = SPECS / "ITI" / "annexes" / "regional-document-sharing.yaml"
SITE = "https://tf.example.org/framework/"

docx = pytest.importorskip("docx", reason="python-docx is not installed (pip install -e .)")
openpyxl = pytest.importorskip("openpyxl", reason="openpyxl is not installed (pip install -e .)")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def example(example_framework):
    annex, problems = read_annex(ANNEX, "ITI")
    assert annex is not None, show(problems)
    return expand(example_framework, annex)


def _grid(table) -> list[int]:
    return [int(c.get(W + "w")) for c in table._tbl.tblGrid.findall(W + "gridCol")]


def _cell_widths(row) -> list[int]:
    return [int(tc.find(W + "tcPr").find(W + "tcW").get(W + "w")) for tc in row._tr.findall(W + "tc")]


@pytest.mark.parametrize("paper,orientation", [("a4", "portrait"), ("letter", "landscape")])
def test_docx_tables_fit_the_text_width_with_content_sized_columns(example_framework, example, paper, orientation):
    data = annex_docx(example, example_framework, paper=paper, orientation=orientation)
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    width, height = PAPER_TWIPS[paper]
    if orientation == "landscape":
        width, height = height, width
    assert (section.page_width.twips, section.page_height.twips) == (width, height)
    text_area = width - 2 * MARGIN_TWIPS
    assert section.page_width.twips - section.left_margin.twips - section.right_margin.twips == text_area
    assert len(document.tables) > 5
    for table in document.tables:
        grid = _grid(table)
        assert sum(grid) == text_area, (grid, text_area)
        tbl_pr = table._tbl.tblPr
        assert tbl_pr.find(W + "tblLayout").get(W + "type") == "fixed"
        tbl_w = tbl_pr.find(W + "tblW")
        assert (tbl_w.get(W + "w"), tbl_w.get(W + "type")) == (str(text_area), "dxa")
        for row in table.rows:
            assert _cell_widths(row) == grid  # cells ask for what the grid gives
        header = [c.text for c in table.rows[0].cells]
        for heading, w in zip(header, grid):
            assert w >= text_width_of(heading), f"the {heading!r} column ({w}) is narrower than its heading"
        if header[:3] == ["ID", "Level", "Requirement"]:
            assert grid[2] == max(grid), f"the Requirement column is not the widest: {grid}"
            assert len(set(grid)) > 2, "columns are sized to their content, not equal"
            ids = [row.cells[0].text for row in table.rows[1:]]
            assert all(grid[0] >= text_width(i) for i in ids), "requirement ids fit on one line"


def text_width_of(heading: str) -> int:
    return text_width(heading, bold=True)


def test_docx_settings_come_from_the_annex_file_and_the_cli(tmp_path, example_framework):
    text = ANNEX.read_text(encoding="utf-8") + "output:\n  paper: letter\n  orientation: landscape\n"
    annex_file = tmp_path / "ITI" / "annexes" / "regional-document-sharing.yaml"
    annex_file.parent.mkdir(parents=True)
    annex_file.write_text(text, encoding="utf-8")
    annex, problems = read_annex(annex_file, "ITI")
    assert annex is not None and not [p for p in problems if p.is_error], show(problems)
    section = docx.Document(io.BytesIO(annex_docx(expand(example_framework, annex), example_framework))).sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (15840, 12240)
    ws = openpyxl.load_workbook(io.BytesIO(annex_xlsx(expand(example_framework, annex), example_framework)))["Requirements"]
    assert ws.page_setup.paperSize == 1 and ws.page_setup.orientation == "landscape"
    # the command line wins over the file
    done = run_cli("annex", "build", str(annex_file), "--specs", str(SPECS), "--format", "docx", "--paper", "a4", "--orientation", "portrait", "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    section = docx.Document(str(tmp_path / "out" / "regional-document-sharing.docx")).sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)
    # a bad value is located in the file
    annex_file.write_text(ANNEX.read_text(encoding="utf-8") + "output:\n  paper: a3\n", encoding="utf-8")
    done = run_cli("annex", "build", str(annex_file), "--specs", str(SPECS), "-o", str(tmp_path / "out2"))
    assert done.returncode == 1 and "regional-document-sharing.yaml:" in done.stderr and "a3" in done.stderr, done.stderr
    assert not (tmp_path / "out2").exists()


def test_xlsx_is_protected_printable_and_sized(example_framework, example):
    wb = openpyxl.load_workbook(io.BytesIO(annex_xlsx(example, example_framework)))
    ws = wb["Requirements"]
    header = [c.value for c in ws[1]]
    first_vendor = len(render.REQUIREMENT_COLUMNS)
    assert header[first_vendor:] == render.VENDOR_COLUMNS
    assert ws.protection.sheet is True
    for row in ws.iter_rows(min_row=2, max_row=ws.max_row):
        for cell in row[:first_vendor]:
            assert cell.protection.locked, f"{cell.coordinate} (requirement text) can be changed"
        for cell in row[first_vendor:]:
            assert not cell.protection.locked, f"{cell.coordinate} (vendor response) is locked"
    assert not ws.protection.autoFilter, "the filter still works on the protected sheet"
    # the drop-down still covers the (unlocked) compliance column
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists and str(lists[0].sqref) == f"H2:H{ws.max_row}" and not ws["H2"].protection.locked
    # row heights from the wrapped text: every row has one, a long row is taller than a short one
    heights = {r: ws.row_dimensions[r].height for r in range(1, ws.max_row + 1)}
    assert all(h and h >= 15 for h in heights.values()), heights
    longest = max(range(2, ws.max_row + 1), key=lambda r: max(len(str(c.value or "")) for c in ws[r]))
    assert heights[longest] > min(heights.values())
    # print setup: one page wide, landscape by default, the heading row on every page, A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows == "$1:$1"
    assert wb["Annex"].protection.sheet is True


def test_xlsx_shows_option_names_not_ids(example_framework, example):
    wb = openpyxl.load_workbook(io.BytesIO(annex_xlsx(example, example_framework)))
    text = "\n".join(str(c.value) for row in wb["Annex"].iter_rows() for c in row if c.value)
    assert "basic-patient-privacy-enforcement" not in text and "[" not in text
    assert "Document Consumer: Basic Patient Privacy Enforcement" in text
    assert "X-Service User: Subject-Role" in text


def test_links_in_markdown_html_and_word(tmp_path, example_framework, example):
    md = render.to_markdown(example, example_framework, hrefs=__import__("generator.annex.links", fromlist=["Hrefs"]).Hrefs(site_url=SITE))
    assert f"[\\[ITI-18\\]]({SITE}ITI/volume-2/ITI-18/)" in md
    assert f"[ITI TF-1 Table 10.1-1]({SITE}ITI/volume-1/XDS.b/#actors-and-transactions)" in md
    assert f"specified in [ITI TF-2: 3.18]({SITE}ITI/volume-2/ITI-18/)" in md
    assert "[RDS-005](#rds-005)" in md and '<span id="rds-005"></span>RDS-005' in md
    # without a site to link to, the Markdown stays plain (as the builder page writes it)
    plain = render.to_markdown(example, example_framework)
    assert "](" not in plain and "specified in" not in plain

    page = render.to_html(example, example_framework, site_url=SITE)
    assert f'<a href="{SITE}ITI/volume-2/ITI-18/">[ITI-18]</a>' in page
    assert '<tr id="rds-005">' in page and '<a href="#rds-005">RDS-005</a>' in page
    offline = render.to_html(example, example_framework)
    assert '<a href="#rds-005">RDS-005</a>' in offline and "https://" not in offline
    assert "specified in ITI TF-2: 3.18" in offline

    data = annex_docx(example, example_framework, site_url=SITE)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = z.read("word/document.xml").decode()
        rels = z.read("word/_rels/document.xml.rels").decode()
    assert f'Target="{SITE}ITI/volume-2/ITI-18/"' in rels and 'TargetMode="External"' in rels
    assert f'Target="{SITE}ITI/volume-1/XDS.b/#actors-and-transactions"' in rels
    assert '<w:hyperlink w:anchor="req_RDS_005"' in body and 'w:name="req_RDS_005"' in body
    offline = annex_docx(example, example_framework)
    with zipfile.ZipFile(io.BytesIO(offline)) as z:
        assert "https://tf.example.org" not in z.read("word/_rels/document.xml.rels").decode()
        assert '<w:hyperlink w:anchor="req_RDS_005"' in z.read("word/document.xml").decode()
    assert annex_docx(example, example_framework, site_url=SITE) == data, "deterministic"


def test_site_url_from_mkdocs_yml_and_cli(tmp_path):
    (tmp_path / "specs").mkdir()
    assert project_site_url(tmp_path / "specs") == ""
    (tmp_path / "mkdocs.yml").write_text(f"site_name: x\nsite_url: '{SITE}'  # published\n", encoding="utf-8")
    assert project_site_url(tmp_path / "specs") == SITE
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nsite_url: javascript:alert(1)\n", encoding="utf-8")
    assert project_site_url(tmp_path / "specs") == ""
    done = run_cli("annex", "build", str(ANNEX), "--specs", str(SPECS), "--site-url", "javascript:alert(1)", "-o", str(tmp_path / "o"))
    assert done.returncode == 2 and "--site-url" in done.stderr
    done = run_cli("annex", "build", str(ANNEX), "--specs", str(SPECS), "--site-url", SITE, "--format", "html", "-o", str(tmp_path / "o"))
    assert done.returncode == 0, done.stderr
    assert f'href="{SITE}ITI/volume-2/ITI-18/"' in (tmp_path / "o" / "regional-document-sharing.html").read_text(encoding="utf-8")


def _pdf_pages(path: Path) -> int:
    """Pages of a PDF, by poppler's pdfinfo."""
    done = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, timeout=60, check=True)
    return int(next(line.split()[1] for line in done.stdout.splitlines() if line.startswith("Pages:")))


@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdfinfo"), reason="LibreOffice (soffice) or poppler-utils (pdfinfo) is not installed")
def test_libreoffice_converts_word_and_excel_to_few_pages(tmp_path, example_framework, example):
    counts = {}
    for ext, data in (("docx", annex_docx(example, example_framework)), ("xlsx", annex_xlsx(example, example_framework))):
        folder = tmp_path / ext
        folder.mkdir()
        (folder / f"annex.{ext}").write_bytes(data)
        done = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-{ext}", "--headless", "--convert-to", "pdf",
                               "--outdir", str(folder), str(folder / f"annex.{ext}")], capture_output=True, text=True, timeout=240)
        assert done.returncode == 0 and (folder / "annex.pdf").is_file(), done.stderr
        counts[ext] = _pdf_pages(folder / "annex.pdf")
    # 30 requirements: the Word file took 9 pages with equal columns; the matrix 8 pages, split across columns
    assert counts["docx"] <= 5, counts
    assert counts["xlsx"] <= 4, counts
