"""Change proposals: loaded and checked like supplements, their documents computed like a supplement's.

Every test reads its own copy of the committed example (tests/example.py), edits it
where it needs a fault, and checks what the real validation, document builder and
command line make of it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import run_cli, show
from example import EXAMPLE, EXAMPLE_SPECS

from generator.changes.check import check_change_proposals
from generator.changes.document import build_cp_document, print_html
from generator.render.pages import environment
from generator.validate import validate

CPS = "ITI/change-proposals"


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    dest = tmp_path / "specs"
    shutil.copytree(EXAMPLE_SPECS, dest)
    return dest


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    lines = [i + 1 for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()) if needle in line]
    return lines[nth - 1]


def problems(specs: Path, rule: str):
    return [p for p in validate(specs).problems if p.rule == rule]


@pytest.fixture(scope="module")
def checked():
    result = validate(EXAMPLE_SPECS)
    assert result.problems == [], show(result.problems)
    cps, _found = check_change_proposals(EXAMPLE_SPECS, result.framework, result.sources)
    return result.framework, {c.cp.number: c for c in cps}


def document(checked, number: str):
    fw, cps = checked
    return build_cp_document(fw, cps[number].cp, environment([]), applied=cps[number].applied)


# --------------------------------------------------------------------------- the example


def test_the_example_has_cps_in_ballot_at_final_text_and_integrated(checked):
    _fw, cps = checked
    assert {n: c.cp.status for n, c in cps.items()} == {"CP-ITI-1187": "integrated", "CP-ITI-1215": "final-text", "CP-ITI-1230": "in-ballot"}
    assert cps["CP-ITI-1187"].applied is None  # in the volumes already
    assert [c.key for c in cps["CP-ITI-1215"].applied.changes] == [("row", "XDS.b", "document-registry", "ITI-8"), ("row", "XDS.b", "document-registry", "ITI-44")]
    assert cps["CP-ITI-1230"].cp.history[0].date == "2023-06-05"


# --------------------------------------------------------------------------- the document


def test_a_cp_changing_a_table_shows_the_amend_instruction_and_the_rows_marked(checked):
    doc = document(checked, "CP-ITI-1215")
    assert [(i.kind, i.citation, i.title) for i in doc.instructions] == [("amend", "TF-1: 10.1", "XDS.b Actors, Transactions, and Content Modules")]
    md = doc.markdown
    assert '<strong>Editor:</strong> amend Section ITI TF-1: 10.1 <em>XDS.b Actors, Transactions, and Content Modules</em> as follows:' in md
    # the two feed rows of the Document Registry gain the new note, marked as added
    rows = [line for line in md.splitlines() if "Patient Identity Feed" in line and "Responder" in line]
    assert len(rows) == 2 and all("O (Note 1<ins>, 2</ins>)" in r for r in rows), rows
    assert '<p class="tfpub-note">Note 2: <ins>A Document Registry supports at least one of ITI-8 and ITI-44.</ins></p>' in md
    assert "Status: Final Text (2023-11-06)" in md and "Volumes changed: ITI TF-1" in md
    assert "## Rationale { #rationale}" in md


def test_a_cp_editing_a_message_and_a_narrative_shows_both_sections_with_the_additions_marked(checked):
    doc = document(checked, "CP-ITI-1230")
    assert [(i.kind, i.citation) for i in doc.instructions] == [("amend", "TF-2: 3.43.4.2.3"), ("amend", "TF-2: 3.43.5")]
    expected, security = (i.shown for i in doc.instructions)
    assert "<ins>A document the response lists as an error" in expected
    assert "<ins>A responder that declines to return a document" in security
    assert "<del>" not in security  # an append removes nothing
    assert "amend Section ITI TF-2: 3.43.5 <em>Security Considerations</em> as follows:" in doc.markdown


def test_the_print_page_and_word_file_carry_the_cp(checked, tmp_path):
    doc = document(checked, "CP-ITI-1215")
    page = print_html(doc, environment([]))
    assert "Change Proposal CP-ITI-1215" in page and "<ins>" in page and "<title>ITI CP-ITI-1215:" in page
    done = run_cli("cp", "build", "CP-ITI-1230", "--format", "docx", "-o", str(tmp_path / "cp.docx"), cwd=EXAMPLE)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "cp.docx") as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert "<w:ins " in body and "CP-ITI-1230" in body  # the additions are Word revisions


@pytest.mark.skipif(shutil.which("chromium") is None and not os.environ.get("TFPUB_CHROMIUM"), reason="needs Chromium (apt-get install chromium)")
def test_tfpub_cp_build_pdf_prints_the_document(tmp_path):
    out = tmp_path / "cp.pdf"
    done = run_cli("cp", "build", "CP-ITI-1215", "--format", "pdf", "-o", str(out), cwd=EXAMPLE, timeout=240)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Change Proposal CP-ITI-1215" in text and "amend Section ITI TF-1: 10.1" in text


def test_tfpub_cp_build_md_is_the_site_page(checked):
    done = run_cli("cp", "build", "CP-ITI-1215", "--format", "md", "-o", "-", cwd=EXAMPLE)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# CP-ITI-1215: Note on the Document Registry")
    assert document(checked, "CP-ITI-1215").body in done.stdout  # the same document, with the site's download link on its cover
    missing = run_cli("cp", "build", "CP-ITI-9999", cwd=EXAMPLE)
    assert missing.returncode == 2 and "no change proposal 'CP-ITI-9999'" in missing.stderr


# --------------------------------------------------------------------------- validation, located


def test_a_was_the_base_contradicts_is_located_at_the_was(specs):
    cp = specs / CPS / "CP-ITI-1215.yaml"
    edit(cp, "    was: O\n", "    was: R\n")
    [p] = [p for p in problems(specs, "supplement-base") if p.loc.file.endswith("CP-ITI-1215.yaml")]
    assert (p.loc.line, p.loc.col) == (line_of(cp, "was: R"), 10)
    assert "CP-ITI-1215 expects ITI-8 to be R for document-registry in XDS.b, but the framework has O" in p.message
    assert re.search(r"XDS\.b\.yaml:\d+:\d+", p.message)


def test_a_message_that_does_not_exist_is_located_with_a_suggestion(specs):
    cp = specs / CPS / "CP-ITI-1230.yaml"
    edit(cp, "message: 2  # Retrieve Document Set Response", "message: Retrieve Document Set Respons")
    [p] = problems(specs, "supplement-target")
    assert p.loc.file.endswith("CP-ITI-1230.yaml") and p.loc.line == line_of(cp, "message: Retrieve Document Set Respons")
    assert "has no message 'Retrieve Document Set Respons'" in p.message and "Retrieve Document Set Response" in p.message


def test_a_message_number_the_transaction_does_not_have_is_located(specs):
    """A message named by its number, as the example does (names change; numbers are what diagrams use)."""
    cp = specs / CPS / "CP-ITI-1230.yaml"
    edit(cp, "message: 2  # Retrieve Document Set Response", "message: 3")
    [p] = problems(specs, "supplement-target")
    assert p.loc.file.endswith("CP-ITI-1230.yaml") and (p.loc.line, p.loc.col) == (line_of(cp, "message: 3"), 14)
    assert "ITI-43 has no message 3; it has 2, numbered from 1" in p.message


def test_a_message_text_was_is_checked(specs):
    cp = specs / CPS / "CP-ITI-1230.yaml"
    edit(cp, "  - op: append-message-text\n", "  - op: replace-message-text\n    was: Something else entirely.\n")
    [p] = [p for p in problems(specs, "supplement-base") if "'was'" in p.message]
    assert p.loc.line == line_of(cp, "was: Something else entirely.")


def test_a_cp_conflicting_with_an_open_supplement_is_found_at_both(specs):
    head = (specs / CPS / "CP-ITI-1230.yaml").read_text(encoding="utf-8").split("amendments:\n")[0]
    cp = specs / CPS / "CP-ITI-1240.yaml"
    cp.write_text(
        head.replace("CP-ITI-1230", "CP-ITI-1240").replace("volumes: [2]", "volumes: [1]")
        + "amendments:\n  - op: replace-narrative\n    profile: XDS.b\n    actor: document-consumer\n    field: description\n    text: Finds and retrieves documents.\n",
        encoding="utf-8",
    )
    [p] = problems(specs, "cp-conflict")
    assert p.loc.file.endswith("CP-ITI-1240.yaml") and p.loc.line == line_of(cp, "op: replace-narrative")
    assert "supplement 'XDS.b-on-demand'" in p.message and "amendments.yaml:" in p.message
    assert "the description text of XDS.b actor document-consumer" in p.message


def test_two_open_cps_changing_one_row_differently_conflict(specs):
    text = (specs / CPS / "CP-ITI-1215.yaml").read_text(encoding="utf-8")
    (specs / CPS / "CP-ITI-1216.yaml").write_text(
        text.replace("CP-ITI-1215", "CP-ITI-1216").replace("status: final-text\n", "status: in-ballot\n").replace("  - status: final-text\n    date: \"2023-11-06\"\n", "")
        .replace("supports at least one of ITI-8 and ITI-44.", "claims ITI-8, ITI-44 or both."),
        encoding="utf-8",
    )
    found = problems(specs, "cp-conflict")
    assert len(found) == 2 and all(p.loc.file.endswith("CP-ITI-1216.yaml") for p in found)
    assert "CP-ITI-1215 (" in found[0].message and "the ITI-8 row of document-registry in XDS.b" in found[0].message


def test_volumes_must_name_what_the_cp_changes(specs):
    cp = specs / CPS / "CP-ITI-1215.yaml"
    edit(cp, "volumes: [1]", "volumes: [2]")
    found = problems(specs, "cp-volumes")
    assert [(p.severity, p.loc.line) for p in found] == [("error", line_of(cp, "volumes: [2]"))], show(found)


def test_a_schema_fault_in_a_cp_is_one_located_line(specs):
    cp = specs / CPS / "CP-ITI-1230.yaml"
    edit(cp, "status: in-ballot\n", "status: balloting\n")
    found = [p for p in validate(specs).problems if p.is_error]
    assert len(found) == 1 and found[0].rule.startswith("schema-") and found[0].loc.line == line_of(cp, "status: balloting"), show(found)
    done = run_cli("validate", str(specs))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert re.search(r"CP-ITI-1230\.yaml:\d+:\d+: error: .*balloting", done.stdout + done.stderr)


# --------------------------------------------------------------------------- status steps


def test_a_backward_status_change_is_refused_at_the_status_naming_the_revision_log(specs):
    cp = specs / CPS / "CP-ITI-1187.yaml"
    edit(cp, "status: integrated\nhistory:", "status: final-text\nhistory:")
    found = [p for p in problems(specs, "cp-status") if "backward" in p.message]
    assert len(found) == 1, show(found)
    p = found[0]
    assert p.loc.file.endswith("CP-ITI-1187.yaml") and (p.loc.line, p.loc.col) == (line_of(cp, "status: final-text"), 9)
    assert "integrated in revision 20.0" in p.message and re.search(r"revisions\.yaml:\d+:\d+", p.message)
    done = run_cli("validate", str(specs))
    assert done.returncode == 1 and "backward status change" in done.stdout + done.stderr


def test_a_backward_step_in_a_cps_history_is_located_at_that_step(specs):
    cp = specs / CPS / "CP-ITI-1230.yaml"
    edit(cp, "  - status: in-ballot\n    date: \"2023-11-06\"\n", "  - status: in-ballot\n    date: \"2023-11-06\"\n  - status: assigned\n    date: \"2023-11-20\"\n")
    edit(cp, "status: in-ballot\nhistory:", "status: assigned\nhistory:")
    found = problems(specs, "cp-status")
    backward = [p for p in found if "backward" in p.message]
    assert len(backward) >= 1 and backward[0].loc.line == line_of(cp, "  - status: assigned", 2)
    assert "goes from in-ballot" in backward[0].message


def test_a_skipped_step_is_reported(specs):
    cp = specs / CPS / "CP-ITI-1230.yaml"
    edit(cp, "  - status: assigned\n    date: \"2023-06-19\"\n", "")
    [p] = problems(specs, "cp-status")
    assert "skipping assigned" in p.message and p.loc.line == line_of(cp, "  - status: in-ballot")


def test_a_supplement_going_back_behind_the_logged_status_is_refused(specs):
    edit(specs / "ITI/revisions.yaml", "      CP-ITI-1230: assigned\n", "      CP-ITI-1230: assigned\n      PDQm: trial-implementation\n")
    meta = specs / "ITI/supplements/PDQm/supplement.yaml"
    edit(meta, "status: trial-implementation", "status: public-comment")
    found = [p for p in problems(specs, "revision-status") if p.is_error]
    assert len(found) == 1 and found[0].loc.file.endswith("PDQm/supplement.yaml") and found[0].loc.line == line_of(meta, "status: public-comment")
    assert "was trial-implementation when revision 20.0 was made" in found[0].message


def test_an_integrated_cp_no_revision_recorded_is_an_error(specs):
    log = specs / "ITI/revisions.yaml"
    edit(log, "    change_proposals:\n      - CP-ITI-1187\n", "")
    found = problems(specs, "cp-status")
    assert any("no revision in ITI/revisions.yaml integrated it" in p.message for p in found), show(found)
