"""IHE Integration Statements: Appendix F layout, completeness warnings, and checking against an annex."""

from __future__ import annotations

import io
import json

import pytest
from conftest import REPO_ROOT, run_cli, show
from example import EXAMPLE_SPECS

from generator.annex.expand import expand
from generator.annex.selection import Selected, Statement, read_annex, read_statement
from generator.annex.statement import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    check_statement,
    check_statement_against,
    statement_data,
    statement_docx,
    statement_html,
    statement_markdown,
)

SPECS = EXAMPLE_SPECS
ANNEX = SPECS / "ITI" / "annexes" / "regional-document-sharing.yaml"
STATEMENT = SPECS / "ITI" / "statements" / "example-hie-connector.yaml"


@pytest.fixture(scope="module")
def fw(example_framework):
    return example_framework


@pytest.fixture(scope="module")
def statement():
    s, problems = read_statement(STATEMENT)
    assert s is not None and problems == [], show(problems)
    return s


def test_example_statement_is_complete(fw, statement):
    assert check_statement(fw, statement) == []


def test_statement_markdown_follows_appendix_f(fw, statement):
    md = statement_markdown(fw, statement)
    assert md.startswith("# IHE Integration Statement\n")
    for line in ("- Vendor: Example Clinical Software Ltd.", "- Product name: Example HIE Connector", "- Version: 4.2", "- Date: 2024-03-01"):
        assert line in md
    assert "## IT Infrastructure Technical Framework (ITI TF) Revision 20.0" in md
    assert "| Integration Profile | Actor | Options Implemented |" in md
    assert "| Cross\\-Enterprise Document Sharing (XDS.b) | Document Source | Document Replacement |" in md or \
        "| Cross-Enterprise Document Sharing (XDS.b) | Document Source | Document Replacement |" in md
    assert "| Consistent Time (CT) | Time Client | None |" in md
    assert "ATX: TLS Syslog" in md and "<https://example.com/ihe>" in md
    assert "certified" not in md.lower()
    html = statement_html(fw, statement)
    assert "<th>Options Implemented</th>" in html and "<td>Time Client</td>" in html


def test_statement_docx_and_json(fw, statement):
    docx = pytest.importorskip("docx")
    document = docx.Document(io.BytesIO(statement_docx(fw, statement)))
    assert document.paragraphs[0].text == "IHE Integration Statement"
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Integration Profile", "Actor", "Options Implemented"]
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert ["Consistent Time (CT)", "Time Client", "None"] in rows
    assert statement_docx(fw, statement) == statement_docx(fw, statement)
    data = statement_data(fw, statement)
    assert {"domain": "ITI", "profile": "ATNA", "actor": "secure-application", "options": ["stx-tls-1-2-floor-using-bcp195", "atx-tls-syslog"]} in data["implements"]


def test_check_against_annex_lists_met_and_unmet(fw, statement):
    annex, _ = read_annex(ANNEX, "ITI")
    e = expand(fw, annex)
    result = check_statement_against(e, statement)
    outcome = {r.text: o for r, o in result.outcomes}
    assert outcome["The system SHALL implement the CT Time Client actor."] == MET
    assert outcome["The system SHALL implement the ATNA Secure Node or Secure Application actor."] == MET
    assert outcome["The ATNA Secure Node or Secure Application actor SHALL support Record Audit Event [ITI-20]."] == MET
    assert outcome["The XDS.b Document Consumer actor SHALL support the Basic Patient Privacy Enforcement Option."] == MET
    assert outcome["The system SHALL implement the BPPC Content Creator actor."] == NOT_MET
    assert outcome["The XUA X-Service User actor SHALL support the Subject-Role Option."] == NOT_MET
    assert result.unmet_shall


def test_claim_of_the_alternative_meets_the_alternatives_and_conditionals_are_not_applicable(tree):
    result = tree.validate()
    fw = result.framework
    from generator.annex.selection import Annex

    e = expand(fw, Annex("a", "A", "REQ", [Selected("IMG", "image-archive")], minimum_status="trial-implementation"))
    st = Statement("s", "V", "P", "1", "2024-01-01", [Selected("IMG", "image-archive"), Selected("ATN", "secure-node")])
    outcomes = {r.text: o for r, o in check_statement_against(e, st).outcomes}
    alt = next(t for t in outcomes if t.startswith("The system SHALL implement the ATN Secure Node actor or"))
    assert outcomes[alt] == MET
    doc_only = [t for t in outcomes if t.startswith("If the DOC Document Recipient actor")]
    assert doc_only and all(outcomes[t] == NOT_APPLICABLE for t in doc_only)
    sn_only = [t for t in outcomes if t.startswith("If the ATN Secure Node actor")]
    assert outcomes[next(t for t in sn_only if "Authenticate Node" in t)] == MET
    assert outcomes[next(t for t in sn_only if "Time Client" in t)] == NOT_MET


def test_incomplete_statement_is_warned(fw, statement):
    partial = Statement("p", "V", "P", "1", "2024-01-01", [Selected("XDS.b", "document-consumer")])
    problems = check_statement(fw, partial)
    assert problems and {p.rule for p in problems} == {"statement-incomplete"} and not any(p.is_error for p in problems)
    text = "\n".join(p.message for p in problems)
    assert "CT Time Client" in text and "ATNA Secure Node or Secure Application" in text
    wrong = Statement("w", "V", "P", "1", "2024-01-01", [Selected("XDS.b", "document-customer")])
    assert [p.rule for p in check_statement(fw, wrong)] == ["annex-unknown-actor"]


def test_cli_check_and_statement(tmp_path):
    done = run_cli("annex", "check", str(ANNEX), "--statement", str(STATEMENT), "--specs", str(SPECS), cwd=REPO_ROOT)
    assert done.returncode == 1, done.stderr
    assert "Met (" in done.stdout and "Not met (" in done.stdout
    assert "RDS-" in done.stdout
    done = run_cli("annex", "check", str(ANNEX), "--statement", str(STATEMENT), "--specs", str(SPECS), "--format", "json", cwd=REPO_ROOT)
    data = json.loads(done.stdout)
    assert data["summary"]["not met"] > 0 and data["summary"]["met"] > 0
    done = run_cli("annex", "statement", str(STATEMENT), "--specs", str(SPECS), "--format", "all", "-o", str(tmp_path), cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"example-hie-connector.{e}" for e in ("docx", "html", "json", "md")]


def test_cli_check_passes_when_everything_is_met(tmp_path):
    text = STATEMENT.read_text(encoding="utf-8")
    text += "  - profile: BPPC\n    actor: content-creator\n    options: [basic-patient-privacy-acknowledgement]\n"
    text += "  - profile: BPPC\n    actor: content-consumer\n    options: [basic-patient-privacy-acknowledgement-view]\n"
    text += "  - profile: XDS-SD\n    actor: content-consumer\n"
    text = text.replace("    actor: x-service-user\n", "    actor: x-service-user\n    options: [subject-role]\n")
    full = tmp_path / "full.yaml"
    full.write_text(text.replace("id: example-hie-connector", "id: full"), encoding="utf-8")
    done = run_cli("annex", "check", str(ANNEX), "--statement", str(full), "--specs", str(SPECS), cwd=REPO_ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 not met (0 SHALL)" in done.stdout, "only the SHOULD (PDQ) requirements are unmet, which does not fail the check"
