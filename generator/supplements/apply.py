"""Applying a supplement to a framework: a pure function from (base, supplement) to the amended framework.

Nothing here reads or writes files. New entities are built by the same code that
builds the volumes (:mod:`generator.model.resolve`), from the supplement's documents,
so an entity means the same thing in a supplement as in the volumes. Amendments
run in the order written; each one that cannot apply (its target is missing, or
already says what the amendment would make it say) gives a located error and is
skipped, so one run reports every problem.

Each applied change is also recorded as a :class:`Change` with a *key* (what it
touches) and a *value* (what it makes of it): two open supplements that touch the
same key with different values conflict.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
from dataclasses import dataclass, field
from typing import Any

from ..check.references import suggestion
from ..load.yaml_loader import Document
from ..model import Framework, GlossaryTerm, Profile, Standard, resolve
from ..model.entities import Text
from ..problems import Loc, Problem, error
from .model import Amendment, Supplement, entity_key

NARRATIVE_FIELDS = {
    "profile": ("summary", "overview", "security", "cross_profile"),
    "profile-actor": ("description",),
    "option": ("description",),
    "transaction": ("scope", "security", "audit"),
    "actor": ("definition",),
    "content": ("summary",),
}
TARGET_WORDS = {
    "profile": "a profile",
    "profile-actor": "an actor of a profile",
    "option": "an option",
    "transaction": "a transaction",
    "actor": "an actor",
    "content": "a content module",
}
_ATTR = {"actor": "actors", "transaction": "transactions", "profile": "profiles", "content": "content_modules"}


@dataclass(frozen=True)
class Change:
    key: tuple  # what is changed: ("row", "XDS.b", "document-registry", "ITI-61")
    value: str  # what it becomes, canonical JSON; two supplements conflict on one key with different values
    loc: Loc
    target: tuple[str, str]  # the page-level entity changed: ("profile", "XDS.b")
    mode: str = "set"  # "append" changes compose with each other


@dataclass
class Applied:
    framework: Framework
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    new: dict[str, list[str]] = field(default_factory=dict)  # kind -> ids added (actor, transaction, profile, content, standard, term)
    new_terms: list[GlossaryTerm] = field(default_factory=list)
    new_standards: list[Standard] = field(default_factory=list)
    # (kind, id) of every entity of ``framework`` that is not the base's own object: the new ones,
    # and the copies the amendments changed. Every other entity is shared with the base, unchanged.
    touched: set[tuple[str, str]] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    def amended(self) -> set[tuple[str, str]]:
        """Existing entities the amendments change (not the new ones)."""
        return {c.target for c in self.changes if c.key[0] not in ("new", "chapter", "term", "standard")}


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


class _View(Document):
    """A document whose locations are those of another document under a different path.

    Lets the resolver's own builders build one list entry taken from an amendment:
    the entry is placed in a small stand-in document, and every location it asks
    for is looked up where the entry really is.
    """

    def __init__(self, doc: Document, data: Any, mapping: dict[tuple, tuple]):
        super().__init__(doc.path, doc.display, data, doc.value_locs, doc.key_locs, doc.block_scalars)
        self._doc = doc
        self._mapping = mapping

    def loc(self, path=(), *, key: bool = False) -> Loc:
        path = tuple(path)
        for src, dst in self._mapping.items():
            if path[: len(src)] == src:
                return self._doc.loc(dst + path[len(src) :], key=key)
        return self._doc.loc((), key=key)


_STUB_PROFILE = {"acronym": "X", "name": "x", "chapter": 1, "type": "workflow", "status": "final-text", "summary": "x"}


def _profile_parts(a: Amendment, data: dict, mapping: dict[tuple, tuple]) -> Profile:
    """Build the profile parts in ``data`` (actors, options, groupings) with the resolver, located in the amendment."""
    stub = {**_STUB_PROFILE, "actors": [], **data}
    return resolve._profile(_View(a.doc, stub, {k: a.path + v for k, v in mapping.items()}), "")


# --------------------------------------------------------------------------- applying


def apply(fw: Framework, supp: Supplement) -> Applied:
    """The framework ``fw`` with ``supp``'s new entities added and its amendments made.

    ``fw`` is never changed. The result shares every entity the supplement does not
    touch with ``fw``: its tables are copies of ``fw``'s, and an entity is copied
    (:func:`_writable`) only when an amendment is about to change it, so applying
    costs what the supplement changes, not what the framework holds.
    """
    new = _shallow_copy(fw)
    out = Applied(new)
    _add_entities(fw, supp, out)
    for a in supp.amendments:
        handler = _OPS[a.op]
        try:
            handler(new, supp, a, out)
        except _Refused as exc:
            out.problems.append(exc.problem)
    return out


def _shallow_copy(fw: Framework) -> Framework:
    """A framework with its own tables (dicts and lists) holding ``fw``'s entities."""
    return dataclasses.replace(fw, **{f.name: copy.copy(getattr(fw, f.name)) for f in dataclasses.fields(fw)})


def _writable(fw: Framework, out: Applied, kind: str, key: str):
    """The entity ``kind``/``key`` of the framework being built, ready to change: the base's
    object is replaced by a copy of its own (once), so the base never sees the change."""
    table = getattr(fw, _ATTR[kind])
    if (kind, key) not in out.touched:
        table[key] = copy.deepcopy(table[key])  # one entity, with its lists: the amendments change them in place
        out.touched.add((kind, key))
    return table[key]


class _Refused(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def _refuse(loc: Loc, message: str, rule: str = "supplement-target") -> _Refused:
    return _Refused(error(loc, message, rule))


def _add_entities(base: Framework, supp: Supplement, out: Applied) -> None:
    fw = out.framework
    for kind, doc in supp.entities:
        make, id_key, attr = resolve._ENTITY_KINDS[kind]
        key = entity_key(kind, doc)
        table = getattr(fw, attr)
        if key in getattr(base, attr):
            existing = getattr(base, attr)[key]
            out.problems.append(
                error(
                    doc.loc((id_key,)),
                    f"the framework already has {kind} '{key}' ({existing.loc}); a supplement's {kind}s/ folder holds only new ones. "
                    "Change an existing one in amendments.yaml (or, if this supplement was incorporated already, it has nothing left to add)",
                    "supplement-exists",
                )
            )
            continue
        if key in table:
            continue  # defined twice in the supplement: the duplicate-id check reports it
        table[key] = make(doc, supp.domain)
        out.touched.add((kind, key))
        out.new.setdefault(kind, []).append(key)
        out.changes.append(Change(("new", kind, key), canonical(doc.data), doc.loc((id_key,)), (kind, key)))
        if kind == "profile":
            p = table[key]
            out.changes.append(Change(("chapter", supp.domain, p.chapter), canonical(key), doc.loc(("chapter",)), (kind, key)))
    if supp.glossary is not None:
        known = {t.term.lower(): t for t in base.glossary if t.domain == supp.domain}
        for i, t in enumerate(supp.glossary.data["terms"]):
            loc = supp.glossary.loc(("terms", i))
            if t["term"].lower() in known:
                out.problems.append(
                    error(supp.glossary.loc(("terms", i, "term")), f"the glossary already defines '{t['term']}' ({known[t['term'].lower()].loc})", "supplement-exists")
                )
                continue
            term = GlossaryTerm(t["term"], t["definition"], supp.domain, loc, list(t.get("synonyms", [])))
            fw.glossary.append(term)
            out.new_terms.append(term)
            out.new.setdefault("term", []).append(term.term)
            out.changes.append(Change(("term", supp.domain, term.term.lower()), canonical(t), loc, ("glossary", supp.domain)))
    if supp.standards is not None:
        for i, s in enumerate(supp.standards.data["standards"]):
            loc = supp.standards.loc(("standards", i))
            if s["id"] in base.standards:
                out.problems.append(error(supp.standards.loc(("standards", i, "id")), f"standard '{s['id']}' is already defined ({base.standards[s['id']].loc})", "supplement-exists"))
                continue
            std = Standard(s["id"], s["title"], supp.domain, loc, s.get("publisher", ""), s.get("url", ""))
            fw.standards[std.id] = std
            out.new_standards.append(std)
            out.new.setdefault("standard", []).append(std.id)
            out.changes.append(Change(("standard", std.id), canonical(s), loc, ("standard", std.id)))


# --------------------------------------------------------------------------- targets


def _profile(fw: Framework, a: Amendment, out: Applied | None = None) -> Profile:
    """The profile the amendment names; with ``out``, the amended framework's own copy, to change."""
    acronym = a.data["profile"]
    p = fw.profiles.get(acronym)
    if p is None:
        raise _refuse(a.loc_of("profile"), f"{a.op}: there is no profile '{acronym}' to amend{suggestion(acronym, list(fw.profiles))}")
    return p if out is None else _writable(fw, out, "profile", acronym)


def _profile_actor(fw: Framework, p: Profile, a: Amendment, actor_id: str, *path):
    pa = p.actor(actor_id)
    if pa is None:
        names = [x.actor for x in p.actors]
        raise _refuse(
            a.loc_of(*(path or ("actor",))),
            f"{a.op}: '{actor_id}' is not an actor of {p.acronym}{suggestion(actor_id, names)}; its actors are {', '.join(names)}",
        )
    return pa


def _use(pa, a: Amendment, p: Profile):
    tx = a.data["transaction"]
    use = next((u for u in pa.transactions if u.transaction == tx), None)
    if use is None:
        listed = ", ".join(u.transaction for u in pa.transactions) or "none"
        raise _refuse(a.loc_of("transaction"), f"{a.op}: {pa.actor} does not list {tx} in {p.acronym} (it lists {listed}); use add-transaction to add a row")
    return use


def _row_value(d: dict) -> str:
    return canonical({k: d.get(k, "") for k in ("optionality", "condition", "note")})


# --------------------------------------------------------------------------- operations


def _add_option(fw: Framework, supp: Supplement, a: Amendment, out: Applied) -> None:
    p = _profile(fw, a, out)
    option = a.data["option"]
    if p.option(option["id"]) is not None:
        raise _refuse(a.loc_of("option", "id"), f"add-option: {p.acronym} already has option '{option['id']}' ({p.option(option['id']).loc})", "supplement-exists")
    claims = a.data["actors"]
    targets = [_profile_actor(fw, p, a, c["actor"], "actors", j, "actor") for j, c in enumerate(claims)]
    for j, pa in enumerate(targets):
        if any(c.option == option["id"] for c in pa.options):
            raise _refuse(a.loc_of("actors", j), f"add-option: {pa.actor} already offers '{option['id']}' in {p.acronym}", "supplement-exists")
    built = _profile_parts(a, {"options": [option], "actors": [{"actor": c["actor"], "options": [{k: v for k, v in c.items() if k != "actor"} | {"option": option["id"]}]} for c in claims]},
                           {("options", 0): ("option",), **{("actors", j): ("actors", j) for j in range(len(claims))}})
    p.options.append(built.options[0])
    for pa, built_actor in zip(targets, built.actors):
        pa.options.append(built_actor.options[0])
    out.changes.append(Change(("option", p.acronym, option["id"]), canonical(a.data), a.loc, ("profile", p.acronym)))


def _add_transaction(fw: Framework, supp: Supplement, a: Amendment, out: Applied) -> None:
    p = _profile(fw, a, out)
    pa = _profile_actor(fw, p, a, a.data["actor"])
    tx = a.data["transaction"]
    if tx not in fw.transactions:
        raise _refuse(a.loc_of("transaction"), f"add-transaction: there is no transaction {tx}{suggestion(tx, list(fw.transactions))}; a new one goes in the supplement's transactions/ folder")
    if any(u.transaction == tx for u in pa.transactions):
        raise _refuse(a.loc_of("transaction"), f"add-transaction: {pa.actor} already lists {tx} in {p.acronym}; use set-optionality to change its row", "supplement-exists")
    row = {k: a.data[k] for k in ("transaction", "optionality", "condition", "note", "reference", "role") if k in a.data}
    built = _profile_parts(a, {"actors": [{"actor": pa.actor, "transactions": [row]}]}, {("actors", 0, "transactions", 0): ()})
    pa.transactions.append(built.actors[0].transactions[0])
    out.changes.append(Change(("row", p.acronym, pa.actor, tx), _row_value(a.data), a.loc, ("profile", p.acronym)))


def _set_optionality(fw: Framework, supp: Supplement, a: Amendment, out: Applied) -> None:
    p = _profile(fw, a, out)
    pa = _profile_actor(fw, p, a, a.data["actor"])
    use = _use(pa, a, p)
    was = a.data.get("was")
    if was and use.optionality != was:
        raise _refuse(a.loc_of("was"), f"set-optionality: the supplement expects {a.data['transaction']} to be {was} for {pa.actor} in {p.acronym}, but the framework has {use.optionality} ({use.loc})", "supplement-base")
    new_condition = a.data.get("condition", "") if a.data["optionality"] == "C" else ""
    new_note = a.data.get("note", use.note)
    if (use.optionality, use.condition, use.note) == (a.data["optionality"], new_condition, new_note):
        raise _refuse(a.loc_of("optionality"), f"set-optionality: {a.data['transaction']} is already {use.optionality} for {pa.actor} in {p.acronym}; nothing to change", "supplement-base")
    use.optionality = a.data["optionality"]
    use.condition = new_condition
    use.note = new_note
    out.changes.append(Change(("row", p.acronym, pa.actor, use.transaction), _row_value(a.data), a.loc, ("profile", p.acronym)))


def _remove_transaction(fw: Framework, supp: Supplement, a: Amendment, out: Applied) -> None:
    p = _profile(fw, a, out)
    pa = _profile_actor(fw, p, a, a.data["actor"])
    use = _use(pa, a, p)
    pa.transactions.remove(use)
    out.changes.append(Change(("row", p.acronym, pa.actor, use.transaction), canonical(None), a.loc, ("profile", p.acronym)))


def _add_actor(fw: Framework, supp: Supplement, a: Amendment, out: Applied) -> None:
    p = _profile(fw, a, out)
    entry = a.data["actor"]
    if p.actor(entry["actor"]) is not None:
        raise _refuse(a.loc_of("actor", "actor"), f"add-actor: '{entry['actor']}' is already an actor of {p.acronym}; amend its rows with add-transaction", "supplement-exists")
    if entry["actor"] not in fw.actors:
        raise _refuse(a.loc_of("actor", "actor"), f"add-actor: there is no actor '{entry['actor']}'{suggestion(entry['actor'], list(fw.actors))}; a new one goes in the supplement's actors/ folder")
    built = _profile_parts(a, {"actors": [entry]}, {("actors", 0): ("actor",)})
    p.actors.append(built.actors[0])
    out.changes.append(Change(("profile-actor", p.acronym, entry["actor"]), canonical(entry), a.loc, ("profile", p.acronym)))


def target_key(t) -> tuple[str, str]:
    if isinstance(t, dict):
        x = t.get("external")
        return (f"{x['domain']} {x['profile']}", x["actor"]) if x else (t["profile"], t["actor"])
    return (t.profile, t.actor)


def _grouping_key(actor: str, targets, external=()) -> tuple:
    """Who is grouped with whom; alternatives outside the tree count by domain, profile and published name."""
    keys = [target_key(t) for t in targets] + [(f"{x.domain} {x.profile}", x.actor) for x in external]
    return (actor, tuple(sorted(keys)))


def _add_grouping(fw: Framework, supp: Supplement, a: Amendment, out: Applied) -> None:
    p = _profile(fw, a, out)
    g = a.data["grouping"]
    _profile_actor(fw, p, a, g["actor"], "grouping", "actor")
    key = _grouping_key(g["actor"], g["with"])
    for existing in p.groupings:
        if _grouping_key(existing.actor, existing.targets, existing.external) == key and existing.when_option == g.get("when_option", ""):
            raise _refuse(a.loc_of("grouping"), f"add-grouping: {p.acronym} already groups {g['actor']} that way ({existing.loc})", "supplement-exists")
    built = _profile_parts(a, {"actors": [], "groupings": [g]}, {("groupings", 0): ("grouping",)})
    p.groupings.append(built.groupings[0])
    out.changes.append(Change(("grouping", p.acronym) + key, canonical(g), a.loc, ("profile", p.acronym)))


def _remove_grouping(fw: Framework, supp: Supplement, a: Amendment, out: Applied) -> None:
    p = _profile(fw, a, out)
    key = _grouping_key(a.data["actor"], a.data["with"])
    found = [g for g in p.groupings if _grouping_key(g.actor, g.targets, g.external) == key]
    if len(found) != 1:
        what = "no" if not found else "more than one"
        raise _refuse(a.loc, f"remove-grouping: {p.acronym} has {what} grouping of {a.data['actor']} with exactly these actors")
    p.groupings.remove(found[0])
    out.changes.append(Change(("grouping", p.acronym) + key, canonical(None), a.loc, ("profile", p.acronym)))


def _add_role(fw: Framework, supp: Supplement, a: Amendment, out: Applied) -> None:
    tx_id = a.data["transaction"]
    tx = fw.transactions.get(tx_id)
    if tx is None:
        raise _refuse(a.loc_of("transaction"), f"add-role: there is no transaction {tx_id}{suggestion(tx_id, list(fw.transactions))}")
    role = a.data["role"]
    if any(r.actor == role["actor"] and r.role == role["role"] for r in tx.roles):
        raise _refuse(a.loc_of("role"), f"add-role: '{role['actor']}' is already a {role['role']} of {tx_id}", "supplement-exists")
    tx = _writable(fw, out, "transaction", tx_id)
    stub = {"id": tx_id, "name": "x", "scope": "x", "roles": [role], "messages": []}
    built = resolve._transaction(_View(a.doc, stub, {("roles", 0): a.path + ("role",)}), tx.domain)
    tx.roles.append(built.roles[0])
    out.changes.append(Change(("role", tx_id, role["actor"], role["role"]), canonical(role), a.loc, ("transaction", tx_id)))


def _add_use_case(fw: Framework, supp: Supplement, a: Amendment, out: Applied) -> None:
    p = _profile(fw, a, out)
    uc = a.data["use_case"]
    existing = next((u for u in p.use_cases if u.id == uc["id"]), None)
    if existing is not None:
        raise _refuse(a.loc_of("use_case", "id"), f"add-use-case: {p.acronym} already has use case '{uc['id']}' ({existing.loc})", "supplement-exists")
    built = _profile_parts(a, {"actors": [], "use_cases": [uc]}, {("use_cases", 0): ("use_case",)})
    p.use_cases.append(built.use_cases[0])
    out.changes.append(Change(("use-case", p.acronym, uc["id"]), canonical(uc), a.loc, ("profile", p.acronym)))


def narrative_target(fw: Framework, a: Amendment, out: Applied | None = None) -> tuple[object, str, str, tuple, tuple[str, str]]:
    """(object, attribute, kind, change key, page target) of a narrative amendment's target.

    With ``out`` (applying), the object is the amended framework's own copy, to change."""
    d = a.data
    named = [k for k in ("profile", "actor", "option", "transaction", "content") if k in d]
    if "profile" in d and set(named) <= {"profile", "actor", "option"} and len(named) <= 2 and not ("actor" in d and "option" in d):
        p = _profile(fw, a, out)
        if "actor" in d:
            obj, kind, key = _profile_actor(fw, p, a, d["actor"]), "profile-actor", (p.acronym, "actor", d["actor"])
        elif "option" in d:
            obj = p.option(d["option"])
            if obj is None:
                names = [o.id for o in p.options]
                raise _refuse(a.loc_of("option"), f"{a.op}: {p.acronym} has no option '{d['option']}'{suggestion(d['option'], names)}")
            kind, key = "option", (p.acronym, "option", d["option"])
        else:
            obj, kind, key = p, "profile", (p.acronym,)
        target = ("profile", p.acronym)
    elif named == ["transaction"]:
        obj = fw.transactions.get(d["transaction"])
        if obj is None:
            raise _refuse(a.loc_of("transaction"), f"{a.op}: there is no transaction {d['transaction']}{suggestion(d['transaction'], list(fw.transactions))}")
        kind, key, target = "transaction", (d["transaction"],), ("transaction", d["transaction"])
    elif named == ["actor"]:
        obj = fw.actors.get(d["actor"])
        if obj is None:
            raise _refuse(a.loc_of("actor"), f"{a.op}: there is no actor '{d['actor']}'{suggestion(d['actor'], list(fw.actors))}")
        kind, key, target = "actor", ("actor", d["actor"]), ("actor", d["actor"])
    elif named == ["content"]:
        obj = fw.content_modules.get(d["content"])
        if obj is None:
            raise _refuse(a.loc_of("content"), f"{a.op}: there is no content module '{d['content']}'{suggestion(d['content'], list(fw.content_modules))}")
        kind, key, target = "content", ("content", d["content"]), ("content", d["content"])
    else:
        raise _refuse(
            a.loc,
            f"{a.op}: name one target: profile (with actor or option for their descriptions), transaction, actor, or content; this names {', '.join(named) or 'none'}",
        )
    if d["field"] not in NARRATIVE_FIELDS[kind]:
        raise _refuse(a.loc_of("field"), f"{a.op}: '{d['field']}' is not a narrative field of {TARGET_WORDS[kind]}; use {' or '.join(NARRATIVE_FIELDS[kind])}")
    if out is not None and kind in ("transaction", "actor", "content"):
        obj = _writable(fw, out, kind, d[kind])
    return obj, d["field"], kind, key + (d["field"],), target


def appended(old: str, text: str) -> str:
    """``old`` with ``text`` added as new paragraphs: what append-narrative makes of a field.

    Where either part knows its place in its spec (model.Text), the result does too, each
    part in its own file: a diagram's problems and an image's file are found where written."""
    lead = len(text) - len(text.lstrip("\n"))
    stripped = text.strip("\n")
    if not old.strip():
        combined, start = stripped, 0
    else:
        combined = old.rstrip("\n") + "\n\n" + stripped + ("\n" if old.endswith("\n") else "")
        start = len(old.rstrip("\n")) + 2
    old_loc, new_loc = getattr(old, "locate", None), getattr(text, "locate", None)
    if old_loc is None and new_loc is None:
        return combined

    def locate(offset: int):
        if offset >= start and new_loc is not None:
            return new_loc(offset - start + lead)
        if old_loc is not None:
            return old_loc(min(offset, max(0, len(old) - 1)))
        return new_loc(lead)

    return Text.at(combined, locate)


def _narrative(fw: Framework, supp: Supplement, a: Amendment, out: Applied) -> None:
    obj, attr, _kind, key, target = narrative_target(fw, a, out)
    old = getattr(obj, attr) or ""
    text = a.data["text"]
    if isinstance(text, str):  # the amendment's text knows its place in amendments.yaml (diagrams, images)
        text = Text.at(text, functools.partial(a.doc.text_loc, a.path + ("text",)))
    if a.op == "replace-narrative":
        if old == text:
            raise _refuse(a.loc_of("text"), f"replace-narrative: the {attr} of {target[1]} already reads as this text; nothing to change", "supplement-base")
        new = text
    else:
        if text.strip("\n") and text.strip("\n") in old:
            raise _refuse(a.loc_of("text"), f"append-narrative: the {attr} of {target[1]} already contains this text; nothing to add", "supplement-base")
        new = appended(old, text)
    setattr(obj, attr, new)
    mode = "append" if a.op == "append-narrative" else "set"
    out.changes.append(Change(("narrative",) + key, canonical([a.op, text]), a.loc, target, mode))


def _add_requirement(fw: Framework, supp: Supplement, a: Amendment, out: Applied) -> None:
    """A row without a transaction (record audit events) for an actor the profile has."""
    p = _profile(fw, a, out)
    pa = _profile_actor(fw, p, a, a.data["actor"])
    req = a.data["requirement"]
    if any(r.text == req["text"] for r in pa.requirements):
        raise _refuse(a.loc_of("requirement", "text"), f"add-requirement: {pa.actor} already has this requirement in {p.acronym}", "supplement-exists")
    built = _profile_parts(a, {"actors": [{"actor": pa.actor, "requirements": [req]}]}, {("actors", 0, "requirements", 0): ("requirement",)})
    pa.requirements.append(built.actors[0].requirements[0])
    out.changes.append(Change(("requirement", p.acronym, pa.actor, req["text"]), canonical(req), a.loc, ("profile", p.acronym)))


def _add_table_note(fw: Framework, supp: Supplement, a: Amendment, out: Applied) -> None:
    """A note under a Volume 1 table that no row points to."""
    p = _profile(fw, a, out)
    table, note = a.data["table"], a.data["note"]
    text = note if isinstance(note, str) else note["text"]
    if any(n.text == text for n in p.table_notes.get(table, [])):
        raise _refuse(a.loc_of("note"), f"add-table-note: {p.acronym} already has this note under its {table.replace('_', ' ')} table", "supplement-exists")
    built = _profile_parts(a, {"table_notes": {table: [note]}}, {("table_notes", table, 0): ("note",)})
    p.table_notes = {**p.table_notes, table: list(p.table_notes.get(table, [])) + built.table_notes[table]}
    out.changes.append(Change(("table-note", p.acronym, table, text), canonical(note), a.loc, ("profile", p.acronym)))


def _set_statement(fw: Framework, supp: Supplement, a: Amendment, out: Applied) -> None:
    """A section published as a statement, set, replaced (``was``: the statement the base has) or removed (``statement: null``)."""
    p = _profile(fw, a, out)
    table = a.data["table"]
    old = p.statements.get(table)
    if "was" in a.data and (old.text if old else None) != a.data["was"]:
        have = f"'{old.text}'" if old else "no statement"
        raise _refuse(a.loc_of("was"), f"set-statement: the supplement expects the {table.replace('_', ' ')} statement of {p.acronym} to be {a.data['was']!r}, but the framework has {have}", "supplement-base")
    stmt = a.data.get("statement")
    statements = dict(p.statements)
    if stmt is None:
        if old is None:
            raise _refuse(a.loc_of("statement"), f"set-statement: {p.acronym} has no {table.replace('_', ' ')} statement to remove", "supplement-base")
        del statements[table]
    else:
        built = _profile_parts(a, {"statements": {table: stmt}}, {("statements", table): ("statement",)})
        statements[table] = built.statements[table]
    p.statements = statements
    out.changes.append(Change(("statement", p.acronym, table), canonical(stmt), a.loc, ("profile", p.acronym)))


def _add_exchange(fw: Framework, supp: Supplement, a: Amendment, out: Applied) -> None:
    """A real initiator -> responder pair of a transaction in this profile."""
    p = _profile(fw, a, out)
    x = a.data["exchange"]
    if any((e.transaction, e.initiator, e.responder) == (x["transaction"], x["initiator"], x["responder"]) for e in p.exchanges):
        raise _refuse(a.loc_of("exchange"), f"add-exchange: {p.acronym} already has {x['initiator']} -> {x['responder']} for {x['transaction']}", "supplement-exists")
    built = _profile_parts(a, {"exchanges": [x]}, {("exchanges", 0): ("exchange",)})
    p.exchanges = list(p.exchanges) + built.exchanges
    out.changes.append(Change(("exchange", p.acronym, x["transaction"], x["initiator"], x["responder"]), canonical(x), a.loc, ("profile", p.acronym)))


_OPS = {
    "add-option": _add_option,
    "add-transaction": _add_transaction,
    "set-optionality": _set_optionality,
    "remove-transaction": _remove_transaction,
    "add-actor": _add_actor,
    "add-grouping": _add_grouping,
    "remove-grouping": _remove_grouping,
    "add-role": _add_role,
    "add-use-case": _add_use_case,
    "replace-narrative": _narrative,
    "append-narrative": _narrative,
    "add-requirement": _add_requirement,
    "add-table-note": _add_table_note,
    "set-statement": _set_statement,
    "add-exchange": _add_exchange,
}
