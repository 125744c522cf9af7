"""The tfpub command line, run as a real subprocess: exit codes, output formats, schema and new."""

from __future__ import annotations

import json
import re

import pytest
from conftest import SCHEMA_DIR, make_actor, run_cli

from generator.problems import (
    Loc,
    Problem,
    Severity,
    format_github,
    format_json,
    format_text,
)

TEXT_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): (?P<message>.+) \[(?P<rule>[a-zA-Z-]+)\]$")
GITHUB_LINE = re.compile(r"^::(?P<severity>error|warning) file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),title=(?P<rule>[^:]+)::(?P<message>.+)$")


def with_errors_and_warnings(tree):
    """Two errors in two files and one warning, written out."""
    tree["ITX/transactions/ITX-4.yaml"]["roles"][0]["actor"] = "secure-nod"
    tree["RDX/profiles/IMG.yaml"]["groupings"][0]["with"][0]["profile"] = "CTT"
    tree["ITX/actors/spare.yaml"] = make_actor("spare", "Spare")
    return tree.write()


# --------------------------------------------------------------------------- exit codes

def test_clean_specs_exit_0(tree):
    done = run_cli("validate", str(tree.write()))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "no problems" in done.stderr
    assert "Traceback" not in done.stderr


def test_problems_exit_1_in_text_format(tree):
    done = run_cli("validate", str(with_errors_and_warnings(tree)))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == "2 error(s), 1 warning(s)"
    parsed = [TEXT_LINE.match(line) for line in lines[:-1]]
    assert all(parsed), lines
    assert [(m["rule"], m["severity"]) for m in parsed] == [
        ("unused-actor", "warning"),
        ("unknown-actor", "error"),
        ("unknown-profile", "error"),
    ]
    first = parsed[1]
    assert first["file"].endswith("ITX/transactions/ITX-4.yaml")
    assert int(first["line"]) == tree.line_of("ITX/transactions/ITX-4.yaml", "- actor: secure-nod")
    assert int(first["col"]) == 3
    assert "did you mean 'secure-node'?" in first["message"]


def test_missing_folder_exits_2(tmp_path):
    done = run_cli("validate", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert "no such folder" in done.stderr and "[no-specs]" in done.stderr


def test_folder_without_domain_exits_2(tmp_path):
    (tmp_path / "specs" / "actors").mkdir(parents=True)
    done = run_cli("validate", str(tmp_path / "specs"))
    assert done.returncode == 2
    assert "no domain found" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--format", "xml", "{specs}"],
        ["validate", "--bogus", "{specs}"],
        ["validate", "{specs}", "{specs}"],
        ["nonsense"],
        ["new", "widget", "x", "--domain", "{specs}/ITX"],
        ["new", "actor"],
    ],
)
def test_unusable_invocation_exits_2(tree, args):
    specs = str(tree.write())
    done = run_cli(*[a.replace("{specs}", specs) for a in args])
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Usage:" in done.stderr
    assert "Traceback" not in done.stderr


def test_default_folder_is_specs_in_the_current_directory(tree):
    tree.write()
    done = run_cli("validate", cwd=tree.root.parent)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("specs: ")


# --------------------------------------------------------------------------- warnings

def test_warnings_alone_exit_1(tree):
    tree["ITX/actors/spare.yaml"] = make_actor("spare", "Spare")
    done = run_cli("validate", str(tree.write()))
    assert done.returncode == 1
    assert "warning:" in done.stderr and "error:" not in done.stderr


def test_warnings_alone_exit_0_when_allowed(tree):
    tree["ITX/actors/spare.yaml"] = make_actor("spare", "Spare")
    done = run_cli("validate", "--allow-warnings", str(tree.write()))
    assert done.returncode == 0
    assert "[unused-actor]" in done.stderr  # still shown


def test_errors_exit_1_even_when_warnings_are_allowed(tree):
    done = run_cli("validate", "--allow-warnings", str(with_errors_and_warnings(tree)))
    assert done.returncode == 1


# --------------------------------------------------------------------------- formats

def test_json_format(tree):
    done = run_cli("validate", "--format", "json", str(with_errors_and_warnings(tree)))
    assert done.returncode == 1
    rows = json.loads(done.stdout)
    assert isinstance(rows, list) and len(rows) == 3
    for row in rows:
        assert set(row) == {"file", "line", "col", "severity", "message", "rule"}
        assert isinstance(row["line"], int) and isinstance(row["col"], int)
        assert row["severity"] in ("error", "warning")
    assert [(r["rule"], r["severity"]) for r in rows] == [
        ("unused-actor", "warning"),
        ("unknown-actor", "error"),
        ("unknown-profile", "error"),
    ]
    img = rows[2]
    assert img["file"].endswith("RDX/profiles/IMG.yaml")
    assert (img["line"], img["col"]) == (tree.line_of("RDX/profiles/IMG.yaml", "- profile: CTT"), 5)


def test_json_format_of_clean_specs_is_an_empty_list(tree):
    done = run_cli("validate", "--format", "json", str(tree.write()))
    assert done.returncode == 0
    assert json.loads(done.stdout) == []


def test_github_format(tree):
    done = run_cli("validate", "--format", "github", str(with_errors_and_warnings(tree)))
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    parsed = [GITHUB_LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [(m["severity"], m["rule"]) for m in parsed] == [
        ("warning", "unused-actor"),
        ("error", "unknown-actor"),
        ("error", "unknown-profile"),
    ]
    assert parsed[1]["file"].endswith("ITX/transactions/ITX-4.yaml")
    assert int(parsed[1]["line"]) == tree.line_of("ITX/transactions/ITX-4.yaml", "- actor: secure-nod")


def test_problems_are_sorted_by_file_then_line(tree):
    tree["RDX/profiles/IMG.yaml"]["actors"][1]["transactions"][0]["optionality"] = "X"
    tree["RDX/profiles/IMG.yaml"]["summary"] = ""
    tree["ITX/profiles/DOC.yaml"]["overview"] = "One [[ITX-98]].\nTwo [[ITX-97]].\n"
    tree["ITX/domain.yaml"]["description"] = "See [[profile:NONE]].\n"
    done = run_cli("validate", "--format", "json", str(tree.write()))
    rows = json.loads(done.stdout)
    keys = [(r["file"], r["line"], r["col"]) for r in rows]
    assert keys == sorted(keys)
    assert len({r["file"] for r in rows}) == 3 and len(rows) == 5


def test_formatters_escape_for_github():
    problem = Problem(Loc("a,b:c.yaml", 3, 4), Severity.ERROR, "100% wrong\nsecond line", "yaml-syntax")
    assert format_github([problem]) == "::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=yaml-syntax::100%25 wrong second line"
    assert json.loads(format_json([problem]))[0]["message"] == "100% wrong second line"  # one line per problem (test_text.py)
    assert format_text([problem]).splitlines()[-1] == "1 error(s), 0 warning(s)"
    assert format_text([]) == ""


# --------------------------------------------------------------------------- tfpub schema

@pytest.mark.parametrize("kind", ["actor", "profile", "transaction"])
def test_schema_prints_the_schema(kind):
    done = run_cli("schema", kind)
    assert done.returncode == 0
    assert json.loads(done.stdout) == json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))


def test_schema_without_kind_prints_the_folder():
    done = run_cli("schema")
    assert done.returncode == 0
    assert done.stdout.strip() == str(SCHEMA_DIR)


def test_schema_of_an_unknown_kind_exits_2():
    done = run_cli("schema", "widget")
    assert done.returncode == 2
    assert "unknown kind 'widget'" in done.stderr


# --------------------------------------------------------------------------- tfpub new

@pytest.mark.parametrize(
    "args, rel",
    [
        (["actor", "audit-repository"], "ITX/actors/audit-repository.yaml"),
        (["transaction", "ITX-5", "--actor", "time-client", "--actor", "time-server"], "ITX/transactions/ITX-5.yaml"),
        (["profile", "NEW", "--actor", "time-client"], "ITX/profiles/NEW.yaml"),
        (["content", "audit-summary", "--section", "6.1"], "ITX/content/audit-summary.yaml"),
    ],
)
def test_new_writes_a_file_that_validates(tree, args, rel):
    root = tree.write()
    done = run_cli("new", *args, "--domain", str(root / "ITX"))
    assert done.returncode == 0, done.stderr
    path = root / rel
    assert f"created {path}" in done.stdout
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    schema = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert schema == (SCHEMA_DIR / f"{args[0]}.schema.json").resolve()
    check = run_cli("validate", "--format", "json", str(root))
    problems = json.loads(check.stdout)
    assert [p for p in problems if p["severity"] == "error"] == []
    assert {p["rule"] for p in problems} <= {"unused-actor", "unused-transaction", "empty-actor", "todo-text"}  # TODO text: until written


def test_new_refuses_an_existing_file(tree):
    root = tree.write()
    before = tree.text("ITX/actors/time-client.yaml")
    done = run_cli("new", "actor", "time-client", "--domain", str(root / "ITX"))
    assert done.returncode == 2
    assert "already exists" in done.stderr
    assert tree.text("ITX/actors/time-client.yaml") == before


@pytest.mark.parametrize("kind, id_", [("actor", "Bad_Id"), ("actor", "../../evil"), ("transaction", "ITX_5"), ("transaction", "RDX-5"), ("profile", "a/b")])
def test_new_refuses_a_bad_id(tree, kind, id_):
    root = tree.write()
    done = run_cli("new", kind, id_, "--domain", str(root / "ITX"))
    assert done.returncode == 2
    assert done.stderr.startswith("tfpub new: ")
    assert not list(root.parent.rglob("evil.yaml"))


def test_new_needs_a_domain_when_there_are_several(tree):
    tree.write()
    done = run_cli("new", "actor", "someone", cwd=tree.root.parent)
    assert done.returncode == 2
    assert "--domain" in done.stderr


def test_new_uses_the_only_domain_under_specs(tree):
    for rel in [r for r in tree.files if r.startswith("RDX/")]:
        del tree[rel]
    tree.write()
    done = run_cli("new", "actor", "someone", cwd=tree.root.parent)
    assert done.returncode == 0, done.stderr
    assert (tree.root / "ITX" / "actors" / "someone.yaml").is_file()


def test_version():
    done = run_cli("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("tfpub, version ")
