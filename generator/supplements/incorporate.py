"""``tfpub supplement incorporate``: fold a supplement into the specs, as an ordinary reviewable change.

The base specs are edited with ruamel.yaml's round-trip mode, which keeps the
comments, key order, quoting and block styles of every file it touches; a file
that would not come back byte for byte from a load and dump without changes is
refused rather than reformatted. New entity files are copied in as written, with
only their schema line re-pointed. The supplement is then marked final-text.

Nothing is written until everything has been checked: the supplement must be
open, written against the framework's current revision, and apply cleanly; then
the edited specs are validated in a scratch copy, and the framework they define
must equal the one :func:`.apply.apply` computes (which is what the supplement
document shows). Only then are the files replaced, all of them as one change
(:mod:`.journal`): a run killed at any moment leaves the specs fully as they were
or, once a rerun has recovered, fully incorporated; never half. Edited files keep
their mode, new ones get the umask's.

Symbolic links inside the specs folder are edited at their target, so the link
stays a link and every place that shows the file shows the change (replacing the
link by a regular file would silently split what the author joined). Links that
leave the specs folder are refused by validation before anything is planned.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from ..load.discovery import display_path, domain_dirs, walk
from ..problems import Loc, Problem, error, sort_problems
from ..render.export import export_json
from . import journal
from .apply import appended, apply, narrative_target, target_key
from .model import FOLDER, Supplement, entity_key, load_supplement, load_supplements

# The order keys are written in, so a key an amendment adds lands where an editor would put it.
KEY_ORDER = {
    "profile": ["acronym", "name", "chapter", "type", "status", "summary", "actors", "options", "groupings", "overview", "use_cases", "security", "cross_profile", "table_notes", "statements", "exchanges"],
    "profile-actor": ["actor", "description", "transactions", "content_modules", "at_least_one_of", "options", "requirements"],
    "row": ["transaction", "optionality", "role", "condition", "note", "reference"],
    "option": ["id", "name", "description", "transactions", "requires", "adds", "status"],
    "transaction": ["id", "name", "status", "section", "scope", "roles", "standards", "messages", "interactions", "security", "audit"],
    "actor": ["id", "name", "definition", "status"],
    "content": ["id", "name", "section", "status", "summary", "format", "template_id", "standards", "sections"],
}
_FOLDERS = {"actor": "actors", "transaction": "transactions", "profile": "profiles", "content": "content"}
_SCHEMA_LINE = re.compile(r"^(# yaml-language-server: \$schema=)(\S+)(.*)$")
WRAP = 88


@dataclass
class Edit:
    path: Path
    new_text: str
    old_text: str | None  # None: a new file

    @property
    def shown(self) -> str:
        return display_path(self.path)

    @property
    def real(self) -> Path:
        """The file written: links resolved (a linked spec is edited at its target)."""
        return self.path.parent.resolve() / self.path.name if self.old_text is None else self.path.resolve()


@dataclass
class Plan:
    supplement: Supplement | None
    edits: list[Edit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what recovery of an interrupted run did

    @property
    def ok(self) -> bool:
        return self.supplement is not None and not any(p.is_error for p in self.problems)


class _Refused(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


# --------------------------------------------------------------------------- round-trip YAML


def _yaml(mapping: int, sequence: int, offset: int) -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    return y


_STYLES = [(2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4)]


class RoundTrip:
    """One YAML file held for editing, with the indentation that reproduces it exactly."""

    def __init__(self, path: Path):
        self.path = path
        self.text = path.read_text(encoding="utf-8")
        for style in _STYLES:
            y = _yaml(*style)
            data = y.load(self.text)
            if self._dump(y, data) == self.text:
                self.yaml, self.data = y, data
                return
        raise _Refused(
            error(
                Loc(display_path(path)),
                "this file would be reformatted by editing it (its indentation or layout is not one tfpub can keep exactly); "
                "indent it with two spaces per level, as 'tfpub new' writes files, then run the incorporation again",
                "supplement-format",
            )
        )

    @staticmethod
    def _dump(y: YAML, data) -> str:
        out = io.StringIO()
        y.dump(data, out)
        return out.getvalue()

    def dumped(self) -> str:
        return self._dump(self.yaml, self.data)


def _owned(node):
    """``node`` without the comment lines that follow it in amendments.yaml.

    ruamel.yaml attaches the full-line comments between two amendments to the last
    value of the first one; copied into a base file as they are, a reviewer's note
    about the next amendment would land in the volumes. A comment at the end of the
    node's own last line is kept.
    """
    inner = node
    while isinstance(inner, (CommentedMap, CommentedSeq)) and len(inner):
        last = list(inner)[-1] if isinstance(inner, CommentedMap) else len(inner) - 1
        entry = inner.ca.items.get(last)
        for i, token in enumerate(entry or []):
            if token is None or not hasattr(token, "value"):
                continue
            first = token.value.split("\n", 1)[0]
            if first.strip().startswith("#"):
                token.value = first + "\n"
            else:
                entry[i] = None
        inner = inner[last]
    return node


def _load_nodes(path: Path):
    return _yaml(2, 4, 2).load(path.read_text(encoding="utf-8"))


def _set(mapping: CommentedMap, key: str, value, order: list[str]) -> None:
    """Set ``key``; a new key goes after the keys that precede it in ``order``."""
    if key in mapping:
        mapping[key] = value
        return
    before = order[: order.index(key)] if key in order else order
    position = 0
    for i, existing in enumerate(mapping):
        if existing in before:
            position = i + 1
    mapping.insert(position, key, value)


def _list(mapping: CommentedMap, key: str, order: list[str]) -> CommentedSeq:
    if key not in mapping or mapping[key] is None:
        _set(mapping, key, CommentedSeq(), order)
    return mapping[key]


def _fold_positions(text: str, start: int, width: int) -> list[int]:
    """Where a folded scalar breaks the lines of ``text[start:]``: at spaces, before ``width`` characters."""
    out, line_start = [], start
    last_space = None
    for i in range(start, len(text)):
        ch = text[i]
        if ch == "\n":
            line_start, last_space = i + 1, None
            continue
        if ch == " " and i > line_start and text[i - 1] != " " and i + 1 < len(text) and text[i + 1] != " ":
            if i - line_start > width and last_space is not None:
                out.append(last_space)
                line_start = last_space + 1
            last_space = i
    if len(text) - line_start > width and last_space is not None and last_space >= line_start:
        out.append(last_space)
    return out


def _appended_scalar(old, text: str):
    new = appended(str(old or ""), text)
    if isinstance(old, FoldedScalarString) and "\n\n" in new and "\n" not in text.strip("\n").replace("\n\n", ""):
        out = FoldedScalarString(new)
        start = len(str(old).rstrip("\n")) + 2
        out.fold_pos = list(getattr(old, "fold_pos", [])) + _fold_positions(new, start, WRAP)
        return out
    if "\n" in new:
        return LiteralScalarString(new)
    return new


# --------------------------------------------------------------------------- planning


class _Editor:
    def __init__(self, fw, sources, supp: Supplement):
        self.fw, self.sources, self.supp = fw, sources, supp
        self.files: dict[Path, RoundTrip] = {}
        self.amendment_nodes = _load_nodes(supp.amendments_doc.path)["amendments"] if supp.amendments_doc else []

    def file(self, kind: str, key: str) -> CommentedMap:
        doc = self.sources.documents.get((kind, key))
        if doc is None:
            raise _Refused(error(self.supp.loc, f"{kind} '{key}' is not a file of the framework", "supplement-target"))
        path = doc.path.resolve()
        if path not in self.files:
            self.files[path] = RoundTrip(path)
        return self.files[path].data

    def profile_actor(self, profile: CommentedMap, actor_id: str) -> CommentedMap:
        return next(a for a in profile["actors"] if a["actor"] == actor_id)

    def run(self) -> None:
        for i, a in enumerate(self.supp.amendments):
            node = self.amendment_nodes[i]
            getattr(self, "op_" + a.op.replace("-", "_"))(a, node)

    # -- operations, mirroring .apply

    def op_add_option(self, a, node) -> None:
        p = self.file("profile", a.data["profile"])
        _list(p, "options", KEY_ORDER["profile"]).append(_owned(node["option"]))
        for claim in node["actors"]:
            entry = CommentedMap()
            entry["option"] = a.data["option"]["id"]
            for k, v in claim.items():
                if k != "actor":
                    entry[k] = v
            actor = self.profile_actor(p, claim["actor"])
            _list(actor, "options", KEY_ORDER["profile-actor"]).append(entry)

    def op_add_transaction(self, a, node) -> None:
        p = self.file("profile", a.data["profile"])
        row = CommentedMap()
        for k in KEY_ORDER["row"]:
            if k in node:
                row[k] = node[k]
        _list(self.profile_actor(p, a.data["actor"]), "transactions", KEY_ORDER["profile-actor"]).append(row)

    def op_set_optionality(self, a, node) -> None:
        p = self.file("profile", a.data["profile"])
        row = next(r for r in self.profile_actor(p, a.data["actor"])["transactions"] if r["transaction"] == a.data["transaction"])
        _set(row, "optionality", node["optionality"], KEY_ORDER["row"])
        if a.data["optionality"] == "C":
            _set(row, "condition", node.get("condition", ""), KEY_ORDER["row"])
        elif "condition" in row:
            del row["condition"]
        if "note" in node:
            _set(row, "note", node["note"], KEY_ORDER["row"])

    def op_remove_transaction(self, a, node) -> None:
        p = self.file("profile", a.data["profile"])
        rows = self.profile_actor(p, a.data["actor"])["transactions"]
        index = next(i for i, r in enumerate(rows) if r["transaction"] == a.data["transaction"])
        del rows[index]

    def op_add_actor(self, a, node) -> None:
        p = self.file("profile", a.data["profile"])
        p["actors"].append(_owned(node["actor"]))

    def op_add_grouping(self, a, node) -> None:
        p = self.file("profile", a.data["profile"])
        _list(p, "groupings", KEY_ORDER["profile"]).append(_owned(node["grouping"]))

    def op_remove_grouping(self, a, node) -> None:
        p = self.file("profile", a.data["profile"])
        want = sorted(target_key(w) for w in a.data["with"])
        for i, g in enumerate(p["groupings"]):
            if g["actor"] == a.data["actor"] and sorted(target_key(w) for w in g["with"]) == want:
                del p["groupings"][i]
                return

    def op_add_role(self, a, node) -> None:
        t = self.file("transaction", a.data["transaction"])
        t["roles"].append(_owned(node["role"]))

    def op_add_use_case(self, a, node) -> None:
        p = self.file("profile", a.data["profile"])
        _list(p, "use_cases", KEY_ORDER["profile"]).append(_owned(node["use_case"]))

    def op_add_requirement(self, a, node) -> None:
        p = self.file("profile", a.data["profile"])
        _list(self.profile_actor(p, a.data["actor"]), "requirements", KEY_ORDER["profile-actor"]).append(_owned(node["requirement"]))

    def op_add_table_note(self, a, node) -> None:
        p = self.file("profile", a.data["profile"])
        if "table_notes" not in p or p["table_notes"] is None:
            _set(p, "table_notes", CommentedMap(), KEY_ORDER["profile"])
        notes = p["table_notes"]
        if a.data["table"] not in notes:
            notes[a.data["table"]] = CommentedSeq()
        notes[a.data["table"]].append(_owned(node["note"]))

    def op_set_statement(self, a, node) -> None:
        p = self.file("profile", a.data["profile"])
        if node["statement"] is None:
            del p["statements"][a.data["table"]]
            if not p["statements"]:
                del p["statements"]
            return
        if "statements" not in p or p["statements"] is None:
            _set(p, "statements", CommentedMap(), KEY_ORDER["profile"])
        p["statements"][a.data["table"]] = _owned(node["statement"])

    def op_add_exchange(self, a, node) -> None:
        p = self.file("profile", a.data["profile"])
        _list(p, "exchanges", KEY_ORDER["profile"]).append(_owned(node["exchange"]))

    def _narrative_place(self, a) -> tuple[CommentedMap, str, list[str]]:
        _obj, attr, kind, _key, _target = narrative_target(self.fw, a)
        d = a.data
        if kind == "profile":
            return self.file("profile", d["profile"]), attr, KEY_ORDER["profile"]
        if kind == "profile-actor":
            return self.profile_actor(self.file("profile", d["profile"]), d["actor"]), attr, KEY_ORDER["profile-actor"]
        if kind == "option":
            p = self.file("profile", d["profile"])
            return next(o for o in p["options"] if o["id"] == d["option"]), attr, KEY_ORDER["option"]
        if kind == "transaction":
            return self.file("transaction", d["transaction"]), attr, KEY_ORDER["transaction"]
        if kind == "actor":
            return self.file("actor", d["actor"]), attr, KEY_ORDER["actor"]
        return self.file("content", d["content"]), attr, KEY_ORDER["content"]

    def op_replace_narrative(self, a, node) -> None:
        mapping, attr, order = self._narrative_place(a)
        _set(mapping, attr, node["text"], order)

    def op_append_narrative(self, a, node) -> None:
        mapping, attr, order = self._narrative_place(a)
        _set(mapping, attr, _appended_scalar(mapping.get(attr), a.data["text"]), order)


def _copy_with_schema(source: Path, target: Path) -> str:
    """The text of ``source``, its schema line pointing to the same schema from ``target``'s folder."""
    text = source.read_text(encoding="utf-8")
    lines = text.split("\n", 1)
    m = _SCHEMA_LINE.match(lines[0])
    if m:
        schema = (source.parent / m.group(2)).resolve()
        rel = Path(os.path.relpath(schema, target.parent)).as_posix()
        lines[0] = f"{m.group(1)}{rel}{m.group(3)}"
    return "\n".join(lines)


def find_supplement(root: Path, supplement_id: str) -> tuple[Path, str] | None:
    """(folder, domain) of supplement ``supplement_id`` ('PDQm' or 'ITI/PDQm')."""
    domain, _, sid = supplement_id.rpartition("/")
    for ddir in domain_dirs(root) if root.is_dir() else []:
        folder = ddir / FOLDER / sid
        if (not domain or ddir.name == domain) and folder.is_dir():
            return folder, ddir.name
    return None


def plan(root: Path, supplement_id: str, *, force_public_comment: bool = False) -> Plan:
    """Every file edit incorporating the supplement needs, checked; or the problems that forbid it.

    Only a Trial Implementation supplement becomes Final Text: a Public Comment one has not
    been through its trial, so it is refused unless ``force_public_comment`` says otherwise."""
    from ..validate import validate

    root = Path(root)
    found = find_supplement(root, supplement_id)
    if found is None:
        return Plan(None, problems=[error(Loc(display_path(root)), f"no supplement '{supplement_id}' under {display_path(root)}/<DOMAIN>/{FOLDER}/", "supplement-missing")])
    folder, domain = found
    supp, problems = load_supplement(folder, domain, root)
    if supp is None:
        return Plan(None, problems=problems)
    out = Plan(supp)
    if supp.status == "final-text":
        out.problems.append(
            error(
                supp.doc.loc(("status",)),
                f"supplement '{supp.id}' is final-text: it has been incorporated already, and its changes are in the volumes",
                "supplement-incorporated",
            )
        )
        return out
    if supp.status == "public-comment" and not force_public_comment:
        out.problems.append(
            error(
                supp.doc.loc(("status",)),
                f"supplement '{supp.id}' is public-comment: only a Trial Implementation supplement becomes Final Text; "
                "publish it for Trial Implementation first (status: trial-implementation), or pass --force-public-comment to incorporate it anyway",
                "supplement-status",
            )
        )
        return out
    if supp.depends_on:  # it was checked on top of them: they go into the volumes first
        others = {s.id: s for s in load_supplements(root)[0]}
        still_open = [(i, d) for i, d in enumerate(supp.depends_on) if d in others and others[d].is_open]
        if still_open:
            out.problems += [
                error(supp.doc.loc(("depends_on", i)), f"supplement '{supp.id}' depends on '{d}', which is still open: incorporate '{d}' first", "supplement-dependency")
                for i, d in still_open
            ]
            return out
    result = validate(root)
    errors = [p for p in result.problems if p.is_error]
    if errors:
        out.problems += errors + [error(supp.loc, "the specs have errors (above); incorporate only into a framework that validates", "supplement-base")]
        return out
    fw = result.framework
    revision = fw.domains[domain].revision
    if supp.applies_to != revision:
        out.problems.append(
            error(
                supp.doc.loc(("applies_to", "revision")),
                f"supplement '{supp.id}' applies to {domain} TF Revision {supp.applies_to}, but the framework is Revision {revision}; "
                "bring the supplement up to date with the framework (and applies_to with it) before incorporating it",
                "supplement-base",
            )
        )
        return out
    applied = apply(fw, supp)
    if not applied.ok:
        out.problems += [p for p in applied.problems if p.is_error]
        return out
    try:
        out.edits = _edits(root, fw, result.sources, supp, folder)
        _verify(root, supp, out.edits, export_json(applied.framework))
        out.edits += _balloted(root, fw, supp, applied, folder)
    except _Refused as exc:
        out.problems.append(exc.problem)
        out.edits = []
    return out


def _edits(root: Path, fw, sources, supp: Supplement, folder: Path) -> list[Edit]:
    ddir = folder.parent.parent
    edits: list[Edit] = []
    for kind, doc in supp.entities:
        target = ddir / _FOLDERS[kind] / f"{entity_key(kind, doc)}.yaml"
        if target.exists():
            raise _Refused(error(doc.loc(), f"{display_path(target)} exists already; the supplement was incorporated, or the base has changed under it", "supplement-exists"))
        edits.append(Edit(target, _copy_with_schema(doc.path, target), None))
    editor = _Editor(fw, sources, supp)
    for extra, key in ((supp.glossary, "terms"), (supp.standards, "standards")):
        if extra is None:
            continue
        target = ddir / extra.path.name
        if not target.exists():
            edits.append(Edit(target, _copy_with_schema(extra.path, target), None))
            continue
        rt = editor.files.setdefault(target.resolve(), RoundTrip(target))
        for item in _load_nodes(extra.path)[key]:
            rt.data[key].append(item)
    editor.run()
    meta = RoundTrip(supp.doc.path)
    meta.data["status"] = "final-text"
    editor.files[supp.doc.path.resolve()] = meta
    for path, rt in sorted(editor.files.items()):
        new_text = rt.dumped()
        if new_text != rt.text:
            edits.append(Edit(path, new_text, rt.text))
    return edits


def _balloted(root: Path, fw, supp: Supplement, applied, folder: Path) -> list[Edit]:
    """The supplement's document as balloted (site Markdown and print HTML), kept in its folder.

    Once incorporated, the supplement no longer applies to the base (its changes are in it),
    so its document could not be built again; these files are what the site keeps publishing.
    They are new files of the same change (:mod:`.journal`) as the edits."""
    from ..render.pages import environment
    from .document import build_document
    from .model import SupplementError
    from .printing import print_html
    from .site import balloted_files, print_file

    env = environment([root.resolve() / "templates"])  # as the site builds it (site.publish.template_dirs)
    try:
        doc = build_document(fw, supp, env, applied=applied, downloads=[("print-ready HTML", print_file(supp.domain, supp.id, "html"))])
        printable = print_html(doc, env)
    except SupplementError as exc:
        raise _Refused(exc.problems[0]) from exc
    md, page = balloted_files(folder, supp.id)
    for path in (md, page):
        if path.exists():
            raise _Refused(error(Loc(display_path(path)), f"{display_path(path)} exists already; move it away (it would be replaced by the document as balloted now)", "supplement-exists"))
    return [Edit(md, doc.markdown, None), Edit(page, printable, None)]


def _verify(root: Path, supp: Supplement, edits: list[Edit], expected_model: str) -> None:
    """Validate the edited specs in a scratch copy; their framework must be the one the supplement document shows."""
    from ..validate import validate

    tree, _ = walk(root)  # links followed as validation reads them; a link outside was refused before this
    root_real = root.resolve()
    with tempfile.TemporaryDirectory(prefix="tfpub-incorporate-") as tmp:
        copy = Path(tmp) / root_real.name
        copy.mkdir()
        for path in tree:
            dst = copy / path.relative_to(root)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dst)
        mine = (copy / _relative(supp.folder, root)).resolve()
        for ddir in domain_dirs(copy):  # other supplements are checked later, against the new base, by tfpub validate
            for other in (ddir / FOLDER).glob("*") if (ddir / FOLDER).is_dir() else []:
                if other.is_dir() and other.resolve() != mine:
                    shutil.rmtree(other)
        for e in edits:
            # the copy holds each linked file at every place the tree shows it: edit them all
            places = {copy / p.relative_to(root) for p in tree if p.resolve() == e.real}
            places.add(copy / e.real.relative_to(root_real))
            if e.old_text is None:
                places.add(copy / _relative(e.path, root))
            for target in places:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(e.new_text, encoding="utf-8")
        result = validate(copy)
        errors = [p for p in result.problems if p.is_error]
        if errors:
            shown = "; ".join(str(p).replace(str(copy), display_path(root)) for p in errors[:5])
            raise _Refused(error(supp.loc, f"the incorporated specs would not validate: {shown}", "supplement-incorporate"))
        if export_json(result.framework) != expected_model:
            raise _Refused(
                error(supp.loc, "the edited files would not define the framework the supplement describes (an internal error of tfpub); nothing was changed", "supplement-incorporate")
            )


def _relative(path: Path, root: Path) -> Path:
    return Path(os.path.abspath(path)).relative_to(os.path.abspath(root))


def write(root: Path, label: str, edits: list[Edit]) -> None:
    """Replace every file as one change (see :mod:`.journal`)."""
    journal.commit(root, label, [journal.Change(e.real, e.new_text) for e in edits])


def _recover(root: Path, supplement_id: str, result: Plan | None = None) -> Plan | None:
    """Finish or undo an interrupted incorporation first. Returns the finished plan when it was this supplement's."""
    try:
        done = journal.recover(root)
    except journal.JournalError as exc:
        return Plan(None, problems=[exc.problem])
    if done is None:
        return None
    found = find_supplement(root, supplement_id)
    if done.finished:
        note = f"finished the interrupted incorporation of {done.label} ({len(done.targets)} files)"
        if found is not None and f"{found[1]}/{found[0].name}" == done.label:
            supp, problems = load_supplement(found[0], found[1], root)
            edits = [Edit(path, "", None if new else "") for path, new in done.targets]
            return Plan(supp, edits=edits, problems=[p for p in problems if not p.is_error], notes=[note])
    else:
        note = f"undid an interrupted incorporation{' of ' + done.label if done.label else ''}: it had changed no file yet"
    return Plan(None, notes=[note])  # not this supplement's, or undone: incorporate afresh


def incorporate(root: Path, supplement_id: str, *, dry_run: bool = False, force_public_comment: bool = False) -> Plan:
    """Plan, check and (unless ``dry_run``) write the incorporation of a supplement. Problems leave every file as it was."""
    root = Path(root)
    notes: list[str] = []
    if not dry_run:  # a dry run writes nothing; validation reports the journal instead
        recovered = _recover(root, supplement_id)
        if recovered is not None and (recovered.supplement is not None or recovered.problems):
            return recovered
        notes = recovered.notes if recovered is not None else []
    result = plan(root, supplement_id, force_public_comment=force_public_comment)
    result.notes = notes + result.notes
    result.problems = sort_problems(result.problems)
    if result.ok and not dry_run:
        try:
            write(root, f"{result.supplement.domain}/{result.supplement.id}", result.edits)
        except journal.JournalError as exc:
            result.problems.append(exc.problem)
        except OSError as exc:
            at = Loc(display_path(journal.journal_path(root)))
            result.problems.append(error(at, f"writing the incorporated files failed ({exc}); fix that, then run the incorporation again: it finishes or undoes this one", "incorporate-interrupted"))
    return result
