"""Hostile file trees: symbolic links in specs and docs, and incorporation that is killed mid-way.

Issue 10, cases 6 and 7. Everything runs the real command line in a subprocess,
on a copy of the example project in a temporary folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from sitebuild import copy_project

from generator.validate import validate

SPECS = REPO_ROOT / "specs"
SECRET = "OUTSIDE-SECRET-7f3a"
JOURNAL = ".tfpub-incorporate.journal"


def cli(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})},
    )


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in (result.stdout + result.stderr).splitlines() if ": error: " in line]


def tree_hash(root: Path) -> dict[str, str]:
    """Every entry under root, hidden ones too (debris counts), links as links."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            out[rel] = "link:" + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        elif p.is_dir():
            out[rel] = "dir"
    return out


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """specs/ only, in a folder of its own (the outside world is tmp_path/outside)."""
    root = tmp_path / "project"
    shutil.copytree(SPECS, root / "specs")
    (tmp_path / "outside").mkdir()
    return root


def outside_copy(project: Path, rel: str) -> Path:
    """Move specs/<rel> outside the project, leave a link to it, and plant a secret in the outside copy."""
    inner = project / "specs" / rel
    outer = project.parent / "outside" / Path(rel).name
    shutil.move(inner, outer)
    if outer.is_file():
        outer.write_text(outer.read_text(encoding="utf-8").replace("definition:", f"definition: {SECRET}", 1), encoding="utf-8")
    inner.symlink_to(outer)
    return outer


# --------------------------------------------------------------------------- case 6: symbolic links


def test_a_spec_file_linked_outside_is_refused_with_its_place(project):
    outer = outside_copy(project, "ITI/actors/time-client.yaml")
    result = cli("validate", "specs", cwd=project)
    assert result.returncode == 1
    assert error_lines(result) == [
        f"specs/ITI/actors/time-client.yaml:1:1: error: this symbolic link points outside the specs folder (-> {outer}); "
        "tfpub reads only files inside specs/, so copy the file in instead of linking to it [symlink-outside]"
    ], result.stdout + result.stderr  # one error: the actor still counts as defined, no "unknown actor" echoes
    assert SECRET not in result.stdout + result.stderr and "Traceback" not in result.stderr


def test_a_folder_linked_outside_is_one_located_error_not_a_flood(project):
    outer = outside_copy(project, "ITI/actors")
    result = cli("validate", "specs", cwd=project)
    assert result.returncode == 1
    errors = error_lines(result)
    assert errors == [f"specs/ITI/actors:1:1: error: this symbolic link points outside the specs folder (-> {outer}); "
                      "tfpub reads only files inside specs/, so copy the file in instead of linking to it [symlink-outside]"], "\n".join(errors)


def test_links_that_stay_inside_the_specs_folder_are_followed(project, tmp_path):
    plain = cli("export", "specs", cwd=project)
    assert plain.returncode == 0, plain.stderr
    specs = project / "specs"
    (specs / "shared").mkdir()
    shutil.move(specs / "ITI/transactions", specs / "shared/transactions")
    (specs / "ITI/transactions").symlink_to("../shared/transactions")  # a linked folder
    shutil.move(specs / "ITI/profiles/PDQ.yaml", specs / "shared/PDQ.yaml")
    (specs / "ITI/profiles/PDQ.yaml").symlink_to("../../shared/PDQ.yaml")  # a linked file
    result = cli("validate", "specs", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems" in result.stdout + result.stderr
    linked = cli("export", "specs", cwd=project)
    assert linked.returncode == 0 and json.loads(linked.stdout) == json.loads(plain.stdout)


def test_dangling_and_looping_links_are_located_errors(project):
    specs = project / "specs"
    (specs / "ITI/profiles/gone.yaml").symlink_to("nowhere.yaml")
    (specs / "ITI/actors/up").symlink_to("..")
    (specs / "ITI/content/self.yaml").symlink_to("self.yaml")
    a, b = specs / "ITI/annexes/a", specs / "ITI/statements/b"
    a.mkdir(), b.mkdir()
    (a / "to-b").symlink_to("../../statements/b")
    (b / "to-a").symlink_to("../../annexes/a")
    result = cli("validate", "specs", cwd=project, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    rules = sorted((line.split(":", 1)[0], line.rsplit("[", 1)[1]) for line in error_lines(result))
    assert rules == [
        ("specs/ITI/actors/up", "symlink-loop]"),
        ("specs/ITI/annexes/a/to-b/to-a", "symlink-loop]"),
        ("specs/ITI/content/self.yaml", "symlink-loop]"),
        ("specs/ITI/profiles/gone.yaml", "symlink-broken]"),
        ("specs/ITI/statements/b/to-a/to-b", "symlink-loop]"),
    ], "\n".join(error_lines(result))


def test_templates_annexes_and_supplement_files_linked_outside_are_refused(project):
    outside = project.parent / "outside"
    secret = outside / "secret.txt"
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    specs = project / "specs"
    (specs / "templates").mkdir()
    (specs / "templates/actor.md.j2").symlink_to(secret)
    (specs / "ITI/annexes/leak.yaml").symlink_to(secret)
    (specs / "ITI/supplements/PDQm/glossary.yaml").symlink_to(secret)
    result = cli("validate", "specs", cwd=project)
    assert result.returncode == 1
    places = sorted(line.split(": error:")[0] for line in error_lines(result) if "[symlink-outside]" in line)
    assert places == ["specs/ITI/annexes/leak.yaml:1:1", "specs/ITI/supplements/PDQm/glossary.yaml:1:1", "specs/templates/actor.md.j2:1:1"]
    assert SECRET not in result.stdout + result.stderr


def test_a_build_never_publishes_a_linked_outside_spec_or_page(tmp_path):
    project = copy_project(tmp_path / "project")
    secret = tmp_path / "secret.md"
    secret.write_text(f"# {SECRET}\n", encoding="utf-8")
    (project / "docs/leak.md").symlink_to(secret)
    (project / "docs/images").mkdir(exist_ok=True)
    (project / "docs/images/leak").symlink_to(tmp_path)
    result = cli("build", cwd=project, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    places = sorted(line.split(": error:")[0] for line in error_lines(result))
    assert places == ["docs/images/leak:1:1", "docs/leak.md:1:1"]
    assert "points outside the docs folder" in result.stderr and "Traceback" not in result.stderr
    assert not (project / "site").exists()
    found = [p for p in project.rglob("*") if p.is_file() and not p.is_symlink() and SECRET.encode() in p.read_bytes()]
    assert found == []


def test_incorporating_through_inside_links_edits_their_targets(project, tmp_path):
    plain = tmp_path / "plain"
    shutil.copytree(project, plain)
    assert cli("supplement", "incorporate", "PDQm", "--specs", "specs", cwd=plain).returncode == 0
    specs = project / "specs"
    (specs / "shared").mkdir()
    shutil.move(specs / "ITI/transactions", specs / "shared/transactions")
    (specs / "ITI/transactions").symlink_to("../shared/transactions")
    shutil.move(specs / "ITI/profiles/PDQ.yaml", specs / "shared/PDQ.yaml")
    (specs / "ITI/profiles/PDQ.yaml").symlink_to("../../shared/PDQ.yaml")
    result = cli("supplement", "incorporate", "PDQm", "--specs", "specs", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (specs / "ITI/profiles/PDQ.yaml").is_symlink() and (specs / "ITI/transactions").is_symlink()  # links stay links
    assert (specs / "shared/transactions/ITI-78.yaml").is_file()  # the new transaction went into the linked folder
    for path in sorted((plain / "specs").rglob("*.yaml")):
        rel = path.relative_to(plain / "specs")
        assert (specs / rel).read_bytes() == path.read_bytes(), rel
    assert cli("validate", "specs", cwd=project).returncode == 0
    assert not [p for p in specs.rglob(".*")]


def test_incorporating_with_a_spec_linked_outside_is_refused_and_changes_nothing(project):
    outer = outside_copy(project, "ITI/profiles/PDQ.yaml")
    before, outer_before = tree_hash(project), outer.read_bytes()
    result = cli("supplement", "incorporate", "PDQm", "--specs", "specs", cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "specs/ITI/profiles/PDQ.yaml:1:1: error: this symbolic link points outside the specs folder" in result.stderr
    assert "no file was changed" in result.stderr
    assert tree_hash(project) == before and outer.read_bytes() == outer_before


# --------------------------------------------------------------------------- case 7: one change, all or nothing


def _umask(mask: int):
    def set_mask():
        os.umask(mask)

    return set_mask


@pytest.mark.parametrize("mask,new_mode", [(0o022, 0o644), (0o027, 0o640)])
def test_incorporation_keeps_modes_and_leaves_nothing_behind(project, mask, new_mode):
    specs = project / "specs"
    (specs / "ITI/profiles/PDQ.yaml").chmod(0o664)
    (specs / "ITI/supplements/PDQm/supplement.yaml").chmod(0o600)
    result = subprocess.run(
        [sys.executable, "-m", "generator", "supplement", "incorporate", "PDQm", "--specs", "specs"],
        cwd=project, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, preexec_fn=_umask(mask),
    )
    assert result.returncode == 0, result.stderr
    mode = lambda rel: (specs / rel).stat().st_mode & 0o7777  # noqa: E731
    assert mode("ITI/profiles/PDQ.yaml") == 0o664  # edited: keeps its mode
    assert mode("ITI/supplements/PDQm/supplement.yaml") == 0o600
    assert mode("ITI/profiles/PDQm.yaml") == new_mode  # new: what the umask gives
    assert mode("ITI/transactions/ITI-78.yaml") == new_mode
    assert [p.name for p in specs.rglob(".*")] == []


def _incorporated(tmp_path: Path) -> dict[str, str]:
    done = tmp_path / "expected"
    shutil.copytree(SPECS, done / "specs")
    assert cli("supplement", "incorporate", "PDQm", "--specs", "specs", cwd=done).returncode == 0
    return tree_hash(done / "specs")


def _start(project: Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "supplement", "incorporate", "PDQm", "--specs", "specs"],
        cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})},
    )


def test_an_interrupted_incorporation_is_reported_then_finished(project, tmp_path):
    expected = _incorporated(tmp_path)
    specs = project / "specs"
    proc = _start(project, {"TFPUB_INCORPORATE_STEP_DELAY": "2"})
    journal = specs / JOURNAL
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if json.loads(journal.read_text(encoding="utf-8"))["state"] == "committing":
                break
        except (OSError, ValueError):
            pass
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    checked = cli("validate", "specs", cwd=project)
    assert checked.returncode == 1
    assert error_lines(checked)[0] == (
        f"specs/{JOURNAL}:1:1: error: the incorporation of 'ITI/PDQm' was interrupted; the specs are in the middle of a change: "
        "run 'tfpub supplement incorporate PDQm' to finish (or undo) it, then validate again [incorporate-interrupted]"
    )
    again = cli("supplement", "incorporate", "PDQm", "--specs", "specs", cwd=project)
    assert again.returncode == 0, again.stderr
    assert "finished the interrupted incorporation of ITI/PDQm" in again.stderr
    assert tree_hash(specs) == expected
    assert cli("validate", "specs", cwd=project).returncode == 0


def test_killing_incorporation_at_random_moments_never_leaves_half_a_change(project, tmp_path):
    """SIGKILL at moments spread over real runs, and, with the step delay, over every step of the commit."""
    original_dir = tmp_path / "original"
    shutil.copytree(project, original_dir)
    original = tree_hash(original_dir / "specs")
    expected = _incorporated(tmp_path)
    specs = project / "specs"
    rng = random.Random(10)

    t0 = time.monotonic()
    proc = _start(project)
    assert proc.wait(timeout=120) == 0
    duration = time.monotonic() - t0
    assert tree_hash(specs) == expected

    def reset() -> None:
        shutil.rmtree(specs)
        shutil.copytree(original_dir / "specs", specs)

    seen: dict[str, int] = {}
    # bounded: about 12 kills, well under 180 s even on a loaded machine (each run also writes the balloted document)
    plans = [("real", duration * (k + rng.random()) / 5) for k in range(5)] + [("slow", None)] * 7
    for kind, delay in plans:
        reset()
        if kind == "real":
            proc = _start(project)
            time.sleep(delay)
        else:  # wait for the journal, then kill somewhere in the next 0.8 s: staging (7 files), the commit point, the renames
            proc = _start(project, {"TFPUB_INCORPORATE_STEP_DELAY": "0.05"})
            while not (specs / JOURNAL).exists() and proc.poll() is None:
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.8))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = tree_hash(specs)
        journal = specs / JOURNAL
        if not journal.exists():
            outcome = "before" if after == original else "after" if after == expected else "broken"
            assert outcome != "broken", sorted(set(after.items()) ^ set(original.items()))
            seen[outcome] = seen.get(outcome, 0) + 1
            if outcome == "before":
                continue
        else:
            try:
                state = json.loads(journal.read_text(encoding="utf-8"))["state"]
            except ValueError:
                state = "journal-started"
            seen[state] = seen.get(state, 0) + 1
            visible = {k: v for k, v in after.items() if not any(part.startswith(".") for part in k.split("/"))}
            if state != "committing":  # before the commit point the specs themselves are untouched
                assert visible == original, state
            else:  # from it on, every file is either as before or as after
                for k, v in visible.items():
                    assert v in (original.get(k), expected.get(k)), k
            again = cli("supplement", "incorporate", "PDQm", "--specs", "specs", cwd=project)
            assert again.returncode == 0, again.stderr
            assert tree_hash(specs) == expected  # finished, or undone then done afresh: no debris either
        checked = validate(specs)  # in this process: the command line ran above, this only checks the result
        assert checked.ok, [str(p) for p in checked.errors]
    assert seen.get("before") and seen.get("staging") and seen.get("committing"), seen  # the kills reached every phase


def test_a_diagram_include_of_a_link_that_leaves_the_specs_folder_is_refused(tmp_path):
    """tfpub expands !include itself; it resolves links before its inside-the-specs check."""
    from generator.diagrams import narrative_diagrams, render
    from generator.problems import Loc

    secret = tmp_path / "outside.puml"
    secret.write_text(f"note over A : {SECRET}\n", encoding="utf-8")
    specs = tmp_path / "specs"
    (specs / "X" / "profiles").mkdir(parents=True)
    (specs / "X" / "domain.yaml").write_text("acronym: X\n", encoding="utf-8")
    (specs / "X" / "profiles" / "shared.puml").symlink_to(secret)  # inside by name, outside in fact
    spec = specs / "X" / "profiles" / "P.yaml"
    text = "```plantuml\n@startuml\nA -> B : hi\n!include shared.puml\n@enduml\n```\n"
    spec.write_text("overview: |\n" + "".join("  " + line + "\n" for line in text.splitlines()), encoding="utf-8")
    _markdown, diagrams = narrative_diagrams(text, "X/volume-1/P.md", Loc(str(spec), 2, 3))
    report = render(diagrams, tmp_path / "cache")
    [problem] = report.problems
    assert problem.rule == "diagram-include" and "leaves the specs folder" in problem.message
    assert report.java_starts == 0 and SECRET not in str(problem)
