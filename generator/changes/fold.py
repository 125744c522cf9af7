"""``tfpub revision fold``: make the next revision of a domain's volumes, all or nothing.

Every final-text CP of the domain is folded into the base YAML files, in number
order, with the supplements' round-trip editor (:class:`generator.supplements.incorporate._Editor`,
the code ``tfpub supplement incorporate`` uses: comments, key order and styles
kept), and marked integrated, with the step in its history. Supplements become
Final Text through ``tfpub supplement incorporate`` (their changes are then in the
base already); the fold records every final-text supplement no revision has
recorded yet. The new revision's volumes are kept as its snapshot
(``history/<revision>/``, :mod:`.revisions`), and the replaced one's too if no
fold kept it (the first revision of a log), domain.yaml gets the new
revision and date, and the revision log a new entry: what went in, and the status
of every CP and supplement.

Nothing is written until all of it has been checked: the specs validate, each CP
applies to the framework (on the CPs before it), and the edited tree, written in a
scratch copy, validates and defines exactly the framework computed by applying the
CPs, the framework their documents show. Then every file (edits and new files
alike) is replaced as one change through the supplements' journal
(:mod:`generator.supplements.journal`): a run killed at any moment leaves the specs
fully as they were or, after the next run recovers, fully folded; never half.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ..load.discovery import display_path, walk
from ..problems import Loc, Problem, error, sort_problems
from ..render.export import export_json
from ..supplements import journal
from ..supplements.incorporate import (
    Edit,
    RoundTrip,
    _appended_scalar,
    _copy_with_schema,
    _Editor,
    _Refused,
    _set,
)
from ..supplements.model import load_supplements
from .apply import apply_change_proposal
from .model import ChangeProposal, as_supplement, load_change_proposals
from .revisions import HISTORY, LOG, VOLUME_ENTRIES, load_log, snapshot_root

MESSAGE_KEYS = ["name", "type", "trigger", "semantics", "expected_actions"]
LOG_HEADER = "# yaml-language-server: $schema={schema}\n# The revisions of the {domain} volumes, oldest first, written by 'tfpub revision fold'.\n"


@dataclass
class FoldPlan:
    domain: str
    revision: str
    previous: str = ""
    change_proposals: list[str] = field(default_factory=list)
    supplements: list[str] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


class _CPEditor(_Editor):
    """The supplements' round-trip editor, for a CP: its amendments by their own index, and its message edits."""

    def __init__(self, fw, sources, cp: ChangeProposal, files: dict):
        super().__init__(fw, sources, as_supplement(cp))
        self.cp = cp
        self.files = files  # shared by every CP of the fold: each edits the files as the ones before left them

    def run(self) -> None:
        for a in self.cp.amendments:
            getattr(self, "op_" + a.op.replace("-", "_"))(a, self.amendment_nodes[a.path[1]])

    def _message(self, a) -> CommentedMap:
        t = self.file("transaction", a.data["transaction"])
        messages = list(t.get("messages") or []) + [m for i in (t.get("interactions") or []) for m in (i.get("messages") or [])]
        wanted = a.data["message"]
        if isinstance(wanted, int):  # checked before the fold: 1 <= wanted <= the number of messages
            return messages[wanted - 1]
        return next(m for m in messages if m["name"] == wanted)

    def op_replace_message_text(self, a, node) -> None:
        _set(self._message(a), a.data["field"], node["text"], MESSAGE_KEYS)

    def op_append_message_text(self, a, node) -> None:
        m = self._message(a)
        _set(m, a.data["field"], _appended_scalar(m.get(a.data["field"]), a.data["text"]), MESSAGE_KEYS)


def _q(text: str) -> DoubleQuotedScalarString:
    return DoubleQuotedScalarString(text)


def _volume_files(root: Path, domain_dir: Path) -> list[Path]:
    tree, _ = walk(root, domain_dir)
    return [p for p in tree if p.is_file() and p.relative_to(domain_dir).parts[0] in VOLUME_ENTRIES and p.suffix == ".yaml"]


def snapshot_edits(root: Path, domain_dir: Path, revision: str, edited: dict[Path, str] | None = None) -> list[Edit]:
    """New files: the domain's volume files kept as revision ``revision``'s snapshot; as they are,
    or with the texts ``edited`` gives (real path -> text: the fold's own edits)."""
    target_root = snapshot_root(domain_dir, revision) / domain_dir.name
    edited = edited or {}
    out = []
    for path in _volume_files(root, domain_dir):
        target = target_root / path.relative_to(domain_dir)
        text = _copy_with_schema(path, target)  # its schema line re-pointed from the snapshot's folder
        if path.resolve() in edited:
            text = text.partition("\n")[0] + "\n" + edited[path.resolve()].partition("\n")[2]
        out.append(Edit(target, text, None))
    return out


def plan(root: Path, domain: str, revision: str, date: str) -> FoldPlan:
    """Every file the fold writes, checked; or the problems that forbid it (then ``edits`` is empty)."""
    from ..validate import validate

    root = Path(root)
    out = FoldPlan(domain, revision)
    ddir = root / domain
    if not (ddir / "domain.yaml").is_file():
        out.problems.append(error(Loc(display_path(root)), f"no domain {domain} under {display_path(root)}/ (no {domain}/domain.yaml)", "revision-fold"))
        return out
    result = validate(root)
    errors = [p for p in result.problems if p.is_error]
    if errors:
        out.problems += errors + [error(Loc(display_path(ddir / "domain.yaml")), "the specs have errors (above); make a revision only of a framework that validates", "revision-fold")]
        return out
    fw = result.framework
    dom = fw.domains[domain]
    out.previous = dom.revision
    log, _ = load_log(ddir)
    at_domain = dom.loc
    if revision == dom.revision or (log is not None and any(r.revision == revision for r in log.revisions)):
        out.problems.append(error(at_domain, f"{domain} already has a revision {revision}; give the number of the next one", "revision-fold"))
    if date < dom.date:
        out.problems.append(error(at_domain, f"the new revision's date {date} is before the current revision's ({dom.revision}, {dom.date})", "revision-fold"))
    if snapshot_root(ddir, revision).exists():
        out.problems.append(error(Loc(display_path(snapshot_root(ddir, revision))), f"a snapshot of revision {revision} exists already; move it away (the fold keeps the new revision's volumes there)", "revision-fold"))
    cps = sorted((c for c in load_change_proposals(root)[0] if c.domain == domain), key=lambda c: c.number)
    supplements = [s for s in load_supplements(root)[0] if s.domain == domain]
    folded = [c for c in cps if c.status == "final-text"]
    recorded = {s for r in (log.revisions if log else []) for s in r.supplements}
    out.change_proposals = [c.number for c in folded]
    out.supplements = sorted(s.id for s in supplements if s.status == "final-text" and s.id not in recorded)
    if not folded and not out.supplements:
        out.problems.append(error(at_domain, f"nothing to fold: {domain} has no final-text CP and no final-text supplement that a revision has not recorded yet", "revision-fold"))
    for cp in folded:
        if cp.applies_to != dom.revision:
            out.problems.append(error(cp.doc.loc(("applies_to", "revision")), f"{cp.number} applies to Revision {cp.applies_to}, but {domain} is Revision {dom.revision}; bring it up to date before folding", "revision-fold"))
    if not out.ok:
        return out
    # the framework the CP documents show, one CP on the ones before it
    expected, files, edits = fw, {}, []
    try:
        for cp in folded:
            applied = apply_change_proposal(expected, cp)
            if not applied.ok:
                out.problems += [p for p in applied.problems if p.is_error]
                return out
            _CPEditor(expected, result.sources, cp, files).run()
            expected = applied.framework
            meta = files.setdefault(cp.path.resolve(), RoundTrip(cp.path))
            meta.data["status"] = "integrated"
            step = CommentedMap()
            step["status"] = "integrated"
            step["date"] = _q(date)
            step["note"] = f"Integrated into Revision {revision}."
            meta.data["history"].append(step)
        domain_file = files.setdefault((ddir / "domain.yaml").resolve(), RoundTrip(ddir / "domain.yaml"))
        domain_file.data["revision"] = _q(revision)
        domain_file.data["date"] = _q(date)
        statuses = {c.number: ("integrated" if c in folded else c.status) for c in cps} | {s.id: s.status for s in supplements}
        edits += _log_edit(ddir, log, files, revision, date, out, dict(sorted(statuses.items())))
        for path, rt in sorted(files.items()):
            new_text = rt.dumped()
            if new_text != rt.text:
                edits.append(Edit(path, new_text, rt.text))
        # the revision being replaced is kept as its last fold kept it (later incorporations do not reach it);
        # a revision no fold made (the first in a log) is kept as the volumes are now
        if not (snapshot_root(ddir, dom.revision) / domain / "domain.yaml").is_file():
            edits += snapshot_edits(root, ddir, dom.revision)
        edits += snapshot_edits(root, ddir, revision, {e.real: e.new_text for e in edits if e.old_text is not None})
        expected = dataclasses.replace(expected, domains={**expected.domains, domain: dataclasses.replace(dom, revision=revision, date=date)})
        _verify(root, edits, export_json(expected), {c.path.resolve() for c in cps if c.is_open and c not in folded}, {s.folder.resolve() for s in supplements if s.is_open})
    except _Refused as exc:
        out.problems.append(exc.problem)
        return out
    out.edits = edits
    return out


def _log_edit(ddir: Path, log, files: dict, revision: str, date: str, out: FoldPlan, statuses: dict) -> list[Edit]:
    entry = CommentedMap()
    entry["revision"] = _q(revision)
    entry["date"] = _q(date)
    parts = [", ".join(out.change_proposals), ", ".join(f"the {s} supplement" for s in out.supplements)]
    entry["summary"] = "Integrates " + " and ".join(p for p in parts if p) + "."
    if out.change_proposals:
        entry["change_proposals"] = CommentedSeq(out.change_proposals)
    if out.supplements:
        entry["supplements"] = CommentedSeq(out.supplements)
    entry["statuses"] = CommentedMap(statuses)
    path = ddir / LOG
    if log is not None:
        rt = files.setdefault(path.resolve(), RoundTrip(path))
        rt.data["revisions"].append(entry)
        return []
    # a first log: the revision being replaced, then the new one
    dom = files[(ddir / "domain.yaml").resolve()]
    first_line = dom.text.split("\n", 1)[0]  # the log names its schema as domain.yaml names its own
    schema = first_line.split("$schema=", 1)[1].strip().replace("domain.schema.json", "revisions.schema.json") if "$schema=" in first_line else "revisions.schema.json"
    first = f'  - revision: "{out.previous}"\n    date: "{_old_date(dom)}"\n    summary: The first revision recorded in this log.\n'
    text = LOG_HEADER.format(schema=schema, domain=ddir.name) + "revisions:\n" + first
    rt_text = _entry_text(entry)
    return [Edit(path, text + rt_text, None)]


def _old_date(rt: RoundTrip) -> str:
    import re

    m = re.search(r'^date:\s*"?([0-9-]+)"?', rt.text, re.MULTILINE)
    return m.group(1) if m else ""


def _entry_text(entry: CommentedMap) -> str:
    lines = [f'  - revision: "{entry["revision"]}"', f'    date: "{entry["date"]}"', f'    summary: {entry["summary"]}']
    for key in ("change_proposals", "supplements"):
        if key in entry:
            lines.append(f"    {key}:")
            lines += [f"      - {v}" for v in entry[key]]
    lines.append("    statuses:")
    lines += [f"      {k}: {v}" for k, v in entry["statuses"].items()]
    return "\n".join(lines) + "\n"


def _verify(root: Path, edits: list[Edit], expected_model: str, skip_files: set[Path], skip_folders: set[Path]) -> None:
    """Write the folded tree in a scratch copy (without the open CPs and supplements, which are checked
    against the new base by the next ``tfpub validate``): it must validate and define ``expected_model``."""
    from ..validate import validate

    tree, _ = walk(root)
    with tempfile.TemporaryDirectory(prefix="tfpub-fold-") as tmp:
        copy = Path(tmp) / root.resolve().name
        copy.mkdir()
        for path in tree:
            real = path.resolve()
            if real in skip_files or any(real.is_relative_to(f) for f in skip_folders):
                continue
            dst = copy / path.relative_to(root)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dst)
        root_real = root.resolve()
        for e in edits:
            target = copy / (e.real.relative_to(root_real) if e.old_text is not None else Path(e.path).resolve().relative_to(root_real))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(e.new_text, encoding="utf-8")
        result = validate(copy)
        errors = [p for p in result.problems if p.is_error]
        if errors:
            shown = "; ".join(str(p).replace(str(copy), display_path(root)) for p in errors[:5])
            raise _Refused(error(Loc(display_path(root)), f"the folded specs would not validate: {shown}", "revision-fold"))
        if export_json(result.framework) != expected_model:
            raise _Refused(error(Loc(display_path(root)), "the edited files would not define the framework the CPs describe (an internal error of tfpub); nothing was changed", "revision-fold"))


def label(domain: str, revision: str, date: str) -> str:
    """The journal's name for a fold: what an interrupted one tells the editor to run again."""
    return f"{domain}/revision {revision} {date}"


def fold(root: Path, domain: str, revision: str, date: str, *, dry_run: bool = False) -> FoldPlan:
    """Plan, check and (unless ``dry_run``) write the next revision. Problems leave every file as it was."""
    root = Path(root)
    notes = []
    if not dry_run:
        try:
            done = journal.recover(root)
        except journal.JournalError as exc:
            return FoldPlan(domain, revision, problems=[exc.problem])
        if done is not None:
            notes.append(f"{'finished' if done.finished else 'undid'} an interrupted change ({done.label})")
            if done.finished and done.label == label(domain, revision, date):  # this very fold, now complete
                return FoldPlan(domain, revision, notes=notes)
    result = plan(root, domain, revision, date)
    result.notes = notes
    result.problems = sort_problems(result.problems)
    if result.ok and not dry_run:
        try:
            journal.commit(root, label(domain, revision, date), [journal.Change(e.real, e.new_text) for e in result.edits])
        except journal.JournalError as exc:
            result.problems.append(exc.problem)
        except OSError as exc:
            result.problems.append(error(Loc(display_path(journal.journal_path(root))), f"writing the folded files failed ({exc}); fix that, then run the fold again: it finishes or undoes this one", "incorporate-interrupted"))
    return result


__all__ = ["HISTORY", "FoldPlan", "fold", "plan", "snapshot_edits"]
