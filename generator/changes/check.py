"""Checking change proposals and the revision log, as ``tfpub validate`` reports them.

* Each open CP (submitted to final text) is checked as a supplement is
  (:func:`generator.supplements.check.check_supplement`: its targets exist, its
  ``was:`` agrees with the base, and the amended framework passes the framework's
  own checks), then its message edits are made on the result.
* Its changes are compared with those of the other open CPs and of the open
  supplements of its domain: one thing changed in two different ways is a
  conflict, located at both.
* Its ``volumes`` must name every volume it changes.
* Status: a CP's ``history`` moves one step at a time (submitted, assigned,
  in-ballot, final-text, integrated; rejected from any step before final text),
  its ``status`` is the last step, and no CP or supplement goes back behind the
  status the revision log recorded for it (:mod:`.revisions`); a supplement that
  went from Public Comment to Final Text without Trial Implementation is warned about.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..load.discovery import domain_dirs
from ..model import Framework
from ..model.resolve import Sources
from ..problems import Loc, Problem, error, sort_problems, warning
from ..supplements.apply import Applied
from ..supplements.check import Checked, check_all, check_supplement, describe
from ..supplements.model import Supplement, load_supplements
from .apply import apply_message_edits
from .model import (
    ORDER,
    STATUS_LABELS,
    ChangeProposal,
    as_supplement,
    cp_files,
    load_change_proposals,
)
from .revisions import RevisionLog, load_log, snapshot_root

SUPPLEMENT_ORDER = ("public-comment", "trial-implementation", "final-text")
VOLUME_OF = {"profile": 1, "actor": 1, "transaction": 2, "content": 3, "glossary": 1, "standard": 1}


@dataclass
class CheckedCP:
    cp: ChangeProposal
    applied: Applied | None  # None: not open (integrated, rejected), or it does not apply
    problems: list[Problem]


def check_change_proposal(fw: Framework, sources: Sources, cp: ChangeProposal, before: set[Problem]) -> CheckedCP:
    domain = fw.domains.get(cp.domain)
    if domain is None:
        return CheckedCP(cp, None, [error(cp.loc, f"CP {cp.number} lies in folder {cp.domain}, which is not a domain", "supplement-base")])
    if not cp.is_open:
        return CheckedCP(cp, None, [])
    checked = check_supplement(fw, sources, as_supplement(cp), before)
    problems = list(checked.problems)
    if checked.applied is not None:
        n = len(checked.applied.problems)
        apply_message_edits(checked.applied, cp)
        problems += checked.applied.problems[n:]
        if not any(p.is_error for p in problems):
            problems += _volumes(cp, checked.applied)
    problems = [_worded(p, cp) for p in problems]
    ok = not any(p.is_error for p in problems)
    return CheckedCP(cp, checked.applied if ok else None, sort_problems(problems))


def _worded(p: Problem, cp: ChangeProposal) -> Problem:
    """The supplements' messages, about a CP: "the CP expects ...", "once CP-ITI-1234 is applied"."""
    message = p.message.replace("the supplement was written", f"{cp.number} was written").replace("the supplement expects", f"{cp.number} expects")
    message = message.replace(f"supplement '{cp.number}'", cp.number)
    return p if message == p.message else Problem(p.loc, p.severity, message, p.rule)


def _volumes(cp: ChangeProposal, applied: Applied) -> list[Problem]:
    changed = sorted({VOLUME_OF.get(c.target[0], 1) for c in applied.changes})
    missing = [v for v in changed if v not in cp.volumes]
    if missing:
        return [error(cp.doc.loc(("volumes",)), f"CP {cp.number} changes Volume {', '.join(map(str, missing))} but its volumes list {cp.volumes}; add {', '.join(map(str, missing))}", "cp-volumes")]
    extra = [v for v in cp.volumes if v not in changed]
    if extra:
        return [warning(cp.doc.loc(("volumes",)), f"CP {cp.number} lists Volume {', '.join(map(str, extra))} but changes nothing there; remove it", "cp-volumes")]
    return []


# --------------------------------------------------------------------------- conflicts


def conflicts(cps: list[CheckedCP], supplements: list[Checked]) -> list[Problem]:
    """Open CPs changing one thing in different ways, with each other or with an open supplement."""
    problems: list[Problem] = []
    seen: dict[tuple, tuple[str, object]] = {}
    for c in supplements:
        if c.applied is not None:
            for change in c.applied.changes:
                seen.setdefault((c.supplement.domain,) + change.key, (f"supplement '{c.supplement.id}'", change))
    for c in sorted(cps, key=lambda c: (c.cp.domain, c.cp.number)):
        if c.applied is None:
            continue
        for change in c.applied.changes:
            key = (c.cp.domain,) + change.key
            if key not in seen:
                seen[key] = (f"CP {c.cp.number}", change)
                continue
            other, first = seen[key]
            if change.mode == "append" and first.mode == "append":
                continue  # two additions to one text compose
            what = describe(change.key)
            if change.value == first.value:
                problems.append(warning(change.loc, f"{other} ({first.loc}) makes this same change to {what}; only one of them can be integrated: keep it in one", "cp-overlap"))
            else:
                problems.append(error(change.loc, f"conflicting changes: CP {c.cp.number} and {other} ({first.loc}) change {what} in different ways; agree on one change", "cp-conflict"))
    return problems


# --------------------------------------------------------------------------- status and the revision log


def history_problems(cp: ChangeProposal) -> list[Problem]:
    """The CP's own history: one step forward at a time, dates in order, its status the last step."""
    problems: list[Problem] = []
    previous = None
    for i, step in enumerate(cp.history):
        at = cp.doc.loc(("history", i, "status"))
        if previous is None:
            if step.status != "submitted":
                problems.append(error(at, f"a CP's history starts with submitted; {cp.number} starts with {step.status}", "cp-status"))
        elif previous.status == "rejected" or previous.status == "integrated":
            problems.append(error(at, f"{cp.number} was {previous.status} ({previous.loc}); nothing follows that", "cp-status"))
        elif step.status == "rejected":
            if previous.status == "final-text":
                problems.append(error(at, f"{cp.number} is final text ({previous.loc}): it is integrated in the next revision, not rejected; a new CP undoes it", "cp-status"))
        else:
            was, now = ORDER.index(previous.status), ORDER.index(step.status)
            if now <= was:
                problems.append(error(at, f"backward status change: {cp.number} goes from {previous.status} ({previous.loc}) back to {step.status}; a CP's status only moves forward", "cp-status"))
            elif now > was + 1:
                skipped = ", ".join(ORDER[was + 1 : now])
                problems.append(error(at, f"{cp.number} goes from {previous.status} to {step.status}, skipping {skipped}; record each step", "cp-status"))
        if previous is not None and step.date < previous.date:
            problems.append(error(cp.doc.loc(("history", i, "date")), f"{cp.number} is {step.status} on {step.date}, before its previous step ({previous.date})", "cp-status"))
        previous = step
    if cp.history and cp.history[-1].status != cp.status:
        problems.append(error(cp.doc.loc(("status",)), f"{cp.number} has status {cp.status} but its history ends with {cp.history[-1].status}; add the step to history (with its date)", "cp-status"))
    return problems


def _logged_status(log: RevisionLog, item: str):
    """(revision, status) the log last recorded for ``item``."""
    for r in reversed(log.revisions):
        if item in r.statuses:
            return r, r.statuses[item]
    return None, None


def log_problems(domain_dir: Path, log: RevisionLog, cps: list[ChangeProposal], supplements: list[Supplement], fw: Framework | None) -> list[Problem]:
    problems: list[Problem] = []
    by_number = {c.number: c for c in cps}
    by_id = {s.id: s for s in supplements}
    for rev in log.revisions:
        for i, number in enumerate(rev.change_proposals):
            cp = by_number.get(number)
            if cp is None:
                problems.append(error(log.loc_of(rev, "change_proposals", i), f"revision {rev.revision} integrated {number}, but there is no {domain_dir.name}/change-proposals/{number}.yaml; keep the CP's file", "revision-log"))
            elif cp.status != "integrated":
                problems.append(error(cp.doc.loc(("status",)), f"backward status change: {number} was integrated in revision {rev.revision} ({log.loc_of(rev, 'change_proposals', i)}), but its status is {cp.status}; set it back to integrated", "cp-status"))
        for i, sid in enumerate(rev.supplements):
            s = by_id.get(sid)
            if s is None:
                problems.append(error(log.loc_of(rev, "supplements", i), f"revision {rev.revision} integrated supplement {sid}, but there is no {domain_dir.name}/supplements/{sid}/; keep the supplement's folder", "revision-log"))
            elif s.status != "final-text":
                problems.append(error(s.doc.loc(("status",)), f"backward status change: supplement {sid} reached Final Text in revision {rev.revision} ({log.loc_of(rev, 'supplements', i)}), but its status is {s.status}", "revision-status"))
        if rev is not log.current and not (snapshot_root(domain_dir, rev.revision) / domain_dir.name / "domain.yaml").is_file():
            problems.append(error(log.loc_of(rev, "revision"), f"revision {rev.revision} has no snapshot: {domain_dir.name}/history/{rev.revision}/{domain_dir.name}/domain.yaml is missing ('tfpub revision fold' keeps one)", "revision-log"))
    for cp in cps:
        if cp.status == "integrated" and log.integrated_in(cp.number, "cp") is None:
            problems.append(error(cp.doc.loc(("status",)), f"{cp.number} is integrated, but no revision in {domain_dir.name}/revisions.yaml integrated it; a CP is integrated by 'tfpub revision fold'", "cp-status"))
        rev, logged = _logged_status(log, cp.number)
        if cp.status != "integrated" and log.integrated_in(cp.number, "cp") is not None:
            continue  # reported above, at the revision that integrated it
        if logged in ORDER and cp.status in ORDER and ORDER.index(cp.status) < ORDER.index(logged):
            problems.append(error(cp.doc.loc(("status",)), f"backward status change: {cp.number} was {logged} when revision {rev.revision} was made ({log.loc_of(rev, 'statuses', cp.number)}), and is {cp.status} now", "cp-status"))
        elif logged == "rejected" and cp.status != "rejected":
            problems.append(error(cp.doc.loc(("status",)), f"{cp.number} was rejected when revision {rev.revision} was made ({log.loc_of(rev, 'statuses', cp.number)}); submit a new CP instead of reopening it", "cp-status"))
    for s in supplements:
        rev, logged = _logged_status(log, s.id)
        if logged not in SUPPLEMENT_ORDER:
            continue
        was, now = SUPPLEMENT_ORDER.index(logged), SUPPLEMENT_ORDER.index(s.status)
        at = log.loc_of(rev, "statuses", s.id)
        if now < was:
            problems.append(error(s.doc.loc(("status",)), f"backward status change: supplement {s.id} was {logged} when revision {rev.revision} was made ({at}), and is {s.status} now", "revision-status"))
        elif now > was + 1:
            problems.append(warning(s.doc.loc(("status",)), f"supplement {s.id} went from {logged} (revision {rev.revision}, {at}) to {s.status}, skipping trial-implementation", "revision-status"))
    current = log.current
    domain = fw.domains.get(domain_dir.name) if fw is not None else None
    if current is not None and domain is not None and (domain.revision, domain.date) != (current.revision, current.date):
        # a warning: the revision is the domain's; the log is what made it, and says so
        problems.append(warning(log.loc_of(current, "revision"), f"the log's last revision is {current.revision} ({current.date}) but domain.yaml says {domain.revision} ({domain.date}); make revisions with 'tfpub revision fold', which updates both", "revision-log"))
    return problems


# --------------------------------------------------------------------------- the whole check, remembered

_LAST: list[tuple] = []


def _stamp(root: Path) -> str:
    digest = hashlib.blake2b(digest_size=20)
    for _domain, path in cp_files(root):
        digest.update(str(path).encode("utf-8", "surrogateescape") + b"\0" + path.read_bytes())
    for ddir in domain_dirs(root) if root.is_dir() else []:
        log = ddir / "revisions.yaml"
        if log.is_file():
            digest.update(str(log).encode("utf-8", "surrogateescape") + b"\0" + log.read_bytes())
    return digest.hexdigest()


def check_change_proposals(root: Path, fw: Framework, sources: Sources, *, before: list[Problem] | None = None) -> tuple[list[CheckedCP], list[Problem]]:
    """Every CP under ``root`` checked against ``fw``, and every problem (status and log ones included).
    Remembered for this framework object and these files, so a build checks once."""
    root = Path(root)
    stamp = (str(root.resolve()), _stamp(root))
    if _LAST and _LAST[0][0] is fw and _LAST[0][1] == stamp:
        return list(_LAST[0][2]), list(_LAST[0][3])
    cps, problems = load_change_proposals(root)
    known = set(before) if before is not None else None
    checked = []
    if any(c.is_open for c in cps):
        if known is None:
            from ..check.checks import run_checks

            known = set(run_checks(fw, sources))
        checked = [check_change_proposal(fw, sources, cp, known) for cp in cps]
    else:
        checked = [CheckedCP(cp, None, []) for cp in cps]
    for c in checked:
        problems += c.problems
    supplements_checked = check_all(root, fw, sources, before=before)[0] if any(c.applied for c in checked) else []
    problems += conflicts(checked, supplements_checked)
    problems += status_problems(root, cps, fw)
    result = (checked, sort_problems(problems))
    _LAST[:] = [(fw, stamp, result[0], result[1])]
    return list(result[0]), list(result[1])


def remembered(root: Path, fw: Framework) -> tuple[list[CheckedCP], list[Problem]] | None:
    """What :func:`check_change_proposals` found for this framework object and the files as they are now, if it ran."""
    root = Path(root)
    if _LAST and _LAST[0][0] is fw and _LAST[0][1] == (str(root.resolve()), _stamp(root)):
        return list(_LAST[0][2]), list(_LAST[0][3])
    return None


def status_problems(root: Path, cps: list[ChangeProposal], fw: Framework | None) -> list[Problem]:
    problems: list[Problem] = []
    for cp in cps:
        problems += history_problems(cp)
    supplements = load_supplements(root)[0]
    for ddir in domain_dirs(root) if root.is_dir() else []:
        log, found = load_log(ddir)
        problems += found
        if log is not None:
            problems += log_problems(ddir, log, [c for c in cps if c.domain == ddir.name], [s for s in supplements if s.domain == ddir.name], fw)
        else:
            for cp in cps:
                if cp.domain == ddir.name and cp.status == "integrated":
                    problems.append(error(cp.doc.loc(("status",)), f"{cp.number} is integrated, but {ddir.name} has no revisions.yaml recording the revision that integrated it", "cp-status"))
    return problems


def validate_change_proposals(root: Path, fw: Framework, sources: Sources | None = None, *, base_ok: bool = True, before: list[Problem] | None = None) -> list[Problem]:
    """The problems ``tfpub validate`` reports for change proposals and revision logs.

    On a broken framework (or without its sources) CPs are only read and their status checked."""
    root = Path(root)
    if sources is None or not base_ok:
        cps, problems = load_change_proposals(root)
        return sort_problems(problems + status_problems(root, cps, None))
    return check_change_proposals(root, fw, sources, before=before)[1]


def label(status: str) -> str:
    return STATUS_LABELS[status]


__all__ = ["CheckedCP", "Loc", "check_change_proposals", "validate_change_proposals"]
