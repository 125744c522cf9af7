"""The example project the tests read: the committed one, never the live working tree.

An editor adding a file to specs/ (half-written, not yet valid) must not break
``make test``, so the tests read their own copy of the example: ``specs/``,
``docs/`` and ``mkdocs.yml`` as committed at HEAD (``git archive``), extracted
once per test session into a temporary folder. The committed version (and not a
fixture folder under tests/) because the example is itself under test: its facts
are compared with the published IHE ones, so a second copy would drift from it.
Outside a git checkout (an unpacked source archive) the working tree is copied.
``TFPUB_TEST_EXAMPLE=worktree`` copies the working tree on purpose, to run the
tests against example edits before committing them.

The copy keeps the paths its files name: ``generator/schemas`` (the ``$schema``
lines, linked to the package's schemas, the source of truth) and the mkdocs hook
``mkdocs.yml`` names. The diagram cache is the repository's, so a session does
not render every diagram again.
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
PARTS = ("specs", "docs", "mkdocs.yml")


def _from_git(repo: Path, root: Path) -> bool:
    """Extract the committed PARTS of ``repo`` into ``root``; False when it is not a git checkout."""
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), "archive", "--format=tar", "HEAD", *PARTS], capture_output=True, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    if done.returncode != 0:
        return False
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tar:
        tar.extractall(root, filter="data")
    return True


def _from_worktree(repo: Path, root: Path) -> None:
    for part in PARTS:
        source = repo / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        elif source.is_file():
            shutil.copy(source, root / part)


def committed_copy(repo: Path, root: Path) -> Path:
    """``repo``'s committed PARTS in ``root`` (its working tree when it is not a git checkout)."""
    root.mkdir(parents=True, exist_ok=True)
    if os.environ.get("TFPUB_TEST_EXAMPLE") == "worktree" or not _from_git(repo, root):
        _from_worktree(repo, root)
    return root


def _materialize() -> Path:
    root = committed_copy(REPO, Path(tempfile.mkdtemp(prefix="tfpub-example-")))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    (root / "generator").mkdir()
    (root / "generator" / "schemas").symlink_to(REPO / "generator" / "schemas", target_is_directory=True)
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8")) or {}
    for hook in config.get("hooks", []):
        (root / hook).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / hook, root / hook)
    (REPO / ".tfpub-cache").mkdir(exist_ok=True)
    (root / ".tfpub-cache").symlink_to(REPO / ".tfpub-cache", target_is_directory=True)
    return root


EXAMPLE = _materialize()
EXAMPLE_SPECS = EXAMPLE / "specs"
