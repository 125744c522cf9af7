"""Reading supplements: find each supplement folder, load and schema-check its files.

A supplement is the folder ``specs/<DOMAIN>/supplements/<id>/``::

    supplement.yaml          metadata (supplement.schema.json)
    amendments.yaml          changes to existing entities (supplement-amendments.schema.json)
    actors/<id>.yaml         new entities, written with the framework's own schemas
    transactions/<ID>.yaml
    profiles/<ACRONYM>.yaml
    content/<id>.yaml
    glossary.yaml            new glossary terms
    standards.yaml           new referenced standards

Files are read with the framework's own loader (so every node keeps its line and
column) and checked with the same JSON Schemas as the volumes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from ..load.discovery import FOLDER_KINDS, display_path, domain_dirs, inside, walk
from ..load.schema_check import _describe, check_document
from ..load.yaml_loader import Document, load_file
from ..problems import Loc, Problem, error, format_text, warning

FOLDER = "supplements"
META = "supplement.yaml"
AMENDMENTS = "amendments.yaml"
FILE_KINDS = {"glossary.yaml": "glossary", "standards.yaml": "standards"}
OPEN = ("public-comment", "trial-implementation")


class SupplementError(Exception):
    """The supplement cannot be applied to the framework; ``problems`` say why."""

    def __init__(self, problems: list[Problem]):
        super().__init__(format_text(problems))
        self.problems = problems


@dataclass
class Issue:
    id: str
    text: str


@dataclass
class Editor:
    name: str
    organization: str = ""
    email: str = ""


@dataclass
class Amendment:
    """One entry of amendments.yaml; ``data`` is the entry as written, ``path`` its place in the file."""

    op: str
    data: dict
    doc: Document
    path: tuple

    @property
    def loc(self) -> Loc:
        return self.doc.loc(self.path)

    def loc_of(self, *keys) -> Loc:
        return self.doc.loc(self.path + tuple(keys))


@dataclass
class Supplement:
    id: str
    domain: str
    folder: Path
    title: str
    revision: str
    status: str
    date: str
    applies_to: str
    doc: Document
    introduction: str = ""
    comments_due: str = ""  # Public Comment: the end of the comment period (YYYY-MM-DD), on the cover
    editors: list[Editor] = field(default_factory=list)
    open_issues: list[Issue] = field(default_factory=list)
    closed_issues: list[Issue] = field(default_factory=list)
    entities: list[tuple[str, Document]] = field(default_factory=list)  # (kind, document) of new actors, transactions, ...
    glossary: Document | None = None
    standards: Document | None = None
    amendments_doc: Document | None = None
    amendments: list[Amendment] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)  # ids of open supplements applied before this one

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def loc(self) -> Loc:
        return self.doc.loc()

    def documents(self) -> list[Document]:
        docs = [self.doc] + [d for _, d in self.entities]
        docs += [d for d in (self.glossary, self.standards, self.amendments_doc) if d is not None]
        return docs


# --------------------------------------------------------------------------- schemas


def _schema(name: str) -> dict:
    return json.loads(resources.files("generator.schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def validator(kind: str) -> Draft202012Validator:
    """A validator for ``supplement`` or ``supplement-amendments``; the latter refers to the profile and transaction schemas."""
    registry = Registry().with_resources(
        [(f"{name}.schema.json", Resource.from_contents(_schema(name))) for name in ("profile", "transaction")]
    )
    return Draft202012Validator(_schema(kind), registry=registry)


def check(doc: Document, kind: str) -> list[Problem]:
    if kind not in ("supplement", "supplement-amendments"):
        return check_document(doc, kind)
    problems = []
    for err in validator(kind).iter_errors(doc.data):
        if err.validator in ("if", "allOf"):
            continue  # the branch's own errors are reported
        path, message, at_key = _describe(err)
        problems.append(error(doc.loc(path, key=at_key), message, f"schema-{err.validator}"))
    return problems


# --------------------------------------------------------------------------- loading


def _load(path: Path, kind: str, problems: list[Problem]) -> Document | None:
    doc, found = load_file(path, display_path(path))
    problems.extend(found)
    if doc is None or any(p.is_error for p in found):
        return None
    schema_problems = check(doc, kind)
    problems.extend(schema_problems)
    return None if schema_problems else doc


def supplement_folders(root: Path) -> list[tuple[str, Path]]:
    """(domain folder name, supplement folder) for every supplement under ``root``."""
    out = []
    if not root.is_dir():
        return out
    for ddir in domain_dirs(root):
        base = ddir / FOLDER
        if base.is_dir():
            # a linked supplement folder counts when it stays inside the specs folder (discovery refuses the others)
            out += [(ddir.name, p) for p in sorted(base.iterdir()) if not p.name.startswith(".") and p.is_dir() and inside(p, root)]
    return out


def load_supplement(folder: Path, domain: str, root: Path | None = None) -> tuple[Supplement | None, list[Problem]]:
    """Load one supplement folder. Returns no supplement when any of its files is broken.

    ``root``: the specs folder, which symbolic links must not leave (default: the
    folder above the supplement's domain)."""
    problems: list[Problem] = []
    root = root if root is not None else folder.parent.parent.parent
    if not inside(folder, root):
        return None, [error(Loc(display_path(folder)), f"this supplement folder is not inside the specs folder {display_path(root)}/ (a symbolic link?); tfpub reads only files inside it", "symlink-outside")]
    tree, found = walk(root, folder)
    problems += found
    meta_path = folder / META
    if meta_path.is_symlink() and not inside(meta_path, root):
        return None, problems  # walk said why
    if not meta_path.is_file():
        return None, [error(Loc(display_path(folder)), f"a supplement folder needs a {META} with its title, revision, status and the revision it applies to", "supplement-missing")]
    broken = False
    meta = _load(meta_path, "supplement", problems)
    if meta is None:
        return None, problems
    d = meta.data
    if d["id"] != folder.name:
        problems.append(error(meta.loc(("id",)), f"the supplement folder is '{folder.name}' but its id is '{d['id']}'; rename one so they match", "file-name-mismatch"))
    supp = Supplement(
        id=d["id"],
        domain=domain,
        folder=folder,
        title=d["title"],
        revision=d["revision"],
        status=d["status"],
        date=d["date"],
        applies_to=d["applies_to"]["revision"],
        doc=meta,
        introduction=d.get("introduction", ""),
        comments_due=d.get("comments_due", ""),
        editors=[Editor(e["name"], e.get("organization", ""), e.get("email", "")) for e in d.get("editors", [])],
        open_issues=[Issue(i["id"], i["text"]) for i in d.get("open_issues", [])],
        closed_issues=[Issue(i["id"], i["text"]) for i in d.get("closed_issues", [])],
        depends_on=list(d.get("depends_on", [])),
    )
    for path in tree:
        rel = path.relative_to(folder)
        if path == meta_path:
            continue
        shown = display_path(path)
        if path.suffix == ".yml":
            problems.append(warning(Loc(shown), "spec files end in .yaml; rename this file so it is read", "unknown-file"))
            continue
        if path.suffix != ".yaml":
            continue
        if len(rel.parts) == 1 and rel.name == AMENDMENTS:
            doc = _load(path, "supplement-amendments", problems)
            broken |= doc is None
            if doc is not None:
                supp.amendments_doc = doc
                supp.amendments = [Amendment(a["op"], a, doc, ("amendments", i)) for i, a in enumerate(doc.data["amendments"])]
        elif len(rel.parts) == 1 and rel.name in FILE_KINDS:
            doc = _load(path, FILE_KINDS[rel.name], problems)
            broken |= doc is None
            setattr(supp, FILE_KINDS[rel.name], doc)
        elif len(rel.parts) == 2 and rel.parts[0] in FOLDER_KINDS:
            kind = FOLDER_KINDS[rel.parts[0]]
            doc = _load(path, kind, problems)
            broken |= doc is None
            if doc is not None:
                supp.entities.append((kind, doc))
        else:
            places = f"{META}, {AMENDMENTS}, glossary.yaml, standards.yaml, " + ", ".join(f"{f}/" for f in sorted(FOLDER_KINDS))
            problems.append(warning(Loc(shown), f"not a recognised supplement file, so it is not read; a supplement holds {places}", "unknown-file"))
    if supp.comments_due and supp.status != "public-comment":
        problems.append(warning(meta.loc(("comments_due",), key=True), f"comments_due is printed only on a Public Comment supplement, and this one is {d['status']}: remove it, or set status: public-comment", "supplement-comments-due"))
    elif supp.comments_due and supp.comments_due < supp.date:
        problems.append(error(meta.loc(("comments_due",)), f"comments are due on {supp.comments_due}, before the supplement's date {supp.date}: give the last day of the comment period", "supplement-comments-due"))
    if broken or any(p.is_error for p in problems):
        return None, problems
    return supp, problems


def load_supplements(root: Path) -> tuple[list[Supplement], list[Problem]]:
    """Every supplement under ``root`` that loads and passes its schemas, and all problems found."""
    supplements, problems = [], []
    for domain, folder in supplement_folders(root):
        supp, found = load_supplement(folder, domain, root)
        problems += found
        if supp is not None:
            supplements.append(supp)
    return supplements, problems


def entity_key(kind: str, doc: Document) -> str:
    return doc.data["acronym" if kind == "profile" else "id"]


def data_at(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data
