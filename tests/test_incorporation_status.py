"""Status rules for incorporation: only a Trial Implementation supplement becomes Final Text (a Public
Comment one is refused, located at its status, unless forced), and the document as balloted stays
published after incorporation: kept in the supplement's folder and built into the site by `tfpub build`."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli
from sitebuild import copy_project, tfpub, tree_bytes

from generator.supplements.incorporate import incorporate


def _status(specs: Path, sid: str, status: str) -> Path:
    meta = specs / "ITI" / "supplements" / sid / "supplement.yaml"
    text = meta.read_text(encoding="utf-8")
    assert "\nstatus: trial-implementation\n" in text
    meta.write_text(text.replace("\nstatus: trial-implementation\n", f"\nstatus: {status}\n"), encoding="utf-8")
    return meta


def test_public_comment_is_refused_with_its_location_unless_forced(tmp_path):
    project = copy_project(tmp_path / "p")
    specs = project / "specs"
    meta = _status(specs, "PDQm", "public-comment")
    line = next(n for n, text in enumerate(meta.read_text(encoding="utf-8").splitlines(), start=1) if text.startswith("status:"))
    before = tree_bytes(specs)
    done = run_cli("supplement", "incorporate", "PDQm", "--specs", str(specs))
    assert done.returncode == 1, done.stderr
    assert f"supplement.yaml:{line}:9: error: supplement 'PDQm' is public-comment" in done.stderr, done.stderr
    assert "--force-public-comment" in done.stderr and "[supplement-status]" in done.stderr
    assert tree_bytes(specs) == before, "a refused incorporation changes no file"
    # the dry run refuses it too
    assert not incorporate(specs, "PDQm", dry_run=True).ok
    # forced, it is incorporated
    done = run_cli("supplement", "incorporate", "PDQm", "--specs", str(specs), "--force-public-comment")
    assert done.returncode == 0, done.stderr
    assert "status: final-text" in meta.read_text(encoding="utf-8")


def test_the_balloted_document_stays_on_the_site_after_incorporation(tmp_path):
    project = copy_project(tmp_path / "p")
    specs = project / "specs"
    done = run_cli("supplement", "incorporate", "PDQm", "--specs", str(specs))
    assert done.returncode == 0, done.stderr
    kept = specs / "ITI" / "supplements" / "PDQm"
    assert "added: " in done.stdout + done.stderr and (kept / "balloted.md").is_file() and (kept / "balloted.html").is_file()
    balloted = (kept / "balloted.md").read_text(encoding="utf-8")
    assert "Trial Implementation" in balloted and "Patient Demographics Query for Mobile" in balloted
    assert "<html" in (kept / "balloted.html").read_text(encoding="utf-8").lower()
    # the specs validate, the supplement is final text, and the site still publishes its document
    done = tfpub("validate", str(specs), cwd=project)
    assert done.returncode == 0, done.stderr
    site = tmp_path / "site"
    done = tfpub("build", "-d", str(site), cwd=project)
    assert done.returncode == 0, done.stderr
    page = site / "ITI" / "supplements" / "PDQm" / "index.html"
    assert page.is_file(), sorted(p.name for p in (site / "ITI" / "supplements").iterdir())
    html = page.read_text(encoding="utf-8")
    assert "Patient Demographics Query for Mobile" in html and "Trial Implementation" in html
    assert (site / "ITI" / "supplements" / "PDQm" / "PDQm.html").is_file()
    index = (site / "ITI" / "supplements" / "index.html").read_text(encoding="utf-8")
    assert 'href="../PDQm/"' in index or 'href="PDQm/"' in index, index
    assert "document as balloted" in index and "Final Text" in index
    assert "Incorporated" in html  # the navigation lists it under Incorporated
    # the profile is in the volumes now
    assert (site / "ITI" / "volume-1" / "PDQm" / "index.html").is_file()
