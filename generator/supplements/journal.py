"""All-or-nothing replacement of several spec files, with a journal a later run finishes or undoes.

``tfpub supplement incorporate`` changes several files at once (the profiles it
amends, the new transactions, the supplement's status). Replacing them one by one
leaves, after a kill between two replacements, a tree that is half incorporated,
does not validate, and is then refused. So the whole change commits as one:

1. **journal** ``<specs>/.tfpub-incorporate.journal`` is written (state
   ``staging``), listing every target, its staged temporary file beside it, and
   the SHA-256 of its content before and after;
2. **stage**: every new content is written to its temporary file
   (``.<name>.tfpub-tmp``, same folder, so the rename below is atomic), with the
   mode it will have, and fsynced; missing folders are created (and listed);
3. **commit point**: the journal is atomically rewritten with state ``committing``;
4. **commit**: each temporary file is renamed over its target; then the journal
   is removed.

The policy that makes the end state always *fully before* or *fully after*:
before the commit point nothing of the tree has changed (only hidden temporary
files exist), so an interrupted run is **rolled back** (temporaries and created
folders removed); from the commit point on, every new content is complete on
disk, so an interrupted run is **rolled forward** (the remaining renames are
done). :func:`recover` does that; ``incorporate`` calls it before anything else,
and ``tfpub validate`` (so ``build`` and ``serve`` too) reports a journal as an
error, because the tree it would read is in the middle of a change. If a file was
edited by hand since the interruption, recovery refuses rather than overwrite it.

Modes are kept: an edited file keeps its own; a new file gets what the umask
gives (0644 under umask 022), as an editor's save would. Targets are real paths
(symbolic links resolved), so a linked spec is edited at its target and the link
stays a link. After success or recovery nothing is left: no journal, no
temporary file. ``TFPUB_INCORPORATE_STEP_DELAY`` (seconds) pauses between steps;
it exists only so the kill test can interrupt every step of the real code path.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..load.discovery import display_path, domain_dirs
from ..problems import Loc, Problem, error

JOURNAL = ".tfpub-incorporate.journal"
TMP_SUFFIX = ".tfpub-tmp"
_MAGIC = "tfpub-incorporate-journal"
STEP_DELAY = "TFPUB_INCORPORATE_STEP_DELAY"


@dataclass(frozen=True)
class Change:
    """One file of the change: its real path (links resolved, inside the specs folder) and new text."""

    target: Path
    text: str


@dataclass(frozen=True)
class Recovery:
    label: str  # what was interrupted, e.g. "ITI/PDQm"
    finished: bool  # True: rolled forward (the change is complete); False: rolled back (nothing of it remains)
    targets: list[tuple[Path, bool]]  # (target, was new)


class JournalError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha(path: Path) -> str | None:
    try:
        return _sha(path.read_bytes())
    except FileNotFoundError:
        return None


def _pause() -> None:
    delay = os.environ.get(STEP_DELAY)
    if delay:
        time.sleep(float(delay))


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_new(path: Path, data: bytes, mode: int | None) -> None:
    """Create ``path`` afresh (never through a link planted there), write, fsync.

    ``mode`` None: what the umask gives a new file (0o666 masked)."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_for(target: Path) -> Path:
    return target.parent / f".{target.name}{TMP_SUFFIX}"


def journal_path(root: Path) -> Path:
    return Path(root).resolve() / JOURNAL


def _dump(state: dict) -> bytes:
    return (json.dumps(state, indent=1, sort_keys=True) + "\n").encode("utf-8")


def commit(root: Path, label: str, changes: list[Change]) -> None:
    """Replace every target with its text, all or nothing (see the module docstring)."""
    root = Path(root).resolve()
    journal = root / JOURNAL
    if journal.exists() or journal.is_symlink():
        raise JournalError(_interrupted(journal, "an earlier incorporation was interrupted"))
    entries, folders = [], []
    for c in changes:
        if not c.target.is_relative_to(root):
            raise JournalError(error(Loc(display_path(c.target)), f"this file lies outside the specs folder {display_path(root)}/; tfpub writes only inside it", "symlink-outside"))
        missing = [p for p in [c.target.parent, *c.target.parent.parents] if p.is_relative_to(root) and not p.exists()]
        for p in reversed(missing):
            rel = p.relative_to(root).as_posix()
            if rel not in folders:
                folders.append(rel)
        entries.append(
            {
                "target": c.target.relative_to(root).as_posix(),
                "temp": _temp_for(c.target).relative_to(root).as_posix(),
                "before": _file_sha(c.target),
                "after": _sha(c.text.encode("utf-8")),
            }
        )
    state = {"journal": _MAGIC, "version": 1, "supplement": label, "state": "staging", "files": entries, "folders": folders}
    # 1. the journal, before anything else is written
    _write_new(journal, _dump(state), None)
    _fsync_dir(root)
    _pause()
    try:
        # 2. stage
        for rel in folders:
            (root / rel).mkdir(exist_ok=True)
        for c, entry in zip(changes, entries):
            mode = c.target.stat().st_mode & 0o7777 if entry["before"] is not None else None
            _write_new(root / entry["temp"], c.text.encode("utf-8"), mode)
            _pause()
        for folder in sorted({(root / e["temp"]).parent for e in entries}):
            _fsync_dir(folder)
        # 3. the commit point
        state["state"] = "committing"
        swap = root / (JOURNAL + TMP_SUFFIX)
        _write_new(swap, _dump(state), None)
        os.replace(swap, journal)
        _fsync_dir(root)
        _pause()
    except BaseException:
        _roll_back(root, state)
        raise
    # 4. commit; an error from here on leaves the journal, and the next run finishes the change
    _roll_forward(root, state)


def _roll_back(root: Path, state: dict) -> None:
    for entry in state["files"]:
        (root / entry["temp"]).unlink(missing_ok=True)
    for rel in reversed(state["folders"]):
        try:
            (root / rel).rmdir()
        except OSError:
            pass  # not empty or gone: not ours alone any more
    _finish(root)


def _roll_forward(root: Path, state: dict) -> None:
    for entry in state["files"]:
        temp, target = root / entry["temp"], root / entry["target"]
        if temp.exists():
            os.replace(temp, target)
            _pause()
    for folder in sorted({(root / e["target"]).parent for e in state["files"]}):
        _fsync_dir(folder)
    _finish(root)


def _finish(root: Path) -> None:
    (root / (JOURNAL + TMP_SUFFIX)).unlink(missing_ok=True)
    (root / JOURNAL).unlink(missing_ok=True)
    _fsync_dir(root)


# --------------------------------------------------------------------------- after an interruption


def _interrupted(journal: Path, what: str, label: str = "") -> Problem:
    command = f"tfpub supplement incorporate {label.rpartition('/')[2]}" if label else "tfpub supplement incorporate ID"
    if label.rpartition("/")[2].startswith("revision ") and len(label.rpartition("/")[2].split(" ")) == 3:  # a fold (changes/fold.py)
        _word, number, date = label.rpartition("/")[2].split(" ")
        command = f"tfpub revision fold --domain {label.partition('/')[0]} --revision {number} --date {date}"
    return error(
        Loc(display_path(journal)),
        f"{what}; the specs are in the middle of a change: run '{command}' to finish (or undo) it, then validate again",
        "incorporate-interrupted",
    )


def _read(journal: Path, root: Path) -> dict | None:
    """The journal's state, checked; None when it is unreadable (its first write was cut short: nothing was staged)."""
    try:
        state = json.loads(journal.read_bytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    refuse = JournalError(error(Loc(display_path(journal)), "this is not a journal tfpub wrote; remove it if you know where it comes from", "incorporate-interrupted"))
    if not isinstance(state, dict) or state.get("journal") != _MAGIC or state.get("state") not in ("staging", "committing"):
        raise refuse
    files, folders = state.get("files"), state.get("folders")
    if not isinstance(files, list) or not isinstance(folders, list) or not isinstance(state.get("supplement"), str):
        raise refuse
    for entry in files:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("target", "temp", "after")):
            raise refuse
        target, temp = Path(entry["target"]), Path(entry["temp"])
        if target.is_absolute() or ".." in target.parts or temp != _temp_for(target):
            raise refuse
        if not (root / target).parent.resolve().is_relative_to(root):
            raise refuse
    for rel in folders:
        if not isinstance(rel, str) or Path(rel).is_absolute() or ".." in Path(rel).parts:
            raise refuse
    return state


def recover(root: Path) -> Recovery | None:
    """Finish or undo an interrupted change under ``root``; None when there was none.

    Raises :class:`JournalError` when the journal cannot be trusted or the files
    changed since the interruption (then nothing is touched)."""
    root = Path(root).resolve()
    journal = root / JOURNAL
    if not journal.exists():
        (root / (JOURNAL + TMP_SUFFIX)).unlink(missing_ok=True)
        return None
    state = _read(journal, root)
    if state is None:
        _finish(root)
        return Recovery("", False, [])
    targets = [(root / e["target"], e.get("before") is None) for e in state["files"]]
    if state["state"] == "staging":
        _roll_back(root, state)
        return Recovery(state["supplement"], False, targets)
    for entry in state["files"]:
        temp, target = root / entry["temp"], root / entry["target"]
        if temp.exists() and _file_sha(temp) == entry["after"]:
            continue
        if not temp.exists() and _file_sha(target) == entry["after"]:
            continue
        raise JournalError(
            error(
                Loc(display_path(target)),
                f"the interrupted incorporation of '{state['supplement']}' ({display_path(journal)}) cannot be finished: this file changed since; "
                "restore it (for example with 'git checkout'), then run the incorporation again",
                "incorporate-interrupted",
            )
        )
    _roll_forward(root, state)
    return Recovery(state["supplement"], True, targets)


def pending(root: Path) -> list[Problem]:
    """A located error for each journal of an interrupted change that validation would otherwise read around."""
    root = Path(root)
    places = {root}
    if root.is_dir():
        places |= set(domain_dirs(root))
        if (root / "domain.yaml").is_file():
            places.add(root.parent)
    out = []
    for place in sorted(places):
        journal = journal_path(place)
        if journal.exists():
            try:
                state = _read(journal, journal.parent)
            except JournalError as exc:
                out.append(exc.problem)
                continue
            label = state["supplement"] if state else ""
            what = f"the incorporation of '{label}' was interrupted" if label else "an incorporation was interrupted"
            out.append(_interrupted(journal, what, label))
    return out
