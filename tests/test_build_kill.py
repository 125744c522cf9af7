"""Killing ``tfpub build`` at any moment never leaves a missing or partial site/, nor debris.

The real command is started on a copy of the example and killed with SIGKILL
(its whole process group, Java included) at moments spread over a build's
duration, again and again. After each kill site/ must be a complete build: the
specs do not change, builds are byte-identical, so it must equal the first build
byte for byte. After the next build that is allowed to finish, no staging folder
or temporary file may remain, and site/ has the directory modes the umask gives.
"""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import time

import pytest
from sitebuild import copy_project, tfpub, tree_bytes

KILLS = 10
BUDGET = 60  # seconds of killing at most; the kills come in random order, so a cut drops random moments


def _debris(project) -> list[str]:
    found = [p.name for p in project.iterdir() if p.name.startswith((".site-build-", ".site-old", ".site-"))]
    cache = project / ".tfpub-cache"
    if cache.is_dir():
        found += [p.relative_to(project).as_posix() for p in cache.rglob("*") if p.name.startswith(("render-", ".tmp-", "tmp"))]
    return found


def _git_ignored(project, name: str) -> bool:
    """Whether git, in a repository at ``project``, would leave ``name`` out of ``git status``."""
    out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--", name], cwd=project, capture_output=True, text=True, check=True)
    return out.stdout.strip() == ""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the example in a git repository, built once (which also fills the diagram cache)."""
    project = copy_project(tmp_path_factory.mktemp("kill") / "project")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    assert tfpub("build", cwd=project).returncode == 0
    return project


def test_a_killed_build_leaves_a_complete_site_and_the_next_one_cleans_up(project):
    reference = tree_bytes(project / "site")
    started = time.monotonic()
    assert tfpub("build", cwd=project).returncode == 0
    duration = time.monotonic() - started

    rng = random.Random(10)
    delays = [duration * (0.15 + 1.0 * (i + rng.random()) / KILLS) for i in range(KILLS)]
    rng.shuffle(delays)
    leftovers_seen = ignored = kills = 0
    deadline = time.monotonic() + BUDGET
    for delay in delays:
        if kills >= 6 and time.monotonic() + delay > deadline:
            break  # a slow, shared machine: enough moments were tried
        kills += 1
        proc = subprocess.Popen([sys.executable, "-m", "generator", "build"], cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it had finished already
        proc.wait(timeout=30)

        site = project / "site"
        assert site.is_dir(), f"no site/ after a kill at {delay:.2f} s"
        assert (site / "index.html").is_file() and (site / "ITI/actors/time-client/index.html").is_file()
        assert tree_bytes(site) == reference, f"site/ is not a complete build after a kill at {delay:.2f} s"
        for leftover in (p for p in project.iterdir() if p.name.startswith(".site-build-")):
            leftovers_seen += 1
            ignored += _git_ignored(project, leftover.name)

    assert leftovers_seen > 0, "no kill fell inside a build: the test did not test anything"
    assert ignored == leftovers_seen, "a killed build's staging folder shows in git status"

    result = tfpub("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert _debris(project) == []
    assert tree_bytes(project / "site") == reference
    umask = os.umask(0)
    os.umask(umask)
    assert _dir_modes(project / "site") == {0o777 & ~umask}  # 0755 under the usual umask 022, as mkdocs gives


def _dir_modes(site) -> set[int]:
    return {stat.S_IMODE(p.stat().st_mode) for p in [site, *site.rglob("*")] if p.is_dir()}


def test_site_folders_get_the_modes_the_umask_gives(project):
    """A stricter umask than the usual 022 gives stricter folders: the build takes the umask, not a fixed mode."""
    proc = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.umask(0o027); from generator.cli import cli; sys.argv = ['tfpub', 'build']; cli()"],
        cwd=project, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert _dir_modes(project / "site") == {0o750}


def _stage(parent, name: str, target: str, *parts: str):
    stage = parent / name
    stage.mkdir()
    (stage / "target").write_text(target, encoding="utf-8")
    for part in parts:
        if part == "complete":
            (stage / part).write_text("", encoding="utf-8")
        else:
            (stage / part).mkdir()
            (stage / part / "index.html").write_text(part, encoding="utf-8")
    return stage


def test_a_swap_cut_between_two_renames_is_repaired_by_the_next_build(tmp_path):
    """Where the exchange is not supported the swap is two renames; a kill between them leaves
    no site/, and the staging folder holds both trees: the next build puts one back first."""
    import fcntl

    from generator.site.site_swap import recover

    target = tmp_path / "site"
    _stage(tmp_path, ".site-build-cut", "site", "complete", "site", "old")  # cut after `site -> old`
    _stage(tmp_path, ".site-build-other", "elsewhere", "complete", "site")  # another folder's: never restored here
    busy = _stage(tmp_path, ".site-build-busy", "site", "site")
    fd = os.open(busy, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a build in progress: left alone
        recover(target)
        assert (target / "index.html").read_text(encoding="utf-8") == "site"  # the new, complete build
        assert sorted(p.name for p in tmp_path.iterdir()) == [".site-build-busy", "site"]
    finally:
        os.close(fd)
    recover(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]

    target.rename(tmp_path / "gone")
    _stage(tmp_path, ".site-build-early", "site", "old")  # cut before the build was complete: the old site returns
    recover(target)
    assert (target / "index.html").read_text(encoding="utf-8") == "old"
