"""Annex outputs: Word and Excel opened with python-docx and openpyxl, Markdown, HTML, CSV, JSON,
the site files, byte-stable output, escaping, annex files with located errors, and the CLI."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from conftest import REPO_ROOT, run_cli, show
from example import EXAMPLE_SPECS

from generator.annex import render
from generator.annex.expand import CONFORMANCE, expand
from generator.annex.office import annex_docx, annex_xlsx
from generator.annex.selection import Annex, Selected, read_annex
from generator.annex.site import (
    BUILDER_JS,
    annex_site_files,
    load_annexes,
    validate_annexes,
)
from generator.validate import validate

SPECS = EXAMPLE_SPECS
ANNEX = SPECS / "ITI" / "annexes" / "regional-document-sharing.yaml"
STATEMENT = SPECS / "ITI" / "statements" / "example-hie-connector.yaml"

docx = pytest.importorskip("docx", reason="python-docx is not installed (pip install -e .)")
openpyxl = pytest.importorskip("openpyxl", reason="openpyxl is not installed (pip install -e .)")


@pytest.fixture(scope="module")
def fw(example_framework):
    return example_framework


@pytest.fixture(scope="module")
def example(fw):
    annex, problems = read_annex(ANNEX, "ITI")
    assert annex is not None, show(problems)
    return expand(fw, annex)


@pytest.fixture(scope="module")
def office_files(fw, example):
    return annex_docx(example, fw), annex_xlsx(example, fw)


# --------------------------------------------------------------------------- Word


def test_docx_has_headings_tables_and_shall_text(example, office_files):
    document = docx.Document(io.BytesIO(office_files[0]))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == ("Title", "Annex B: IHE requirements for connecting to the regional document-sharing network")
    names = [t for _, t in headings]
    for h in ("Conformance", "Selection", "Requirements", "CT Time Client", "ATNA Secure Node or Secure Application"):
        assert h in names, names
    assert ("Heading 1", "Requirements") in headings and ("Heading 2", "CT Time Client") in headings
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Revision 20.0" in body and "RFC 2119" in body and "every transaction" in body
    assert all(p in body for p in CONFORMANCE)

    selection, *req_tables = document.tables
    assert [c.text for c in selection.rows[0].cells] == ["Profile", "Actor", "Options", "Level"]
    assert len(selection.rows) == 1 + len(example.selection)
    rows = []
    for table in req_tables:
        assert [c.text for c in table.rows[0].cells] == ["ID", "Level", "Requirement", "Source", "Flags"]
        assert table.style.name == "Table Grid"
        rows += [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[0] for r in rows] == [r.id for r in example.requirements]
    texts = {r[2]: r for r in rows}
    assert "The CT Time Client actor SHALL support Maintain Time [ITI-1]." in texts
    assert "The ATNA Secure Node or Secure Application actor SHALL support Authenticate Node [ITI-19]." in texts
    assert texts["The CT Time Client actor SHALL support Maintain Time [ITI-1]."][3].startswith("Derived from RDS-")
    assert document.core_properties.created.date().isoformat() == "2023-08-04"
    assert "certified" not in body.lower()


def test_xlsx_compliance_matrix_with_drop_down(example, office_files):
    wb = openpyxl.load_workbook(io.BytesIO(office_files[1]))
    assert wb.sheetnames == ["Requirements", "Annex"]
    ws = wb["Requirements"]
    header = [c.value for c in ws[1]]
    assert header == render.REQUIREMENT_COLUMNS + render.VENDOR_COLUMNS
    for col in ("Compliance", "Roadmap date", "Product and version", "Integration statement link", "Evidence (Connectathon or test report)", "Comments"):
        assert col in header
    n = len(example.requirements)
    assert ws.max_row == n + 1, "one row per requirement"
    assert [ws.cell(row=i + 2, column=1).value for i in range(n)] == [r.id for r in example.requirements]
    assert [ws.cell(row=i + 2, column=4).value for i in range(n)] == [r.text for r in example.requirements]
    compliance = header.index("Compliance") + 1
    letter = openpyxl.utils.get_column_letter(compliance)
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    dv = lists[0]
    assert dv.formula1 == '"Compliant,Partial,Not compliant,Planned"'
    assert str(dv.sqref) == f"{letter}2:{letter}{n + 1}"
    assert not dv.showDropDown  # False means Excel shows the arrow
    dates = [dv for dv in ws.data_validations.dataValidation if dv.type == "date"]
    roadmap = openpyxl.utils.get_column_letter(header.index("Roadmap date") + 1)
    assert dates and str(dates[0].sqref) == f"{roadmap}2:{roadmap}{n + 1}"
    assert all(ws.cell(row=i + 2, column=compliance).value is None for i in range(n))
    about = {row[0].value: row[1].value for row in wb["Annex"].iter_rows() if row[0].value}
    assert about["Framework"].startswith("IT Infrastructure Technical Framework (ITI TF) Revision 20.0")
    assert about["Minimum status"] == "Final Text"
    assert wb.properties.created.date().isoformat() == "2023-08-04"


def test_office_files_are_byte_stable(fw, example, office_files):
    time.sleep(2.1)  # zip member times have two-second resolution
    assert annex_docx(example, fw) == office_files[0]
    assert annex_xlsx(example, fw) == office_files[1]
    for data in office_files:
        stamps = {i.date_time for i in zipfile.ZipFile(io.BytesIO(data)).infolist()}
        assert stamps == {(2023, 8, 4, 0, 0, 0)}


# --------------------------------------------------------------------------- text formats


def test_text_formats_are_byte_stable_and_independent_of_selection_order(fw):
    a, _ = read_annex(ANNEX, "ITI")
    b, _ = read_annex(ANNEX, "ITI")
    b.selection = list(reversed(b.selection))
    ea, eb = expand(fw, a), expand(fw, b)
    for fn in (lambda e: render.to_markdown(e, fw), lambda e: render.to_html(e, fw), render.to_csv, render.to_json):
        assert fn(ea) == fn(eb)


def test_markdown_front_matter_and_no_certification_claim(example, fw):
    md = render.to_markdown(example, fw)
    assert md.startswith("# Annex B: IHE requirements for connecting to the regional document\\-sharing network\n") or md.startswith(
        "# Annex B: IHE requirements for connecting to the regional document-sharing network\n"
    )
    assert "- Framework: IT Infrastructure Technical Framework (ITI TF) Revision 20.0, 2023-08-04" in md
    assert "- Minimum status: Final Text" in md
    assert "- Buyer: Example Regional Health Information Exchange" in md
    assert "## Conformance" in md and "SHALL and SHOULD" in md
    assert "claims an IHE actor supports every transaction" in md
    assert "IHE certified" not in md and "certified" not in md.lower()
    assert "### CT Time Client" in md


def test_csv_one_row_per_requirement(example):
    rows = list(csv.reader(io.StringIO(render.to_csv(example))))
    assert rows[0] == render.REQUIREMENT_COLUMNS + render.VENDOR_COLUMNS
    assert [r[0] for r in rows[1:]] == [r.id for r in example.requirements]
    assert all(r[7:] == [""] * 6 for r in rows[1:])
    assert render.safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"


def test_json_has_selection_tuples_and_requirements(example):
    data = json.loads(render.to_json(example))
    assert data["format"] == "tfpub-annex"
    assert data["annex"]["revision"] == "20.0" and data["annex"]["minimum_status"] == "final-text"
    assert {"profile": "XDS.b", "actor": "document-consumer", "options": ["basic-patient-privacy-enforcement"], "level": "SHALL"} in data["selection"]
    req = next(r for r in data["requirements"] if r["text"] == "The system SHALL implement the CT Time Client actor.")
    assert req["sources"] and all(s["from"].startswith("RDS-") for s in req["sources"])
    assert req["met_by"] == [{"profile": "CT", "actor": "time-client", "options": []}]


HOSTILE = '<script>alert(1)</script> *bold* [x](javascript:alert(2)) | R&D `code` #tag'


def test_text_from_yaml_is_escaped(tree, tmp_path):
    import markdown

    tree["ITX/profiles/DOC.yaml"]["groupings"][0]["condition"] = "When <img src=x onerror=alert(3)> [y](javascript:z) holds"
    result = tree.validate()
    assert not result.errors, show(result.problems)
    fw = result.framework
    annex = Annex("x", HOSTILE, "REQ", [Selected("DOC", "document-source")], buyer=HOSTILE, introduction=HOSTILE + "\n\n<b>second</b>",
                  minimum_status="trial-implementation")
    e = expand(fw, annex)
    md = render.to_markdown(e, fw)
    out = markdown.markdown(md, extensions=["tables"])
    for bad in ("<script", "<img", "<b>", 'href="javascript', "<strong>", "<em>", "<code>"):
        assert bad not in out, f"{bad} in {out}"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    html_ = render.to_html(e, fw)
    assert "<script" not in html_ and "<img" not in html_ and "&lt;script&gt;" in html_
    # a pipe in text does not break the table
    table_rows = [line for line in md.splitlines() if line.startswith("| REQ-")]
    assert all(line.count(" | ") - line.count("\\|") >= 4 for line in table_rows)


# --------------------------------------------------------------------------- annex files


def write_annex(tree, name: str, text: str) -> Path:
    tree.write()
    path = tree.root / "ITX" / "annexes" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
# yaml-language-server: $schema=../../../generator/schemas/annex.schema.json
title: Test annex
prefix: TST
revision: "1.0"
minimum_status: trial-implementation
select:
  - profile: DOC
    actor: document-source
    options: [folders]
  - profile: CT
    actor: time-server
    level: SHOULD
"""


def test_good_annex_file_validates(tree):
    write_annex(tree, "test-annex.yaml", GOOD)
    result = validate(tree.root)
    assert validate_annexes(tree.root, result.framework) == []
    annexes, _ = load_annexes(tree.root, result.framework)
    assert [a.id for a in annexes] == ["test-annex"]
    assert annexes[0].domain == "ITX"


def test_annex_file_errors_are_located(tree):
    bad = GOOD.replace("prefix: TST", "prefixx: TST").replace("actor: time-server", "actor: time-servr").replace("[folders]", "[folder]")
    write_annex(tree, "bad.yaml", bad)
    fw = validate(tree.root).framework
    problems = validate_annexes(tree.root, fw)
    text = "\n".join(str(p) for p in problems)
    assert "bad.yaml:3:1: error: unknown key 'prefixx'; did you mean 'prefix'? [schema-additionalProperties]" in text, text
    # schema errors stop the file before the model checks
    write_annex(tree, "bad.yaml", GOOD.replace("actor: time-server", "actor: time-servr").replace("[folders]", "[folder]"))
    problems = validate_annexes(tree.root, fw)
    text = "\n".join(str(p) for p in problems)
    assert "bad.yaml:10:5: error: profile CT has no actor 'time-servr' (did you mean 'time-server'?); its actors are: time-server, time-client [annex-unknown-actor]" in text, text
    assert "bad.yaml:9:15: error: the DOC Document Source actor has no option 'folder' (did you mean 'folders'?); its options are: document-update, folders [annex-unknown-option]" in text, text


def test_annex_revision_mismatch_and_status_flags_are_warnings(tree):
    write_annex(tree, "test-annex.yaml", GOOD.replace('revision: "1.0"', 'revision: "0.9"').replace("trial-implementation", "final-text"))
    fw = validate(tree.root).framework
    problems = validate_annexes(tree.root, fw)
    assert problems and not any(p.is_error for p in problems)
    rules = {p.rule for p in problems}
    assert rules == {"annex-revision", "annex-status"}
    revision = next(p for p in problems if p.rule == "annex-revision")
    assert revision.loc.line == 4 and "revision 0.9" in revision.message and "revision 1.0" in revision.message


def test_file_name_must_match_id(tree):
    write_annex(tree, "one.yaml", GOOD.replace("title:", "id: two\ntitle:"))
    problems = validate_annexes(tree.root, validate(tree.root).framework)
    assert [p.rule for p in problems] == ["file-name-mismatch"]


# --------------------------------------------------------------------------- site files


def test_site_files(fw, example):
    files = annex_site_files(fw, SPECS)
    page = "ITI/annexes/regional-document-sharing.md"
    for ext in ("docx", "xlsx", "csv", "json"):
        assert f"ITI/annexes/regional-document-sharing.{ext}" in files
    assert isinstance(files["ITI/annexes/regional-document-sharing.docx"], bytes)
    md = files[page]
    assert "[Word (.docx)](regional-document-sharing.docx)" in md
    assert "[Excel compliance matrix (.xlsx)](regional-document-sharing.xlsx)" in md
    assert "[CSV](regional-document-sharing.csv)" in md and "[JSON](regional-document-sharing.json)" in md
    # citations link to the framework's pages (relative, checked by mkdocs and tests/test_linkcheck.py)
    assert "Maintain Time [\\[ITI-1\\]](../volume-2/ITI-1.md)" in md
    assert "[ITI TF-1 Table 10.1-1](../volume-1/XDS.b.md#actors-and-transactions)" in md
    assert '<span id="rds-005"></span>RDS-005' in md and "[RDS-005](#rds-005)" in md
    assert "specified in [ITI TF-2: 3.18](../volume-2/ITI-18.md)" in md
    index = files["ITI/annexes/index.md"]
    assert "(regional-document-sharing.md)" in index and "(builder.md)" in index
    builder = files["ITI/annexes/builder.md"]
    assert 'data-model="../../../model.json"' in builder
    assert '<script src="../../../assets/tfpub-annex-builder.js"></script>' in builder
    js = files[BUILDER_JS]
    assert js.startswith("/* Generated by tfpub") and "var TFPUB_ANNEX" in js
    assert json.dumps(CONFORMANCE[0])[1:-1] in js
    assert files == annex_site_files(fw, SPECS), "site files are deterministic"


def test_site_files_stop_on_annex_errors(tree):
    from generator.annex.selection import AnnexError

    write_annex(tree, "bad.yaml", GOOD.replace("actor: time-server", "actor: nobody"))
    with pytest.raises(AnnexError) as info:
        annex_site_files(validate(tree.root).framework, tree.root)
    assert info.value.problems[0].rule == "annex-unknown-actor"


# --------------------------------------------------------------------------- the command line


def test_cli_build_all_formats(tmp_path):
    done = run_cli("annex", "build", str(ANNEX), "--specs", str(SPECS), "--format", "all", "-o", str(tmp_path), cwd=REPO_ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"regional-document-sharing.{e}" for e in sorted(["md", "html", "docx", "xlsx", "csv", "json"])]
    assert "requirements" in done.stderr
    # the JSON round-trips: building from it gives the same requirements
    again = tmp_path / "again"
    done = run_cli("annex", "build", str(tmp_path / "regional-document-sharing.json"), "--specs", str(SPECS), "--format", "json", "-o", str(again), cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    first = json.loads((tmp_path / "regional-document-sharing.json").read_text())
    second = json.loads((again / "regional-document-sharing.json").read_text())
    assert first == second


def test_cli_select_without_a_file():
    done = run_cli("annex", "build", "--specs", str(SPECS), "--select", "XDS.b:document-consumer[basic-patient-privacy-enforcement]", "--should", "PDQ:patient-demographics-consumer",
                   "--prefix", "RFP", "--title", "Quick annex", "--format", "csv", "--stdout", cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    # volume order: PDQ (chapter 8) before XDS.b (chapter 10)
    assert rows[1][:4] == ["RFP-001", "SHOULD", "PDQ Patient Demographics Consumer", "The system SHOULD implement the PDQ Patient Demographics Consumer actor."]
    assert ["RFP-003", "SHALL", "XDS.b Document Consumer", "The system SHALL implement the XDS.b Document Consumer actor."] == rows[3][:4]


def test_cli_invalid_selection_lists_choices_and_exits_1():
    done = run_cli("annex", "build", "--specs", str(SPECS), "--select", "XDS.b:document-consumr", "--stdout", cwd=REPO_ROOT)
    assert done.returncode == 1
    assert "profile XDS.b has no actor 'document-consumr' (did you mean 'document-consumer'?); its actors are: document-consumer, document-source" in done.stderr


def test_cli_bad_invocation_exits_2(tmp_path):
    assert run_cli("annex", "build", "--specs", str(SPECS), cwd=REPO_ROOT).returncode == 2
    assert run_cli("annex", "build", str(ANNEX), "--select", "CT:time-client", "--specs", str(SPECS), cwd=REPO_ROOT).returncode == 2
    assert run_cli("annex", "build", str(tmp_path / "missing.yaml"), "--specs", str(SPECS), cwd=REPO_ROOT).returncode == 2
    assert run_cli("annex", "build", str(ANNEX), "--format", "docx", "--stdout", "--specs", str(SPECS), cwd=REPO_ROOT).returncode == 2


def test_office_files_cache_equals_uncached_computation(fw, example):
    """The Word and Excel files are remembered across builds by what they are made from;
    a remembered file is byte for byte the one computed afresh, and a change to a name they
    print is a new key."""
    import copy

    from generator.annex import site as annex_site

    annex_site._OFFICE.clear()
    first = annex_site.office_files(example, fw)
    assert first == (annex_docx(example, fw), annex_xlsx(example, fw))
    again = annex_site.office_files(expand(fw, example.annex), fw)  # a new expansion of the same annex: remembered
    assert again is first
    assert again == (annex_docx(example, fw), annex_xlsx(example, fw))
    renamed = copy.deepcopy(fw)
    actor = example.selection[0][0].actor
    renamed.actors[actor].name = renamed.actors[actor].name + " (renamed)"
    assert annex_site.office_key(example, renamed) != annex_site.office_key(example, fw)
    changed = annex_site.office_files(example, renamed)
    assert changed == (annex_docx(example, renamed), annex_xlsx(example, renamed))
    assert changed != first
    files = annex_site_files(fw, SPECS)  # the site's files are the uncached ones
    annex_site._OFFICE.clear()
    assert annex_site_files(fw, SPECS) == files
