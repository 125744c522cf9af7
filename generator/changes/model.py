"""Reading change proposals: one YAML file per CP, loaded with the framework's loader and schema-checked.

A CP is one file, ``specs/<DOMAIN>/change-proposals/CP-<DOMAIN>-NNNN.yaml``
(schema ``change-proposal.schema.json``), not a folder as a supplement is: a CP
never brings new actor, transaction or profile files, only amendments of what
the volumes have, so its metadata and its changes sit together and a committee
reviews one file. Its amendments are written exactly as a supplement's (the same
operations, the same schema), plus the message edits CPs commonly make
(:data:`MESSAGE_OPS`).

:func:`as_supplement` gives the CP the shape of a :class:`generator.supplements.Supplement`
holding its supplement-style amendments, so applying, checking, the document's
instructions and change markup, and the round-trip editing that folds it into the
base are the supplements' own code, not a second copy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from ..load.discovery import display_path, domain_dirs, inside
from ..load.schema_check import _describe
from ..load.yaml_loader import Document, load_file
from ..problems import Loc, Problem, error, warning
from ..supplements.model import Amendment, Editor, Supplement

FOLDER = "change-proposals"
STATUSES = ("submitted", "assigned", "in-ballot", "final-text", "integrated", "rejected")
ORDER = ("submitted", "assigned", "in-ballot", "final-text", "integrated")  # rejected may follow any step before final text
OPEN = ("submitted", "assigned", "in-ballot", "final-text")  # applied to the volumes when checking; integrated ones are in them
STATUS_LABELS = {
    "submitted": "Submitted",
    "assigned": "Assigned",
    "in-ballot": "In Ballot",
    "final-text": "Final Text",
    "integrated": "Integrated",
    "rejected": "Rejected",
}
MESSAGE_OPS = ("replace-message-text", "append-message-text")


@dataclass
class Step:
    status: str
    date: str
    note: str
    loc: Loc


@dataclass
class ChangeProposal:
    number: str
    domain: str
    path: Path
    title: str
    status: str
    rationale: str
    applies_to: str
    volumes: list[int]
    doc: Document
    submitter: Editor
    editor: str = ""
    history: list[Step] = field(default_factory=list)
    amendments: list[Amendment] = field(default_factory=list)  # every change, in order

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def loc(self) -> Loc:
        return self.doc.loc()

    @property
    def date(self) -> str:
        """The date of its current status."""
        return self.history[-1].date if self.history else ""

    def dated(self, status: str) -> str:
        return next((s.date for s in self.history if s.status == status), "")

    @property
    def supplement_amendments(self) -> list[Amendment]:
        return [a for a in self.amendments if a.op not in MESSAGE_OPS]

    @property
    def message_edits(self) -> list[Amendment]:
        return [a for a in self.amendments if a.op in MESSAGE_OPS]


def as_supplement(cp: ChangeProposal) -> Supplement:
    """The CP as a supplement with its supplement-style amendments (no new entities): what the
    supplements' applying, checking, document and incorporation code takes."""
    return Supplement(
        id=cp.number,
        domain=cp.domain,
        folder=cp.path.parent,
        title=cp.title,
        revision="",
        status="trial-implementation",  # open, with assigned numbers: checked as a supplement that is not Public Comment is
        date=cp.date,
        applies_to=cp.applies_to,
        doc=cp.doc,
        editors=[cp.submitter],
        amendments_doc=cp.doc,
        amendments=cp.supplement_amendments,
    )


# --------------------------------------------------------------------------- schema


def _schema(name: str) -> dict:
    return json.loads(resources.files("generator.schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8"))


@cache
def validator(kind: str) -> Draft202012Validator:
    """``change-proposal`` (which refers to the supplements' amendment schema) or ``revisions``."""
    names = ("supplement-amendments", "profile", "transaction")
    registry = Registry().with_resources([(f"{n}.schema.json", Resource.from_contents(_schema(n))) for n in names])
    return Draft202012Validator(_schema(kind), registry=registry)


def schema_problems(doc: Document, kind: str) -> list[Problem]:
    problems = []
    for err in validator(kind).iter_errors(doc.data):
        if err.validator in ("if", "allOf"):
            continue
        # an error inside the supplement-amendments branch: report the deepest one (one line, located)
        while err.context:
            err = max(err.context, key=lambda e: len(e.absolute_path))
        path, message, at_key = _describe(err)
        problems.append(error(doc.loc(path, key=at_key), " ".join(message.split()), f"schema-{err.validator}"))
    return problems


def load_document(path: Path, kind: str) -> tuple[Document | None, list[Problem]]:
    doc, problems = load_file(path, display_path(path))
    if doc is None or any(p.is_error for p in problems):
        return None, problems
    found = schema_problems(doc, kind)
    return (None if found else doc), problems + found


# --------------------------------------------------------------------------- loading


def cp_files(root: Path) -> list[tuple[str, Path]]:
    """(domain folder name, CP file) for every CP under ``root``, in name order."""
    out = []
    if not root.is_dir():
        return out
    for ddir in domain_dirs(root):
        folder = ddir / FOLDER
        if folder.is_dir():
            out += [(ddir.name, p) for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".") and p.suffix in (".yaml", ".yml") and inside(p, root)]
    return out


def load_change_proposal(path: Path, domain: str) -> tuple[ChangeProposal | None, list[Problem]]:
    if path.suffix == ".yml":
        return None, [warning(Loc(display_path(path)), "change proposal files end in .yaml; rename this file so it is read", "unknown-file")]
    doc, problems = load_document(path, "change-proposal")
    if doc is None:
        return None, problems
    d = doc.data
    if d["number"] != path.stem:
        problems.append(error(doc.loc(("number",)), f"the file is '{path.name}' but the CP number is '{d['number']}'; rename one so they match", "file-name-mismatch"))
        return None, problems
    if not d["number"].startswith(f"CP-{domain}-"):
        problems.append(error(doc.loc(("number",)), f"a CP of domain {domain} is numbered CP-{domain}-NNNN; '{d['number']}' is not", "cp-number"))
        return None, problems
    sub = d["submitter"]
    cp = ChangeProposal(
        number=d["number"],
        domain=domain,
        path=path,
        title=d["title"],
        status=d["status"],
        rationale=d["rationale"],
        applies_to=d["applies_to"]["revision"],
        volumes=sorted(d["volumes"]),
        doc=doc,
        submitter=Editor(sub["name"], sub.get("organization", ""), sub.get("email", "")),
        editor=d.get("editor", ""),
        history=[Step(h["status"], h["date"], h.get("note", ""), doc.loc(("history", i))) for i, h in enumerate(d["history"])],
        amendments=[Amendment(a["op"], a, doc, ("amendments", i)) for i, a in enumerate(d["amendments"])],
    )
    return cp, problems


def load_change_proposals(root: Path) -> tuple[list[ChangeProposal], list[Problem]]:
    out, problems = [], []
    for domain, path in cp_files(Path(root)):
        cp, found = load_change_proposal(path, domain)
        problems += found
        if cp is not None:
            out.append(cp)
    return out, problems
