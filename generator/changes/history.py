"""What changed on the volume pages from one revision to the next, from the kept snapshots.

Each revision's framework is read from its snapshot (:mod:`.revisions`; the
current one is the live specs), and the change from the revision before it is
computed exactly as a supplement's or a CP's document is
(:func:`generator.supplements.document.compute_instructions`): every volume page
rendered from both frameworks by the volumes' own templates, each numbered section
that differs shown with its changes marked. So "what changed since the previous
revision" reads like a CP, and a page's last change is the last revision whose
rendering of it differs from the one before.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Framework
from ..supplements.apply import Applied
from ..supplements.document import Instruction, Renderer, compute_instructions
from ..supplements.model import SupplementError
from .revisions import Revision, RevisionLog, snapshot_root


@dataclass
class RevisionChanges:
    revision: Revision
    previous: Revision | None
    framework: Framework
    base: Framework | None  # the previous revision's framework
    instructions: list[Instruction] = field(default_factory=list)
    before_pages: dict[str, str] = field(default_factory=dict)
    after_pages: dict[str, str] = field(default_factory=dict)  # pages that are new or differ

    @property
    def changed_pages(self) -> list[str]:
        return list(self.after_pages)


def snapshot_framework(domain_dir: Path, revision: str) -> Framework:
    """The framework of a kept revision. Raises :class:`SupplementError` when its snapshot does not validate."""
    from ..check.validate_framework import validate_framework

    result = validate_framework(snapshot_root(domain_dir, revision))
    if result.errors:
        raise SupplementError(result.errors)
    return result.framework


def revision_frameworks(domain_dir: Path, log: RevisionLog, live: Framework) -> dict[str, Framework]:
    """Revision number -> its framework: the snapshots, and the live specs for the current revision."""
    out = {r.revision: snapshot_framework(domain_dir, r.revision) for r in log.revisions[:-1]}
    current = log.current.revision
    # the current revision as its fold kept it; the live specs when no fold did (the first revision of a log),
    # since they may have moved on since (a supplement incorporated, to go into the next revision)
    kept = (snapshot_root(domain_dir, current) / domain_dir.name / "domain.yaml").is_file()
    out[current] = snapshot_framework(domain_dir, current) if kept else live
    return out


def since_current(domain_dir: Path, log: RevisionLog, live: Framework, env, frameworks: dict[str, Framework] | None = None) -> list[str]:
    """The volume pages the live specs changed (or added) since the current revision was kept:
    a supplement incorporated for the next revision. Empty when the live specs are that revision."""
    from ..render.export import export_json

    frameworks = frameworks or revision_frameworks(domain_dir, log, live)
    kept = frameworks[log.current.revision]
    if kept is live:
        return []
    moved = dataclasses.replace(live, domains={**live.domains, log.domain: kept.domains[log.domain]}) if log.domain in kept.domains else live
    if export_json(moved) == export_json(kept):
        return []
    _instructions, _before, after = compute_instructions(kept, Applied(live), log.domain, Renderer(env))
    return list(after)


def changes(domain_dir: Path, log: RevisionLog, live: Framework, env) -> list[RevisionChanges]:
    """For each revision of the log, oldest first, what changed on the volume pages since the one before."""
    frameworks = revision_frameworks(domain_dir, log, live)
    renderer = Renderer(env)
    out = []
    for rev in log.revisions:
        prev = log.previous(rev)
        fw = frameworks[rev.revision]
        item = RevisionChanges(rev, prev, fw, frameworks[prev.revision] if prev else None)
        if prev is not None:
            item.instructions, item.before_pages, item.after_pages = compute_instructions(item.base, Applied(fw), log.domain, renderer)
        out.append(item)
    return out


def last_changed(history: list[RevisionChanges]) -> dict[str, RevisionChanges]:
    """Volume page -> the revision that last changed it (among those the log has a previous revision for)."""
    out: dict[str, RevisionChanges] = {}
    for item in history:
        for page in item.changed_pages:
            out[page] = item
    return out
