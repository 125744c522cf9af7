"""A selection can require an optional transaction by name (the CLI half; the builder page has its own test).

An MHD Document Source on its own only gets "at least one of ITI-65, ITI-105 or
ITI-106"; a buyer who needs ITI-65 writes ``transactions: [ITI-65]`` in the annex
(or ``--select MHD:document-source[ITI-65]``) and gets a SHALL requirement for it.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import REPO_ROOT, run_cli

SPECS = REPO_ROOT / "specs"
ONE_OF = "The MHD Document Source actor SHALL support at least one of Provide Document Bundle [ITI-65], Simplified Publish [ITI-105] or Generate Metadata [ITI-106]."
ITI_65 = "The MHD Document Source actor SHALL support Provide Document Bundle [ITI-65]."


def annex_yaml(transactions: str) -> str:
    return (
        "title: MHD publishing\nprefix: REQ\nrevision: \"20.0\"\nminimum_status: trial-implementation\nselect:\n"
        "  - profile: MHD\n    actor: document-source\n" + transactions
    )


def build(tmp_path: Path, *args: str) -> tuple[int, str, dict | None]:
    out = tmp_path / "out"
    done = run_cli("annex", "build", *args, "--specs", str(SPECS), "--format", "json", "-o", str(out), cwd=REPO_ROOT)
    files = list(out.glob("*.json")) if out.is_dir() else []
    return done.returncode, done.stderr, (json.loads(files[0].read_text(encoding="utf-8")) if files else None)


def texts(data: dict) -> list[tuple[str, str, str]]:
    return [(r["id"], r["level"], r["text"]) for r in data["requirements"]]


def test_without_a_named_transaction_the_source_gets_at_least_one_of(tmp_path):
    code, err, data = build(tmp_path, "--select", "MHD:document-source", "--minimum-status", "trial-implementation")
    assert code == 0, err
    assert ONE_OF in [t for _, _, t in texts(data)]
    assert ITI_65 not in [t for _, _, t in texts(data)]


def test_an_annex_file_can_require_iti_65(tmp_path):
    path = tmp_path / "mhd-publishing.yaml"
    path.write_text(annex_yaml("    transactions:\n      - ITI-65\n"), encoding="utf-8")
    code, err, data = build(tmp_path, str(path))
    assert code == 0, err
    found = {t: (i, lvl) for i, lvl, t in texts(data)}
    assert found[ITI_65][1] == "SHALL"
    assert ONE_OF not in found  # met by ITI-65
    req = next(r for r in data["requirements"] if r["text"] == ITI_65)
    assert req["provenance"] == "Selected in this annex"
    assert req["reference"] == "ITI TF-1 Table 33.1-1"
    assert data["selection"][0]["transactions"] == ["ITI-65"]

    # the command line gives the same, and so does the JSON read back
    code, err, again = build(tmp_path / "cli", "--select", "MHD:document-source[ITI-65]", "--title", "MHD publishing",
                             "--minimum-status", "trial-implementation")
    assert code == 0, err
    assert texts(again) == texts(data)
    code, err, back = build(tmp_path / "back", str(tmp_path / "out" / "mhd-publishing.json"))
    assert code == 0, err
    assert back == data


def test_a_transaction_the_actor_does_not_have_is_a_located_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(annex_yaml("    transactions:\n      - ITI-65\n      - ITI-18\n"), encoding="utf-8")
    code, err, data = build(tmp_path, str(path))
    assert code == 1 and data is None
    line = next(ln for ln in err.splitlines() if "annex-unknown-transaction" in ln)
    assert f"{path.name}:10:9: error:" in line, err
    assert "no transaction 'ITI-18'" in line and "its transactions are: ITI-65, ITI-105, ITI-106" in line
    assert "Traceback" not in err


def test_a_transaction_on_the_command_line_is_checked_too(tmp_path):
    code, err, data = build(tmp_path, "--select", "MHD:document-source[ITI-65,ITI-99]")
    assert code == 1 and data is None
    assert "--select #1:1:1: error: the MHD Document Source actor has no transaction 'ITI-99'" in err
    assert "[annex-unknown-transaction]" in err


def test_the_schema_refuses_a_malformed_transaction_id(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(annex_yaml("    transactions:\n      - iti-65\n"), encoding="utf-8")
    code, err, data = build(tmp_path, str(path))
    assert code == 1 and data is None
    assert ":9:9: error:" in err and "Traceback" not in err
