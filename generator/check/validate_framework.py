"""The framework's checking pipeline: discover, load, schema-check, resolve, cross-check.

This is validation of the volumes alone. What stands on top of them (supplements,
annexes) is checked by ``generator/validate.py``, which composes this with their
checks; so the supplements, which need a checked base, import this module and
nothing above it.

Every stage reports problems instead of stopping, so one run lists everything
that is wrong. A file that fails to load or fails its schema is left out of the
model (so later checks never see malformed data), but its id still counts as
defined: a typo in one actor file must not also flood every profile that names
that actor with "unknown actor" errors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..load.discovery import SpecFile, discover, refused
from ..load.schema_check import check_document, valid_part
from ..load.yaml_loader import Document, load_file
from ..model import Framework
from ..model.resolve import Sources, build
from ..problems import Problem, error, sort_problems
from .checks import run_checks

_ID_KEYS = {"actor": "id", "transaction": "id", "profile": "acronym", "content": "id"}


@dataclass
class Validation:
    framework: Framework
    problems: list[Problem]
    sources: Sources
    files: list[SpecFile] = field(default_factory=list)
    checked: list[Problem] = field(default_factory=list)  # the cross-reference checks' own share of problems

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_framework(root: Path) -> Validation:
    """Everything wrong with the framework under ``root``, supplements and annexes aside."""
    files, problems = discover(root)
    valid: list[tuple[SpecFile, Document]] = []
    broken: list[tuple[SpecFile, Document | None]] = []
    for spec in files:
        doc, load_problems, schema_problems = _load_and_check(spec)
        problems.extend(load_problems)
        if doc is None:
            broken.append((spec, None))
            continue
        problems.extend(schema_problems)
        if schema_problems or any(p.is_error for p in load_problems):
            broken.append((spec, doc))
        else:
            valid.append((spec, doc))

    domain_of: dict[Path, str] = {spec.domain_dir: spec.domain_dir.name for spec in files}
    for spec, doc in valid:
        if spec.kind == "domain":
            domain_of[spec.domain_dir] = doc.data["acronym"]
            if spec.domain_dir.name != doc.data["acronym"]:
                problems.append(
                    error(
                        doc.loc(("acronym",)),
                        f"the domain folder is '{spec.domain_dir.name}' but its acronym is '{doc.data['acronym']}'; rename one so they match",
                        "file-name-mismatch",
                    )
                )

    framework, sources = build(valid, domain_of)
    refused_ids, refused_kinds = refused(problems)  # symbolic links discovery refused: one error each, no echoes
    sources.broken = _broken_ids(broken) | refused_ids
    checked = [p for p in run_checks(framework, sources) if not _echo_of_refused(p, refused_kinds)]
    problems.extend(checked)
    problems.extend(p for p in _references_of_broken(broken, valid, domain_of, sources) if not _echo_of_refused(p, refused_kinds))
    return Validation(framework, sort_problems(problems), sources, files, checked)


# ``tfpub serve`` validates again after every edit. With reuse on, a file whose bytes are
# the same as last time is not parsed and schema-checked again (see reuse_unchanged_files).
_REUSE: dict | None = None


def reuse_unchanged_files(on: bool = True) -> None:
    """Keep each file's loaded document and schema problems for the next validation in this
    process, keyed by its exact bytes. For long-running previews; off by default."""
    global _REUSE
    _REUSE = {} if on else None


def _load_and_check(spec: SpecFile) -> tuple[Document | None, list[Problem], list[Problem]]:
    key = None
    if _REUSE is not None:
        try:
            key = (str(spec.path), spec.display, spec.kind, hashlib.blake2b(spec.path.read_bytes(), digest_size=20).digest())
        except OSError:
            key = None
        if key is not None and key in _REUSE:
            return _REUSE[key]
    doc, load_problems = load_file(spec.path, spec.display)
    schema_problems = check_document(doc, spec.kind) if doc is not None else []
    if key is not None:
        if len(_REUSE) > 100_000:
            _REUSE.clear()
        _REUSE[key] = (doc, load_problems, schema_problems)
    return doc, load_problems, schema_problems


_PARTIAL_KINDS = {"actor", "transaction", "profile", "content", "glossary"}


def _references_of_broken(broken, valid, domain_of, sources: Sources) -> list[Problem]:
    """Unknown names in the valid parts of files that failed their schema (or had a duplicate key).

    Those files stay out of the model; here, what remains of each once its faults are
    cut away (:func:`valid_part`) is checked with the valid files, and of what that
    finds, only the names that point nowhere and lie in those files are kept: other
    rules could be misled by the parts cut away (an option claimed by an actor entry
    that was cut). The broken files' ids still count as defined, as everywhere.
    """
    parts = []
    for spec, doc in broken:
        if doc is not None and spec.kind in _PARTIAL_KINDS:
            part = valid_part(doc, spec.kind)
            if part is not None:
                parts.append((spec, part))
    if not parts:
        return []
    framework, partial = build(valid + parts, domain_of)
    partial.broken = sources.broken
    shown = {doc.display for _, doc in parts}
    return [p for p in run_checks(framework, partial) if p.loc.file in shown and _names_nothing(p)]


_GLOBAL_KINDS = ("actor", "transaction", "profile", "content", "standard")


def _names_nothing(problem: Problem) -> bool:
    """An unknown actor, transaction, profile, content module or standard, or an unresolved [[reference]]."""
    if problem.rule == "unresolved-reference":
        return True
    kind = problem.rule.removeprefix("unknown-")
    return problem.rule.startswith("unknown-") and kind in _GLOBAL_KINDS and f"unknown {kind} '" in problem.message


def _echo_of_refused(problem: Problem, kinds: set[str]) -> bool:
    """An unknown-name error that only repeats that a whole folder of ``kinds`` was refused."""
    return any(problem.rule == f"unknown-{k}" or (problem.rule == "unresolved-reference" and f"names no {k}" in problem.message) for k in kinds)


def _broken_ids(broken: list[tuple[SpecFile, Document | None]]) -> set[tuple[str, str]]:
    """The ids a broken file defines, or would define: its id if it can be read, else its file name."""
    ids = set()
    for spec, doc in broken:
        data = doc.data if doc is not None else None
        if spec.kind in _ID_KEYS:
            ids.add((spec.kind, spec.path.stem))  # file names must match ids
            key = data.get(_ID_KEYS[spec.kind]) if isinstance(data, dict) else None
            if isinstance(key, str):
                ids.add((spec.kind, key))
        elif spec.kind == "standards" and isinstance(data, dict) and isinstance(data.get("standards"), list):
            for entry in data["standards"]:
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    ids.add(("standard", entry["id"]))
    return ids
