"""Revisions: folding the final-text CPs into the next revision, the revision log, and history on the built site.

The fold runs through the real command line on a copy of the committed example;
the site tests read the example built by the real ``tfpub build`` (mkdocs) once
per session (tests/sitebuild.py).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import run_cli, show
from example import EXAMPLE_SPECS
from sitebuild import example_site, tree_bytes

from generator.changes.check import check_change_proposals
from generator.changes.history import snapshot_framework
from generator.render.export import export_json
from generator.validate import validate


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    dest = tmp_path / "specs"
    shutil.copytree(EXAMPLE_SPECS, dest)
    return dest


CONTENT_PAGE = "ITI/volume-3/bppc-consent/index.html"


def fold(specs: Path, *extra: str):
    return run_cli("revision", "fold", "--specs", str(specs), "--domain", "ITI", "--revision", "21.0", "--date", "2024-08-02", *extra)


# --------------------------------------------------------------------------- folding


def test_folding_gives_the_framework_the_cp_documents_were_computed_from(specs):
    before = validate(specs)
    assert not [p for p in before.problems if p.is_error], show(before.problems)
    checked, _ = check_change_proposals(specs, before.framework, before.sources)
    applied = next(c for c in checked if c.cp.number == "CP-ITI-1215").applied  # what its document shows
    expected = dataclasses.replace(
        applied.framework,
        domains={**applied.framework.domains, "ITI": dataclasses.replace(applied.framework.domains["ITI"], revision="21.0", date="2024-08-02")},
    )
    old_model = export_json(before.framework)

    done = fold(specs)
    assert done.returncode == 0, done.stdout + done.stderr
    kept = sum(1 for f in (specs / "ITI" / "history" / "21.0").rglob("*") if f.is_file())
    assert "changed: " in done.stdout and f"ITI/history/21.0/ ({kept} files: the volumes of Revision 21.0, kept)" in done.stdout

    after = validate(specs)
    assert not [p for p in after.problems if p.is_error], show(after.problems)
    assert export_json(after.framework) == export_json(expected)
    # each revision's volumes are kept as its fold made them: 20.0 as it was, 21.0 as it is now
    assert export_json(snapshot_framework(specs / "ITI", "20.0")) == old_model
    assert export_json(snapshot_framework(specs / "ITI", "21.0")) == export_json(expected)
    # the CP is integrated, with the step in its history; the log says what went in
    cp = yaml.safe_load((specs / "ITI/change-proposals/CP-ITI-1215.yaml").read_text(encoding="utf-8"))
    assert cp["status"] == "integrated" and cp["history"][-1] == {"status": "integrated", "date": "2024-08-02", "note": "Integrated into Revision 21.0."}
    log = yaml.safe_load((specs / "ITI/revisions.yaml").read_text(encoding="utf-8"))["revisions"]
    assert [r["revision"] for r in log] == ["19.0", "20.0", "21.0"]
    assert log[-1]["change_proposals"] == ["CP-ITI-1215"] and log[-1]["statuses"]["CP-ITI-1230"] == "in-ballot"
    domain = (specs / "ITI/domain.yaml").read_text(encoding="utf-8")
    assert 'revision: "21.0"\ndate: "2024-08-02"' in domain
    # the edit keeps the file as written: only the two notes are added
    xds = (specs / "ITI/profiles/XDS.b.yaml").read_text(encoding="utf-8")
    old = (EXAMPLE_SPECS / "ITI/profiles/XDS.b.yaml").read_text(encoding="utf-8")
    assert xds.replace("        note: A Document Registry supports at least one of ITI-8 and ITI-44.\n", "") == old
    # nothing is left to fold
    again = run_cli("revision", "fold", "--specs", str(specs), "--domain", "ITI", "--revision", "22.0", "--date", "2025-01-01")
    assert again.returncode == 1 and "nothing to fold" in again.stdout + again.stderr


def test_a_refused_fold_changes_no_file(specs):
    cp = specs / "ITI/change-proposals/CP-ITI-1215.yaml"
    cp.write_text(cp.read_text(encoding="utf-8").replace('applies_to:\n  revision: "20.0"', 'applies_to:\n  revision: "19.0"'), encoding="utf-8")
    before = tree_bytes(specs)
    done = fold(specs)
    assert done.returncode == 1 and "refused; no file was changed" in done.stderr
    assert re.search(r"CP-ITI-1215\.yaml:\d+:\d+: error: CP-ITI-1215 applies to Revision 19\.0, but ITI is Revision 20\.0", done.stdout + done.stderr)
    assert tree_bytes(specs) == before


def test_a_fold_reusing_a_revision_number_is_refused(specs):
    before = tree_bytes(specs)
    done = run_cli("revision", "fold", "--specs", str(specs), "--domain", "ITI", "--revision", "19.0", "--date", "2024-08-02")
    assert done.returncode == 1 and "already has a revision 19.0" in done.stdout + done.stderr
    assert tree_bytes(specs) == before


def test_a_dry_run_lists_and_writes_nothing(specs):
    before = tree_bytes(specs)
    done = fold(specs, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "would change: " in done.stdout and "would make ITI Revision 21.0" in done.stderr
    assert tree_bytes(specs) == before


def test_the_log_and_domain_yaml_must_agree(specs):
    domain = specs / "ITI/domain.yaml"
    domain.write_text(domain.read_text(encoding="utf-8").replace('revision: "20.0"', 'revision: "20.1"'), encoding="utf-8")
    found = [p for p in validate(specs).problems if p.rule == "revision-log"]
    assert len(found) == 1 and found[0].loc.file.endswith("revisions.yaml") and "domain.yaml says 20.1" in found[0].message
    assert found[0].severity == "warning"


def test_a_supplement_incorporated_between_revisions_is_a_change_of_the_next_revision(specs):
    """Revision 20.0 stays as its fold kept it: incorporating a supplement afterwards changes the
    live volumes, and the next revision, not what Revision 20.0 was."""
    from generator.site.publish import site_source

    done = run_cli("supplement", "incorporate", "XDS.b-on-demand", "--specs", str(specs))
    assert done.returncode == 0, done.stderr
    between = validate(specs)
    pending = site_source(between.framework, specs).files
    assert "Changed since Revision 20.0: this page as it is now goes into the next revision." in pending["ITI/volume-2/ITI-61.md"]
    assert "Changed since Revision 20.0" in pending["ITI/volume-1/XDS.b.md"]
    assert "Changed since Revision 20.0" not in pending["ITI/volume-2/ITI-1.md"]
    done = fold(specs)
    assert done.returncode == 0, done.stdout + done.stderr
    log = yaml.safe_load((specs / "ITI/revisions.yaml").read_text(encoding="utf-8"))["revisions"]
    assert log[-1]["supplements"] == ["XDS.b-on-demand"] and log[-1]["statuses"]["XDS.b-on-demand"] == "final-text"
    result = validate(specs)
    site = site_source(result.framework, specs, template_dirs=[specs.parent / "templates"])
    new = site.files["ITI/revisions/21.0.md"]
    assert 'href="../../supplements/XDS.b-on-demand/"' in new
    for chapter in ("xds-b-chapter", "iti-43-chapter", "iti-61-chapter"):
        assert f'href="#{chapter}"' in new, chapter
    assert "iti-61" not in site.files["ITI/revisions/20.0.md"]  # the earlier revision did not change
    assert "Last changed in Revision 21.0" in site.files["ITI/volume-2/ITI-43.md"]
    assert "Last changed in Revision 20.0" in site.files["ITI/volume-2/ITI-1.md"]


# --------------------------------------------------------------------------- on the built site


@pytest.fixture(scope="module")
def site() -> Path:
    return example_site()


def read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def test_the_revision_page_lists_what_it_integrated_and_what_changed(site):
    page = read(site, "ITI/revisions/20.0/index.html")
    assert "CP-ITI-1187" in page and 'href="../../change-proposals/CP-ITI-1187/"' in page
    assert "Changes since Revision 19.0" in page
    assert 'id="iti-1-chapter"' in page
    assert "<ins>gradually</ins>" in page and "<ins>, keeping the median error below one second</ins>" in page
    first = read(site, "ITI/revisions/19.0/index.html")
    assert "first revision in the log" in first
    index = read(site, "ITI/revisions/index.html")
    assert 'href="20.0/"' in index and 'href="19.0/"' in index


def test_a_page_says_when_it_last_changed_and_links_to_what_changed(site):
    page = read(site, "ITI/volume-2/ITI-1/index.html")
    m = re.search(r'Last changed in Revision 20\.0 \(2023-08-04\): <a href="([^"]+)">what changed since Revision 19\.0</a>', page)
    assert m, "no last-changed note on ITI-1"
    assert m.group(1) == "../../revisions/20.0/#iti-1-chapter"
    target = read(site, "ITI/revisions/20.0/index.html")
    assert 'id="iti-1-chapter"' in target
    unchanged = read(site, "ITI/volume-1/XDS.b/index.html")
    assert "Unchanged since Revision 19.0" in unchanged
    assert "Unchanged since Revision 19.0" in read(site, CONTENT_PAGE)  # Volume 3 too


def test_the_cp_index_and_pages_are_on_the_site(site):
    index = read(site, "ITI/change-proposals/index.html")
    for number, status in (("CP-ITI-1187", "Integrated"), ("CP-ITI-1215", "Final Text"), ("CP-ITI-1230", "In Ballot")):
        assert re.search(rf"<td>{number}</td>\s*<td><a href=\"{number}/\">[^<]+</a></td>\s*<td>{status}</td>", index), number
    integrated = read(site, "ITI/change-proposals/CP-ITI-1187/index.html")
    # an integrated CP's document is computed against the revision it was integrated into's predecessor
    assert "integrated into Revision 20.0" in integrated and "<ins>gradually</ins>" in integrated
    table = read(site, "ITI/change-proposals/CP-ITI-1215/index.html")
    assert "O (Note 1<ins>, 2</ins>)" in table
    assert (site / "ITI/change-proposals/CP-ITI-1215.html").is_file()


def test_a_fold_killed_after_its_commit_point_is_finished_by_running_it_again(specs):
    """The fold commits through the incorporation journal: killed once every new file is staged,
    validation says what to run, and running it finishes the revision."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    from conftest import REPO_ROOT

    args = ["revision", "fold", "--specs", str(specs), "--domain", "ITI", "--revision", "21.0", "--date", "2024-08-02"]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "TFPUB_INCORPORATE_STEP_DELAY": "0.05"}
    proc = subprocess.Popen([sys.executable, "-m", "generator", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    journal = specs / ".tfpub-incorporate.journal"
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            try:
                if json.loads(journal.read_text(encoding="utf-8"))["state"] == "committing":
                    break
            except (OSError, ValueError, KeyError):
                pass
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.01)
        else:
            pytest.fail("the fold never reached its commit point")
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    stuck = [p for p in validate(specs).problems if p.rule == "incorporate-interrupted"]
    assert len(stuck) == 1 and "tfpub revision fold --domain ITI --revision 21.0 --date 2024-08-02" in stuck[0].message, show(stuck)
    done = run_cli(*args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "finished an interrupted change" in done.stderr
    after = validate(specs)
    assert not [p for p in after.problems if p.is_error], show(after.problems)
    assert after.framework.domains["ITI"].revision == "21.0"
    assert (specs / "ITI/history/20.0/ITI/domain.yaml").is_file() and not journal.exists()
