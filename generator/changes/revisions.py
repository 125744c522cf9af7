"""The revision log (``specs/<DOMAIN>/revisions.yaml``) and the kept snapshots of earlier revisions.

Each entry records a revision of the domain's volumes: its number and date, the
CPs and supplements it integrated, and the status every CP and supplement had
when it was made (which later status changes are checked against). The log is
written by ``tfpub revision fold`` (:mod:`.fold`) and read here.

The volumes of every revision are kept as a snapshot,
``specs/<DOMAIN>/history/<revision>/<DOMAIN>/`` (the domain's volume files as they
were: domain.yaml, glossary.yaml, standards.yaml, actors/, transactions/,
profiles/, content/), which is itself a specs folder the ordinary loader reads.
The fold that makes a revision keeps it, so that the live specs can move on (a
supplement incorporated for the next revision) without changing what a revision
was; only the current revision may lack one (the first revision of a log, never
folded), and is then the live specs.
Snapshots rather than git history: a build must not depend on git (an archive, a
shallow CI clone, an uncommitted fold), must be deterministic, and must show a
revision exactly as the log says it was; a snapshot is a plain, reviewable copy
that needs nothing but the specs folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..load.discovery import display_path
from ..load.yaml_loader import Document
from ..problems import Loc, Problem, error
from .model import load_document

LOG = "revisions.yaml"
HISTORY = "history"
VOLUME_ENTRIES = ("domain.yaml", "glossary.yaml", "standards.yaml", "actors", "transactions", "profiles", "content")


@dataclass
class Revision:
    revision: str
    date: str
    loc: Loc
    index: int
    summary: str = ""
    change_proposals: list[str] = field(default_factory=list)
    supplements: list[str] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)


@dataclass
class RevisionLog:
    domain: str
    path: Path
    doc: Document | None
    revisions: list[Revision] = field(default_factory=list)

    @property
    def current(self) -> Revision | None:
        return self.revisions[-1] if self.revisions else None

    def previous(self, rev: Revision) -> Revision | None:
        return self.revisions[rev.index - 1] if rev.index > 0 else None

    def integrated_in(self, item: str, kind: str) -> Revision | None:
        """The revision that integrated CP or supplement ``item`` (``kind``: "cp" or "supplement")."""
        for r in self.revisions:
            if item in (r.change_proposals if kind == "cp" else r.supplements):
                return r
        return None

    def loc_of(self, rev: Revision, *path) -> Loc:
        return self.doc.loc(("revisions", rev.index) + tuple(path)) if self.doc is not None else Loc(display_path(self.path))


def snapshot_root(domain_dir: Path, revision: str) -> Path:
    """The specs folder holding revision ``revision`` of the domain's volumes."""
    return domain_dir / HISTORY / revision


def load_log(domain_dir: Path) -> tuple[RevisionLog | None, list[Problem]]:
    """The domain's revision log; None when it has none."""
    path = domain_dir / LOG
    if not path.is_file():
        return None, []
    doc, problems = load_document(path, "revisions")
    if doc is None:
        return None, problems
    log = RevisionLog(domain_dir.name, path, doc)
    seen: dict[str, Revision] = {}
    for i, r in enumerate(doc.data["revisions"]):
        rev = Revision(
            r["revision"], r["date"], doc.loc(("revisions", i)), i, r.get("summary", ""),
            list(r.get("change_proposals", [])), list(r.get("supplements", [])), dict(r.get("statuses", {})),
        )
        if rev.revision in seen:
            problems.append(error(doc.loc(("revisions", i, "revision")), f"revision {rev.revision} is logged twice (first at {seen[rev.revision].loc})", "revision-log"))
        elif log.revisions and rev.date < log.revisions[-1].date:
            problems.append(error(doc.loc(("revisions", i, "date")), f"revision {rev.revision} is dated {rev.date}, before revision {log.revisions[-1].revision} ({log.revisions[-1].date}); the log lists revisions oldest first", "revision-log"))
        seen[rev.revision] = rev
        log.revisions.append(rev)
    return log, problems
