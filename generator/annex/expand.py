"""Expand a selection of actors into every requirement it implies, to a fixed point.

The same algorithm runs in the browser (``assets/tfpub-annex-builder.js``) on the
published model export, so it is written to be simple to mirror exactly: plain
string keys, two levels (SHALL = 2, SHOULD = 1), one canonical order, and
sentence templates without any judgement calls. Change both together; the
browser test compares their outputs byte for byte.

The model of the expansion:

* A *subject* is an actor the system implements: one actor of one profile, or a
  set of alternatives kept as one (``ATNA Secure Node or Secure Application``).
* *Facts* are what is reached: "the system implements subject S" and "subject S
  supports option O", each with a level and the sources that reached it. The
  fixed point follows required groupings (transitively), options that other
  options require, required option claims, and groupings whose ``when_option``
  is supported. A level never goes up along an edge: what a SHOULD requires is
  SHOULD, and a recommended grouping is SHOULD whatever leads to it.
* Alternatives are expanded by what *all* their members require (stated once for
  the set); what only some members require is stated as "if ... is implemented".
  A set of alternatives one of whose members the system implements anyway is
  *met* by that member and not expanded again.
* Groupings with a condition in words, and conditional (C) transactions, are
  stated with their condition and not expanded: the model cannot tell whether
  the condition holds.
* The requirements are then listed subject by subject in a canonical order
  (selected actors in volume order, then the others in volume order), so the
  same selection always gives the same requirement ids, in whatever order it
  was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import STATUS_LABELS, STATUS_RANK, Framework, Profile
from .selection import Annex, annex_domain

SHALL, SHOULD = 2, 1
WORD = {SHALL: "SHALL", SHOULD: "SHOULD"}
SELECTED = "selection"

CONFORMANCE = [
    "The key words SHALL and SHOULD in this annex are to be read as described in IETF RFC 2119 (BCP 14): "
    "SHALL marks an absolute requirement; SHOULD marks a recommendation that a supplier may depart from "
    "only with a stated reason.",
    "IHE rule: a product that claims an IHE actor supports every transaction, content module and option "
    "that the Technical Framework requires of that actor, and implements every actor that the actor is "
    "required to be grouped with. The requirements below spell this out for each selected actor, "
    "transitively; each derived requirement names the requirement and the Technical Framework table "
    "it comes from.",
    "Suppliers declare conformance in an IHE Integration Statement. Connectathon results and test reports "
    "are evidence that an implementation was tested; IHE itself does not certify products.",
]


def norm(text: str) -> str:
    """Collapse white space, the same way the builder page does."""
    return re.sub(r"[ \t\r\n\f\v]+", " ", text or "").strip(" ")


def join_words(items: list[str], conj: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


@dataclass(frozen=True)
class Target:
    profile: str
    actor: str
    options: tuple[str, ...] = ()


def single_key(profile: str, actor: str) -> str:
    return f"A:{profile}:{actor}"


def group_key(targets: tuple[Target, ...]) -> str:
    return "G:" + "+".join(f"{t.profile}:{t.actor}:{','.join(t.options)}" for t in targets)


def external_key(cited: tuple[tuple[str, str, str, str, tuple[str, ...]], ...]) -> str:
    return "X:" + "+".join(f"{d}:{p}:{a}:{','.join(o)}" for d, p, a, _, o in cited)


def external_phrase(domain: str, profile: str, actor: str, reference: str, options: tuple[str, ...]) -> str:
    """'the RAD SWF Order Placer actor (RAD TF-1: 2)', 'the PCC Content Consumer actor (PCC TF-2:3.1)',
    'the PCC QEDm Clinical Data Source actor with the Document Provenance Option', as cited."""
    text = f"the {domain} {profile + ' ' if profile else ''}{actor} actor"
    if options:
        text += f" with the {join_words(list(options), 'and')} Option" + ("s" if len(options) > 1 else "")
    return text + (f" ({reference})" if reference else "")


@dataclass
class Fact:
    level: int = 0
    sources: dict[tuple[str, str], int] = field(default_factory=dict)  # (from fact key or "", via) -> level

    def final_sources(self) -> list[tuple[str, str]]:
        return [s for s, lvl in self.sources.items() if lvl == self.level]


@dataclass
class Edge:
    targets: tuple[Target, ...]
    level: int
    rel: str  # "actor" or "option:<id>"
    via: str
    condition: str


@dataclass
class Local:
    """What one actor requires by itself (no grouping followed), given the options it supports."""

    options: dict[str, list] = field(default_factory=dict)  # option -> [level, {(rel, via): level}]
    txs: dict[str, list] = field(default_factory=dict)  # tx -> [level, {(rel, via): level}]
    contents: list[tuple[str, int, str]] = field(default_factory=list)
    oneofs: list[tuple[str, tuple[str, ...], int, str]] = field(default_factory=list)  # kind, members, level, via
    ctxs: list[tuple[str, str, int, str]] = field(default_factory=list)  # tx, condition, level, via
    edges: list[Edge] = field(default_factory=list)
    behaviours: list[tuple[str, str, int, str]] = field(default_factory=list)  # text, condition, level, via
    # groupings with an alternative outside the tree: stated, never followed (nothing to expand)
    externals: list[tuple[tuple[Target, ...], tuple[tuple[str, str, str, str, tuple[str, ...]], ...], int, str, str]] = field(default_factory=list)


@dataclass
class Source:
    from_id: str | None
    via: str


@dataclass
class Requirement:
    id: str
    level: str
    kind: str
    subject: tuple[Target, ...]
    text: str
    reference: str
    sources: list[Source]
    flags: list[str]
    condition: str = ""
    applies_if: tuple[str, str] | None = None
    met_by: list[Target] = field(default_factory=list)
    subject_key: str = ""
    subject_title: str = ""

    @property
    def provenance(self) -> str:
        """'Selected in this annex; derived from REQ-004 through ITI TF-1 Table 10.3-1, REQ-009 through ...'."""
        derived = [f"{s.from_id} through {s.via}" for s in self.sources if s.from_id is not None]
        parts = ["Selected in this annex"] if any(s.from_id is None for s in self.sources) else []
        if derived:
            parts.append(("derived from " if parts else "Derived from ") + ", ".join(derived))
        return "; ".join(parts)


@dataclass
class FrameworkInfo:
    domain: str
    title: str
    revision: str
    date: str
    status: str


@dataclass
class Expansion:
    annex: Annex
    domain: str
    revision: str
    date: str
    frameworks: list[FrameworkInfo]
    selection: list[tuple[Target, str]]  # canonical order: (target with options, level)
    requirements: list[Requirement]
    # (profile, actor) -> transactions the selection requires by name, in volume order
    transactions: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def counts(self) -> tuple[int, int]:
        shall = sum(r.level == "SHALL" for r in self.requirements)
        return shall, len(self.requirements) - shall


@dataclass
class _Item:
    """A requirement before ids are given: the fact or local item it stands for."""

    key: str
    kind: str
    subject: tuple[Target, ...]
    subject_key: str
    level: int
    sources: list[tuple[str, str]]
    obj: object = None  # option id, tx id, module id, one-of tuple, edge
    condition: str = ""
    member: Target | None = None  # for what only one of a set of alternatives requires
    met_by_key: str = ""  # a set of alternatives met by one of its members' fact
    reference: str = ""
    met_by: list[Target] = field(default_factory=list)


class Expander:
    def __init__(self, fw: Framework):
        self.fw = fw
        # (profile, actor) -> {transaction: level} the selection names (set by expand)
        self.chosen: dict[tuple[str, str], dict[str, int]] = {}

    # ------------------------------------------------------------------ naming and order

    def profile(self, acronym: str) -> Profile:
        return self.fw.profiles[acronym]

    def actor_name(self, actor: str) -> str:
        a = self.fw.actors.get(actor)
        return a.name if a else actor

    def option_name(self, profile: str, option: str) -> str:
        o = self.profile(profile).option(option)
        return o.name if o else option

    def tx_label(self, tx: str) -> str:
        t = self.fw.transactions.get(tx)
        return t.label if t else tx

    def actor_rank(self, profile: str, actor: str) -> tuple[str, int, int]:
        p = self.profile(profile)
        idx = next((i for i, a in enumerate(p.actors) if a.actor == actor), len(p.actors))
        return (p.domain, p.chapter, idx)

    def option_rank(self, profile: str, option: str) -> int:
        p = self.profile(profile)
        return next((i for i, o in enumerate(p.options) if o.id == option), len(p.options))

    def tx_rank(self, tx: str) -> tuple[str, int]:
        t = self.fw.transactions.get(tx)
        if t is None:
            return ("~", 0)
        return (t.domain, t.number)

    def cite(self, profile: str, table: int) -> str:
        p = self.profile(profile)
        return f"{p.domain} TF-1 Table {p.chapter}.{table}-1"

    def chapter_ref(self, profile: str) -> str:
        p = self.profile(profile)
        return f"{p.domain} TF-1: {p.chapter}"

    def canonical_targets(self, targets) -> tuple[Target, ...]:
        out = []
        for t in targets:
            opts = tuple(sorted(set(t.options), key=lambda o, p=t.profile: (self.option_rank(p, o), o)))
            out.append(Target(t.profile, t.actor, opts))
        return tuple(sorted(out, key=lambda t: (self.actor_rank(t.profile, t.actor), t.options)))

    def phrase(self, targets: tuple[Target, ...], with_options: bool = True) -> str:
        if len(targets) == 1:
            t = targets[0]
            return f"the {t.profile} {self.actor_name(t.actor)} actor" + (self.option_suffix(t) if with_options else "")
        if len({t.profile for t in targets}) == 1 and not any(t.options for t in targets):
            return f"the {targets[0].profile} " + join_words([self.actor_name(t.actor) for t in targets], "or") + " actor"
        return join_words([f"the {t.profile} {self.actor_name(t.actor)} actor{self.option_suffix(t)}" for t in targets], "or")

    def option_suffix(self, t: Target) -> str:
        if not t.options:
            return ""
        names = [self.option_name(t.profile, o) for o in t.options]
        return " with the " + join_words(names, "and") + (" Option" if len(names) == 1 else " Options")

    def title(self, targets: tuple[Target, ...]) -> str:
        if len(targets) > 1 and len({t.profile for t in targets}) == 1:
            return f"{targets[0].profile} " + join_words([self.actor_name(t.actor) for t in targets], "or")
        return join_words([f"{t.profile} {self.actor_name(t.actor)}" for t in targets], "or")

    # ------------------------------------------------------------------ one actor on its own

    def local(self, profile: str, actor: str, given: dict[str, int], lvl: int, chosen: dict[str, int] | None = None,
              added: dict[str, list] | None = None) -> Local:
        """``chosen``: transactions the selection requires of this actor by name (optional ones made SHALL or SHOULD).
        ``added``: transactions other actors' options add to this one (``options[].adds``), each with its level and
        the fact and citation it comes from."""
        prof = self.profile(profile)
        pa = prof.actor(actor)
        out = Local()
        via1, via2, via3 = self.cite(profile, 1), self.cite(profile, 2), self.cite(profile, 3)

        def add(table: dict, key: str, level: int, src: tuple[str, str] | None) -> bool:
            entry = table.get(key)
            changed = False
            if entry is None:
                entry = table[key] = [0, {}]
                changed = True
            if level > entry[0]:
                entry[0] = level
                changed = True
            if src is not None and level > entry[1].get(src, 0):
                entry[1][src] = level
                changed = True
            return changed

        for o, level in given.items():
            add(out.options, o, min(level, lvl), None)
        for claim in pa.options:
            if claim.required:
                add(out.options, claim.option, lvl, ("actor", via2))
        changed = True
        while changed:
            changed = False
            for o in sorted(out.options, key=lambda o: (self.option_rank(profile, o), o)):
                option = prof.option(o)
                for r in option.requires if option else []:
                    if add(out.options, r, out.options[o][0], (f"option:{o}", via2)):
                        changed = True
        for tu in pa.transactions:
            if tu.optionality == "R":
                add(out.txs, tu.transaction, lvl, ("actor", via1))
        for tx, level in (chosen or {}).items():
            add(out.txs, tx, level, (SELECTED, via1))
        for o in sorted(out.options, key=lambda o: (self.option_rank(profile, o), o)):
            option = prof.option(o)
            for t in option.transactions if option else []:
                add(out.txs, t, out.options[o][0], (f"option:{o}", via2))
        for tx, entries in (added or {}).items():
            for level, src_key, via in entries:
                add(out.txs, tx, level, (f"fact:{src_key}", via))
        for cu in pa.content_modules:
            if cu.optionality == "R":
                out.contents.append((cu.module, lvl, via1))
        for s in pa.at_least_one_of:
            if s.transactions:
                out.oneofs.append(("transactions", tuple(s.transactions), lvl, via1))
            else:
                out.oneofs.append(("options", tuple(s.options), lvl, via2))
        for tu in pa.transactions:
            if tu.optionality == "C":
                out.ctxs.append((tu.transaction, norm(tu.condition), lvl, via1))
        for r in pa.requirements:  # rows without a transaction: what the actor shall do (record audit events)
            if r.optionality != "O":
                out.behaviours.append((norm(r.text), norm(r.condition) if r.optionality == "C" else "", lvl, via1))
        for g in prof.groupings_of(actor):
            if g.kind == "optional":
                continue  # a MAY grouping requires nothing of a product
            if g.when_option:
                if g.when_option not in out.options:
                    continue
                base, rel = out.options[g.when_option][0], f"option:{g.when_option}"
            else:
                base, rel = lvl, "actor"
            level = min(base, SHALL if g.kind == "required" else SHOULD)
            targets = self.canonical_targets(Target(t.profile, t.actor, tuple(t.options)) for t in g.targets)
            if g.external:  # an alternative outside the tree cannot be expanded: the grouping is stated as published
                cited = tuple((x.domain, x.profile, x.actor, x.reference, tuple(x.options)) for x in g.external)
                out.externals.append((targets, cited, level, via3, norm(g.condition)))
                continue
            out.edges.append(Edge(targets, level, rel, via3, norm(g.condition)))
        return out

    def local_keys(self, t: Target, loc: Local) -> dict[tuple, tuple[int, list[str], object]]:
        """A member's local items keyed so that the same requirement has the same key in every member."""
        keys: dict[tuple, tuple[int, list[str], object]] = {}

        def put(key: tuple, level: int, vias: list[str], obj: object) -> None:
            if key in keys:
                old = keys[key]
                level = max(old[0], level)
                vias = old[1] + [v for v in vias if v not in old[1]]
            keys[key] = (level, vias, obj)

        for o in sorted(loc.options, key=lambda o: (self.option_rank(t.profile, o), o)):
            level, srcs = loc.options[o]
            if srcs:  # derived options only; the given ones are in the subject's name
                put(("option", t.profile, o), level, sorted({v for _, v in srcs}), o)
        for m, level, via in loc.contents:
            put(("content", m), level, [via], m)
        for tx in sorted(loc.txs, key=lambda x: (self.tx_rank(x), x)):
            level, srcs = loc.txs[tx]
            put(("tx", tx), level, sorted({v for _, v in srcs}), tx)
        for kind, members, level, via in loc.oneofs:
            put(("oneof", kind, t.profile if kind == "options" else "", members), level, [via], (kind, members, t.profile))
        for tx, cond, level, via in loc.ctxs:
            put(("ctx", tx, cond), level, [via], (tx, cond))
        for e in loc.edges:
            put(("edge", group_key(e.targets), e.condition), e.level, [e.via], e)
        for text, cond, level, via in loc.behaviours:
            put(("behaviour", text, cond), level, [via], (text, cond))
        for targets, cited, level, via, cond in loc.externals:
            put(("external", group_key(targets), external_key(cited), cond), level, [via], (targets, cited))
        return keys

    # ------------------------------------------------------------------ the fixed point

    def fixed_point(self, selection: list[tuple[Target, int]], satisfied: dict[str, str]):
        facts: dict[str, Fact] = {}
        members: dict[str, tuple[Target, ...]] = {}
        options_of: dict[str, list[str]] = {}
        state = {"changed": False}

        def add(fkey: str, level: int, src: tuple[str, str]) -> None:
            f = facts.get(fkey)
            if f is None:
                f = facts[fkey] = Fact()
                state["changed"] = True
            if level > f.level:
                f.level = level
                state["changed"] = True
            if level > f.sources.get(src, 0):
                f.sources[src] = level
                state["changed"] = True

        def add_subject(targets: tuple[Target, ...]) -> str:
            if len(targets) == 1:
                key = single_key(targets[0].profile, targets[0].actor)
                members.setdefault(key, (Target(targets[0].profile, targets[0].actor),))
            else:
                key = group_key(targets)
                members.setdefault(key, targets)
            options_of.setdefault(key, [])
            return key

        def add_option(skey: str, option: str, level: int, src: tuple[str, str]) -> None:
            if option not in options_of[skey]:
                options_of[skey].append(option)
            add(f"option|{skey}|{option}", level, src)

        def follow(edge: Edge, src_key: str) -> None:
            if edge.condition:
                return
            key = add_subject(edge.targets)
            add(f"actor|{key}", edge.level, (src_key, edge.via))
            if len(edge.targets) == 1:
                for o in edge.targets[0].options:
                    add_option(key, o, edge.level, (src_key, edge.via))

        for target, level in selection:
            key = add_subject((target,))
            add(f"actor|{key}", level, ("", SELECTED))
            for o in target.options:
                add_option(key, o, level, ("", SELECTED))

        selected = {single_key(t.profile, t.actor) for t, _ in selection}
        while True:
            state["changed"] = False
            for skey in sorted(members, key=lambda k: self.subject_rank(k, members[k], selected)):
                lvl = facts[f"actor|{skey}"].level
                targets = members[skey]
                if len(targets) == 1:
                    t = targets[0]
                    given = {o: facts[f"option|{skey}|{o}"].level for o in options_of[skey]}
                    loc = self.local(t.profile, t.actor, given, lvl)
                    for o in sorted(loc.options, key=lambda o: (self.option_rank(t.profile, o), o)):
                        level, srcs = loc.options[o]
                        for (rel, via), slevel in srcs.items():
                            add_option(skey, o, slevel, (self.abs_key(skey, rel), via))
                    for e in loc.edges:
                        follow(e, self.abs_key(skey, e.rel))
                elif skey not in satisfied:
                    for key, (level, vias, obj) in self.common(targets, lvl).items():
                        if key[0] == "edge":
                            e: Edge = obj
                            for via in vias:
                                follow(Edge(e.targets, level, "actor", via, e.condition), f"actor|{skey}")
            if not state["changed"]:
                break
        return facts, members, options_of

    @staticmethod
    def abs_key(skey: str, rel: str) -> str:
        if rel == SELECTED:  # a transaction the selection itself requires (Selected.transactions)
            return ""
        if rel == "actor":
            return f"actor|{skey}"
        if rel.startswith("fact:"):  # another subject's fact: an option of it that adds to this actor
            return rel[len("fact:"):]
        return f"option|{skey}|{rel.split(':', 1)[1]}"

    def subject_rank(self, skey: str, targets: tuple[Target, ...], selected: set[str]):
        first = targets[0]
        return (0 if skey in selected else 1, self.actor_rank(first.profile, first.actor), len(targets), skey)

    def member_locals(self, targets: tuple[Target, ...], lvl: int) -> list[dict]:
        return [self.local_keys(t, self.local(t.profile, t.actor, {o: lvl for o in t.options}, lvl)) for t in targets]

    def common(self, targets: tuple[Target, ...], lvl: int) -> dict[tuple, tuple[int, list[str], object]]:
        per = self.member_locals(targets, lvl)
        out = {}
        for key, (level, vias, obj) in per[0].items():
            if all(key in other for other in per[1:]):
                all_vias = list(vias)
                for other in per[1:]:
                    all_vias += [v for v in other[key][1] if v not in all_vias]
                out[key] = (min([level] + [other[key][0] for other in per[1:]]), all_vias, obj)
        return out

    # ------------------------------------------------------------------ the requirements

    def expand(self, annex: Annex) -> Expansion:
        fw = self.fw
        selection = []
        for s in annex.selection:
            t = self.canonical_targets([Target(s.profile, s.actor, tuple(s.options))])[0]
            selection.append((t, SHALL if s.level == "SHALL" else SHOULD))
        selection.sort(key=lambda x: (self.actor_rank(x[0].profile, x[0].actor), x[0].options))
        selected = {single_key(t.profile, t.actor) for t, _ in selection}
        self.chosen = {}
        for s in annex.selection:
            txs = sorted(set(s.transactions), key=lambda x: (self.tx_rank(x), x))
            if txs:
                self.chosen[(s.profile, s.actor)] = {x: SHALL if s.level == "SHALL" else SHOULD for x in txs}

        facts, members, options_of = self.fixed_point(selection, {})
        satisfied = {}
        for skey, targets in members.items():
            if len(targets) < 2:
                continue
            glevel = facts[f"actor|{skey}"].level
            for t in targets:
                mkey = single_key(t.profile, t.actor)
                mfact = facts.get(f"actor|{mkey}")
                if mfact is None or mfact.level < glevel:
                    continue
                if all(facts.get(f"option|{mkey}|{o}", Fact()).level >= glevel for o in t.options):
                    satisfied[skey] = f"actor|{mkey}"
                    break
        if satisfied:
            facts, members, options_of = self.fixed_point(selection, satisfied)

        added = self.option_effects(facts, members, options_of)
        items: list[_Item] = []
        for skey in sorted(members, key=lambda k: self.subject_rank(k, members[k], selected)):
            items.extend(self.subject_items(skey, members[skey], facts, options_of, satisfied, added.get(skey)))

        width = max(3, len(str(len(items))))
        ids = {}
        for n, item in enumerate(items, start=1):
            ids[item.key] = f"{annex.prefix}-{n:0{width}d}"
        order = {item.key: n for n, item in enumerate(items)}
        minimum = annex.minimum_status
        requirements = []
        for item in items:
            sources = sorted(item.sources, key=lambda s: (-1 if s[0] == "" else order.get(s[0], 10**9), s[1]))
            requirements.append(
                Requirement(
                    id=ids[item.key],
                    level=WORD[item.level],
                    kind=item.kind,
                    subject=item.subject,
                    text=self.text(item, ids),
                    reference=item.reference,
                    sources=[Source(None if f == "" else ids[f], via) for f, via in sources],
                    flags=self.flags(item, minimum),
                    condition=item.condition,
                    applies_if=(item.member.profile, item.member.actor) if item.member else None,
                    met_by=item.met_by,
                    subject_key=item.subject_key,
                    subject_title=self.title(item.subject),
                )
            )
        domain = annex_domain(fw, annex)
        domains = sorted({self.profile(t.profile).domain for s in members.values() for t in s})
        domains = [domain] + [d for d in domains if d != domain]
        frameworks = [FrameworkInfo(d, fw.domains[d].title, fw.domains[d].revision, fw.domains[d].date, fw.domains[d].status) for d in domains if d in fw.domains]
        return Expansion(
            annex=annex,
            domain=domain,
            revision=fw.domains[domain].revision,
            date=fw.domains[domain].date,
            frameworks=frameworks,
            selection=[(t, WORD[lvl]) for t, lvl in selection],
            requirements=requirements,
            transactions={k: tuple(v) for k, v in self.chosen.items()},
        )

    def option_effects(self, facts, members, options_of) -> dict[str, dict[str, list]]:
        """Transactions that one actor's options add to another actor of the system (``options[].adds``).

        An effect lands only on an actor the system implements: a requirement on an actor another
        supplier provides is not this system's. Its level is the lower of the option's and the actor's."""
        added: dict[str, dict[str, list]] = {}
        for skey in sorted(members):
            targets = members[skey]
            if len(targets) != 1:
                continue
            t = targets[0]
            prof = self.profile(t.profile)
            for o in sorted(options_of[skey], key=lambda o: (self.option_rank(t.profile, o), o)):
                option = prof.option(o)
                for effect in option.adds if option else []:
                    bkey = single_key(t.profile, effect.actor)
                    if effect.optionality != "R" or bkey not in members:
                        continue
                    level = min(facts[f"option|{skey}|{o}"].level, facts[f"actor|{bkey}"].level)
                    added.setdefault(bkey, {}).setdefault(effect.transaction, []).append((level, f"option|{skey}|{o}", self.cite(t.profile, 2)))
        return added

    def subject_items(self, skey, targets, facts, options_of, satisfied, added=None) -> list[_Item]:
        fact = facts[f"actor|{skey}"]
        lvl = fact.level
        items: list[_Item] = []
        actor_key = f"actor|{skey}"
        if len(targets) == 1:
            t = targets[0]
            items.append(_Item(actor_key, "actor", targets, skey, lvl, fact.final_sources(), reference=self.chapter_ref(t.profile), met_by=[Target(t.profile, t.actor)]))
            opts = sorted(options_of[skey], key=lambda o: (self.option_rank(t.profile, o), o))
            given = {}
            for o in opts:
                ofact = facts[f"option|{skey}|{o}"]
                given[o] = ofact.level
                items.append(
                    _Item(f"option|{skey}|{o}", "option", targets, skey, ofact.level, ofact.final_sources(), obj=o,
                          reference=self.cite(t.profile, 2), met_by=[Target(t.profile, t.actor, (o,))])
                )
            loc = self.local(t.profile, t.actor, given, lvl, self.chosen.get((t.profile, t.actor)), added)
            items += self.local_items(skey, targets, t, loc, facts, given, None)
            return items
        met_by_key = satisfied.get(skey, "")
        items.append(
            _Item(actor_key, "alternatives", targets, skey, lvl, fact.final_sources(), met_by_key=met_by_key,
                  reference="; ".join(dict.fromkeys(self.chapter_ref(t.profile) for t in targets)), met_by=list(targets))
        )
        if met_by_key:
            return items
        per = self.member_locals(targets, lvl)
        common = self.common(targets, lvl)
        items += self.keyed_items(skey, targets, common, facts, None)
        for t, keys in zip(targets, per):
            own = {k: v for k, v in keys.items() if k not in common}
            items += self.keyed_items(skey, targets, own, facts, t)
        return items

    def local_items(self, skey, targets, t: Target, loc: Local, facts, given, member) -> list[_Item]:
        """The items of a single actor: contents, transactions, one-of sets, C transactions, conditional groupings."""
        keys = self.local_keys(t, loc)
        # options are facts of their own for a single actor; transactions keep their exact sources
        keys = {k: v for k, v in keys.items() if k[0] != "option"}
        out = self.keyed_items(skey, targets, keys, facts, member, txs=loc.txs, options=given)
        return out

    def keyed_items(self, skey, targets, keys, facts, member: Target | None, txs=None, options=None) -> list[_Item]:
        """Items for a subject from keyed local items, in the fixed category order."""
        actor_key = f"actor|{skey}"
        mtag = "" if member is None else f"|{member.profile}:{member.actor}"
        out: list[_Item] = []
        tx_levels = {k[1]: v[0] for k, v in keys.items() if k[0] == "tx"}
        opt_levels = dict(options or {})
        for k, v in keys.items():
            if k[0] == "option":
                opt_levels[k[2]] = max(opt_levels.get(k[2], 0), v[0])

        def claims(extra: tuple[str, ...] = ()) -> list[Target]:
            base = [member] if member else list(targets)
            return [Target(b.profile, b.actor, tuple(dict.fromkeys(b.options + extra))) for b in base]

        def src(vias: list[str]) -> list[tuple[str, str]]:
            return [(actor_key, v) for v in vias]

        for category in ("option", "content", "tx", "oneof", "ctx", "behaviour", "edge", "external"):
            for k, (level, vias, obj) in keys.items():
                if k[0] != category:
                    continue
                if category == "option":
                    out.append(_Item(f"option|{skey}|{obj}{mtag}", "option", targets, skey, level, src(vias), obj=obj, member=member,
                                     reference="; ".join(vias), met_by=claims((obj,))))
                elif category == "content":
                    out.append(_Item(f"content|{skey}|{obj}{mtag}", "content", targets, skey, level, src(vias), obj=obj, member=member,
                                     reference="; ".join(vias), met_by=claims()))
                elif category == "tx":
                    if txs is not None and member is None and len(targets) == 1:
                        entry = txs[obj]
                        sources = [(self.abs_key(skey, rel), via) for (rel, via), l in entry[1].items() if l == entry[0]]
                        t = targets[0]
                        if any(rel in ("actor", SELECTED) or rel.startswith("fact:") for (rel, _), l in entry[1].items() if l == entry[0]):
                            met = [Target(t.profile, t.actor)]
                        else:
                            met = [Target(t.profile, t.actor, (rel.split(":", 1)[1],)) for (rel, _), l in entry[1].items() if l == entry[0]]
                        out.append(_Item(f"tx|{skey}|{obj}", "transaction", targets, skey, entry[0], sources, obj=obj,
                                         reference="; ".join(dict.fromkeys(via for _, via in sources)), met_by=met))
                    else:
                        out.append(_Item(f"tx|{skey}|{obj}{mtag}", "transaction", targets, skey, level, src(vias), obj=obj, member=member,
                                         reference="; ".join(vias), met_by=claims()))
                elif category == "oneof":
                    kind, members_, profile = obj
                    if kind == "transactions":
                        if any(tx_levels.get(m, 0) >= level for m in members_):
                            continue
                        met = claims()
                    else:
                        if any(opt_levels.get(m, 0) >= level for m in members_):
                            continue
                        met = [c for m in members_ for c in claims((m,))]
                    out.append(_Item(f"oneof|{skey}|{kind}|{profile}|{','.join(members_)}{mtag}", "one-of", targets, skey, level, src(vias),
                                     obj=obj, member=member, reference="; ".join(vias), met_by=met))
                elif category == "behaviour":
                    text, cond = obj
                    out.append(_Item(f"behaviour|{skey}|{text}|{cond}{mtag}", "conditional-behaviour" if cond else "behaviour", targets, skey,
                                     level, src(vias), obj=text, condition=cond, member=member, reference="; ".join(vias), met_by=claims()))
                elif category == "external":
                    in_tree, cited = obj
                    out.append(_Item(f"external|{skey}|{group_key(in_tree)}|{external_key(cited)}|{k[3]}{mtag}", "external-grouping", targets, skey,
                                     level, src(vias), obj=obj, condition=k[3], member=member, reference="; ".join(vias), met_by=list(in_tree)))
                elif category == "ctx":
                    tx, cond = obj
                    if tx_levels.get(tx, 0) >= level:
                        continue
                    out.append(_Item(f"ctx|{skey}|{tx}|{cond}{mtag}", "conditional-transaction", targets, skey, level, src(vias), obj=tx,
                                     condition=cond, member=member, reference="; ".join(vias), met_by=claims()))
                else:
                    e: Edge = obj
                    if not e.condition and member is None:
                        continue  # followed in the fixed point: a subject of its own
                    tkey = single_key(e.targets[0].profile, e.targets[0].actor) if len(e.targets) == 1 else group_key(e.targets)
                    tfact = facts.get(f"actor|{tkey}")
                    if tfact is not None and tfact.level >= level and (len(e.targets) > 1 or all(
                        facts.get(f"option|{tkey}|{o}", Fact()).level >= level for o in e.targets[0].options
                    )):
                        continue  # required anyway
                    kind = "conditional-grouping" if e.condition else "grouping"
                    out.append(_Item(f"edge|{skey}|{group_key(e.targets)}|{e.condition}{mtag}", kind, targets, skey, level,
                                     src(vias), obj=e, condition=e.condition, member=member, reference="; ".join(vias), met_by=list(e.targets)))
        return out

    # ------------------------------------------------------------------ words

    def text(self, item: _Item, ids: dict[str, str]) -> str:
        L = WORD[item.level]
        if item.kind == "actor":
            return f"The system {L} implement {self.phrase(item.subject)}."
        if item.kind == "alternatives":
            text = f"The system {L} implement {self.phrase(item.subject)}."
            if item.met_by_key:
                text += f" This is met by {ids[item.met_by_key]}."
            return text
        if item.member is not None:
            lead = f"If {self.phrase((item.member,))} is implemented to meet {ids['actor|' + item.subject_key]}, "
            subj = "it"
            profile = item.member.profile
        else:
            lead = ""
            ph = self.phrase(item.subject)
            subj = ph[0].upper() + ph[1:]
            profile = item.subject[0].profile
        if item.kind == "option":
            body = f"{subj} {L} support the {self.option_name(profile, item.obj)} Option."
        elif item.kind == "content":
            m = self.fw.content_modules.get(item.obj)
            body = f"{subj} {L} support the {m.name if m else item.obj} content module."
        elif item.kind == "transaction":
            body = f"{subj} {L} support {self.tx_label(item.obj)}."
        elif item.kind == "one-of":
            kind, members, oprofile = item.obj
            if kind == "transactions":
                body = f"{subj} {L} support at least one of {join_words([self.tx_label(m) for m in members], 'or')}."
            else:
                body = f"{subj} {L} support at least one of the {join_words([self.option_name(oprofile, m) for m in members], 'or')} Options."
        elif item.kind == "conditional-transaction":
            body = f"{subj} {L} support {self.tx_label(item.obj)} when this condition holds: {item.condition}"
        elif item.kind in ("behaviour", "conditional-behaviour"):
            body = f"{subj} {L} meet this requirement: {item.obj.rstrip('.')}"
            body += f", when this condition holds: {item.condition}" if item.condition else "."
        elif item.kind == "external-grouping":
            in_tree, cited = item.obj
            also = "also " if item.member is not None else ""
            named = [self.phrase((t,)) for t in in_tree] + [external_phrase(*c) for c in cited]
            body = f"the system {L} {also}implement {join_words(named, 'or')}"
            body += f" when this condition holds: {item.condition}" if item.condition else "."
            if item.member is None:
                body = "T" + body[1:]
        else:  # conditional-grouping, or a grouping only one alternative requires
            e: Edge = item.obj
            also = "also " if item.member is not None else ""
            body = f"the system {L} {also}implement {self.phrase(e.targets)}"
            body += f" when this condition holds: {item.condition}" if item.condition else "."
            if item.member is None:
                body = "T" + body[1:]
        return lead + body

    def flags(self, item: _Item, minimum: str) -> list[str]:
        fw = self.fw
        found: list[tuple[str, str]] = []
        if item.kind in ("actor", "alternatives"):
            for t in item.subject:
                found.append((f"Profile {t.profile}", self.profile(t.profile).status))
                a = fw.actors.get(t.actor)
                if a is not None:
                    found.append((f"Actor {a.name}", fw.status_of(a)))
        elif item.kind == "option":
            profile = item.member.profile if item.member else item.subject[0].profile
            o = self.profile(profile).option(item.obj)
            if o is not None and o.status:
                found.append((f"Option {o.name} ({profile})", o.status))
        elif item.kind in ("transaction", "conditional-transaction"):
            t = fw.transactions.get(item.obj)
            if t is not None:
                found.append((f"Transaction {t.label}", fw.status_of(t)))
        elif item.kind == "content":
            m = fw.content_modules.get(item.obj)
            if m is not None:
                found.append((f"Content module {m.name}", fw.status_of(m)))
        out = []
        for what, status in found:
            if STATUS_RANK[status] >= STATUS_RANK[minimum]:
                continue
            text = f"{what} is {STATUS_LABELS[status]}"
            if status not in ("retired", "deprecated"):
                text += f", below the {STATUS_LABELS[minimum]} this annex requires"
            if text not in out:
                out.append(text)
        return out


def expand(fw: Framework, annex: Annex) -> Expansion:
    """Expand a checked annex (see :func:`generator.annex.selection.check_annex`)."""
    return Expander(fw).expand(annex)
