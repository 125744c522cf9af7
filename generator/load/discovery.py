"""Find the spec files of a tree and say what kind of entity each one holds.

The kind of a file follows from where it lies (``actors/``, ``profiles/`` ...),
so editors never write a ``kind:`` field and a misplaced file is reported.
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
OTHER_FOLDERS = {"annexes", "statements", "supplements", "pages", "templates", "overrides"}


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


def domain_dirs(root: Path) -> list[Path]:
    """A domain is a folder holding domain.yaml: the root itself, or its subfolders."""
    if (root / "domain.yaml").is_file():
        return [root]
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "domain.yaml").is_file())


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
    for ddir in domains:
        for path in sorted(ddir.rglob("*")):
            if not path.is_file() or any(part.startswith(".") for part in path.relative_to(ddir).parts):
                continue
            rel = path.relative_to(ddir)
            shown = display_path(path)
            if rel.parts[0] in OTHER_FOLDERS:
                continue
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
