"""Find the spec files of a tree and say what kind of entity each one holds.

The kind of a file follows from where it lies (``actors/``, ``profiles/`` ...),
so editors never write a ``kind:`` field and a misplaced file is reported.

Symbolic links are followed, files and folders alike, as long as they resolve
inside the specs folder: a framework may share one file between two places. A
link that resolves outside it is refused (``symlink-outside``) and never read,
since a spec tree arrives through pull requests and the site is public: a link
to ``/etc/passwd`` or to another checkout must not be published. Dangling links
and links that lead back into a folder that contains them are refused as well,
so nothing is silently dropped and no walk runs forever. :func:`walk` is the one
place that enumerates a spec tree; every reader of spec files goes through it
or through :func:`inside`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..problems import Loc, Problem, error, warning

# folder (or file name) inside a domain -> kind of entity
FOLDER_KINDS = {
    "actors": "actor",
    "transactions": "transaction",
    "profiles": "profile",
    "content": "content",
}
FILE_KINDS = {
    "domain.yaml": "domain",
    "glossary.yaml": "glossary",
    "standards.yaml": "standards",
}
# Folders that later stages read on their own terms; discovery leaves them alone.
OTHER_FOLDERS = {"annexes", "statements", "supplements", "pages", "templates", "overrides", "change-proposals", "history", "revisions.yaml"}  # (the last three: generator/changes)


@dataclass(frozen=True)
class SpecFile:
    path: Path
    display: str
    kind: str
    domain_dir: Path


def display_path(path: Path) -> str:
    """Paths in messages are relative to where the editor ran the command, if possible."""
    try:
        return os.path.relpath(path)
    except ValueError:  # a different drive on Windows
        return str(path)


MAX_TREE_ENTRIES = 100_000  # links can make a small tree look huge; past this it is refused


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, with every symbolic link on the way resolved, exists inside ``root``."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop of links
        return False
    return real.is_relative_to(root.resolve())


def _link_problem(path: Path, root_real: Path, label: str = "the specs folder") -> tuple[Path | None, Problem | None]:
    """The target of the link ``path`` if it may be followed, else the problem that refuses it."""
    shown = display_path(path)
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        return None, error(Loc(shown), f"this symbolic link points to nothing (-> {os.readlink(path)}); remove it or point it at a file inside {label}", "symlink-broken")
    except (OSError, RuntimeError):
        return None, error(Loc(shown), "this symbolic link leads back to itself; remove it", "symlink-loop")
    if not real.is_relative_to(root_real):
        return None, error(
            Loc(shown),
            f"this symbolic link points outside {label} (-> {real}); tfpub reads only files inside "
            f"{display_path(root_real)}/, so copy the file in instead of linking to it",
            "symlink-outside",
        )
    return real, None


def walk(root: Path, folder: Path | None = None, *, label: str = "the specs folder") -> tuple[list[Path], list[Problem]]:
    """Every file under ``folder`` (default: ``root``), in path order, as the tree shows it.

    Paths are given through the links (``specs/ITI/actors/x.yaml``, not the
    target), so messages name what the editor sees. Links are followed only
    when they resolve inside ``root``; hidden entries (``.git``, tfpub's own
    journal and temporary files) are neither listed nor followed.
    """
    root_real = root.resolve()
    start = folder if folder is not None else root
    files: list[Path] = []
    problems: list[Problem] = []
    if start.is_symlink():
        real, problem = _link_problem(start, root_real, label)
        if problem is not None:
            return [], [problem]
    if not start.is_dir():
        return [], []
    count = 0

    def visit(d: Path, chain: tuple[Path, ...]) -> None:
        nonlocal count
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as exc:
            problems.append(error(Loc(display_path(d)), f"cannot read this folder ({exc.strerror})", "unreadable"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            count += 1
            if count > MAX_TREE_ENTRIES:
                if count == MAX_TREE_ENTRIES + 1:
                    problems.append(error(Loc(display_path(start)), f"more than {MAX_TREE_ENTRIES} files and folders (symbolic links repeating folders?); nothing more is read", "too-many-files"))
                return
            path = d / entry.name
            if entry.is_symlink():
                real, problem = _link_problem(path, root_real, label)
                if problem is not None:
                    problems.append(problem)
                    continue
                if real.is_dir():
                    if any(c.is_relative_to(real) for c in chain):
                        problems.append(
                            error(Loc(display_path(path)), f"this symbolic link leads back into a folder that contains it (-> {display_path(real)}); remove it", "symlink-loop")
                        )
                        continue
                    visit(path, chain + (real,))
                elif real.is_file():
                    files.append(path)
            elif entry.is_dir(follow_symlinks=False):
                visit(path, chain + (Path(entry.path).resolve(),))
            elif entry.is_file(follow_symlinks=False):
                files.append(path)

    visit(start, (start.resolve(),))
    return files, problems


LINK_RULES = ("symlink-outside", "symlink-broken", "symlink-loop")


def refused(problems: list[Problem]) -> tuple[set[tuple[str, str]], set[str]]:
    """What refused links would have defined: (kind, id) of spec files, and kinds whose whole folder was refused.

    Validation counts those ids as defined (as it does a broken file's), and drops
    "unknown" errors of a refused folder's kind: the one located error says it all.
    """
    ids, kinds = set(), set()
    for p in problems:
        if p.rule not in LINK_RULES:
            continue
        path = Path(p.loc.file)
        if path.suffix == ".yaml" and path.parent.name in FOLDER_KINDS:
            ids.add((FOLDER_KINDS[path.parent.name], path.stem))
        elif path.name in FOLDER_KINDS:
            kinds.add(FOLDER_KINDS[path.name])
    return ids, kinds


def domain_dirs(root: Path) -> list[Path]:
    """A domain is a folder holding domain.yaml: the root itself, or its subfolders (links to ones inside ``root``)."""
    if (root / "domain.yaml").is_file():
        return [root]
    return sorted(p for p in root.iterdir() if not p.name.startswith(".") and p.is_dir() and inside(p / "domain.yaml", root))


def discover(root: Path) -> tuple[list[SpecFile], list[Problem]]:
    problems: list[Problem] = []
    if not root.exists():
        return [], [error(Loc(display_path(root)), "no such folder; give the folder that holds your specs (for example 'specs')", "no-specs")]
    if not root.is_dir():
        return [], [error(Loc(display_path(root)), "expected a folder of specs, not a file", "no-specs")]
    domains = domain_dirs(root)
    if not domains:
        return [], [
            error(
                Loc(display_path(root)),
                "no domain found: each domain is a folder with a domain.yaml (for example specs/ITI/domain.yaml)",
                "no-specs",
            )
        ]
    files: list[SpecFile] = []
    tree, found = walk(root)  # the whole specs folder: a bad link in templates/ or supplements/ is refused too
    problems += found
    # Each path goes to the domain folder it lies in, found by its leading parts (the same
    # test as Path.is_relative_to, once per path rather than once per path and domain).
    depths = sorted({len(d.parts) for d in domains})
    under: dict[tuple, list[tuple[Path, tuple]]] = {d.parts: [] for d in domains}
    for path in tree:
        parts = path.parts
        for depth in depths:
            bucket = under.get(parts[:depth])
            if bucket is not None:
                bucket.append((path, parts[depth:]))
    for ddir in domains:
        for path, rel_parts in under[ddir.parts]:
            if rel_parts[0] in OTHER_FOLDERS:
                continue
            rel = Path(*rel_parts)
            shown = display_path(path)
            if path.suffix == ".yml":
                problems.append(warning(Loc(shown), "spec files end in .yaml; rename this file so it is read", "unknown-file"))
                continue
            if path.suffix != ".yaml":
                continue
            kind = None
            if len(rel.parts) == 1:
                kind = FILE_KINDS.get(rel.name)
            elif len(rel.parts) == 2:
                kind = FOLDER_KINDS.get(rel.parts[0])
            if kind is None:
                places = ", ".join(sorted(FILE_KINDS)) + ", " + ", ".join(f"{f}/" for f in sorted(FOLDER_KINDS))
                problems.append(
                    warning(Loc(shown), f"not a recognised spec file, so it is not read; spec files are {places}", "unknown-file")
                )
                continue
            files.append(SpecFile(path, shown, kind, ddir))
    return files, problems
