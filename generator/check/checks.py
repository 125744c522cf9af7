"""Cross-reference checks on the resolved model.

The schemas say whether each file is well-formed; these rules say whether the
files agree with each other. Each rule is a small generator of problems with a
stable rule id (printed in brackets) so editors can look it up in the README.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterator

from ..load.yaml_loader import Document
from ..model import Framework, Profile, bindings, is_placeholder_chapter
from ..model.resolve import Sources
from ..problems import Loc, Problem, error, warning
from . import author_content
from .references import (
    LOCAL_KINDS,
    RefError,
    exists,
    find_refs,
    suggestion,
    unresolved_message,
)
from .sequence import sequence_diagram


@dataclass
class Scope:
    """What changed between a framework that was checked and this one, when it only grew.

    Supplements are checked by running these rules on the amended framework and keeping
    what is new (:mod:`generator.supplements.check`). With a scope, each rule looks only
    where a new problem can be, and finds there exactly what it would find looking
    everywhere. That holds when the change is of this shape (the supplement checks
    verify it, and check everything when it is not):

    * no entity, definition or document was removed; the entities not named here are
      the very objects of the framework checked before;
    * a changed entity may change in any way, except in what other entities' rules
      read of it: a transaction keeps its roles, a profile its actors, its options and
      each actor's option claims (rows and groupings may go);
    * the framework checked before had no errors.
    """

    profiles: set[str] = field(default_factory=set)  # new or changed
    transactions: set[str] = field(default_factory=set)
    actors: set[str] = field(default_factory=set)
    content: set[str] = field(default_factory=set)
    new: set[tuple[str, str]] = field(default_factory=set)  # (kind, id) that did not exist before
    definitions: set[tuple[str, str]] = field(default_factory=set)  # keys of Sources.definitions that gained a place
    documents: list[Document] = field(default_factory=list)  # documents that were not there before
    unused: set[tuple[str, str]] = field(default_factory=set)  # ("actor" | "transaction", id) that may have lost a use


Check = Callable[..., Iterator[Problem | None]]
CHECKS: list[Check] = []


def _each(table: dict, keys: set[str] | None) -> list:
    """The entries of ``table`` a rule looks at: all of them, or, with a scope, those it names."""
    if keys is None:
        return list(table.values())
    return [table[k] for k in sorted(keys) if k in table]


def check(fn: Check) -> Check:
    CHECKS.append(fn)
    return fn


def _unknown(src: Sources, kind: str, value: str, candidates, loc: Loc, context: str = "") -> Problem | None:
    """An unknown-id error, or None when the id belongs to a file already reported as broken."""
    if (kind, value) in src.broken:
        return None
    hint = suggestion(value, list(candidates))
    return error(loc, f"{context}unknown {kind} '{value}'{hint}", f"unknown-{kind}")


@check
def duplicate_ids(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    items = src.definitions.items() if scope is None else [(k, src.definitions[k]) for k in sorted(scope.definitions) if k in src.definitions]
    for (kind, key), locs in items:
        for loc in locs[1:]:
            yield error(loc, f"{kind} id '{key}' is already defined at {locs[0]}; ids must be unique across all domains", "duplicate-id")


@check
def file_names(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    items = src.documents.items() if scope is None else [(k, src.documents[k]) for k in sorted(scope.definitions) if any(src.documents.get(k) is d for d in scope.documents)]
    for (kind, key), doc in items:
        if doc.path.stem != key:
            field = "acronym" if kind == "profile" else "id"
            yield error(
                doc.loc((field,)),
                f"the file is named '{doc.path.name}' but its {field} is '{key}'; rename the file to '{key}.yaml' or fix the {field}",
                "file-name-mismatch",
            )


@functools.lru_cache(maxsize=1 << 17)
def _normal(key: str) -> str:
    # A capital S ending an acronym is one of its letters, not a plural: MHD and MHDS are two
    # published profiles (a plural acronym is written with a small s: "PIXs").
    plural = key.endswith("s")
    key = re.sub(r"[^a-z0-9]", "", key.lower())
    return key[:-1] if plural else key


@check
def near_duplicate_ids(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    for kind, table in (("actor", fw.actors), ("profile", fw.profiles), ("content", fw.content_modules)):
        keys = sorted(table)
        if scope is not None:  # ids were only added: a new pair has a new id in it; look at those ids' groups
            norms = {_normal(k) for kind_, k in scope.new if kind_ == kind}
            keys = [k for k in keys if _normal(k) in norms] if norms else []
        seen: dict[str, str] = {}
        for key in keys:
            norm = _normal(key)
            if norm in seen:
                yield warning(
                    table[key].loc,
                    f"{kind} '{key}' differs from {kind} '{seen[norm]}' ({table[seen[norm]].loc}) only in punctuation or a plural; "
                    "if they are the same thing, keep one",
                    "near-duplicate-id",
                )
            else:
                seen[norm] = key


@check
def transaction_domains(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    for t in _each(fw.transactions, scope and scope.transactions):
        prefix = t.id.rsplit("-", 1)[0]
        if t.domain and prefix != t.domain:
            yield error(
                src.documents[("transaction", t.id)].loc(("id",)),
                f"transaction {t.id} lies in the {t.domain} domain; its id must start with '{t.domain}-', or move the file to the {prefix} domain",
                "transaction-domain",
            )


@check
def transaction_roles(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    for t in _each(fw.transactions, scope and scope.transactions):
        seen: set[tuple[str, str]] = set()
        for role in t.roles:
            if role.actor not in fw.actors:
                yield _unknown(src, "actor", role.actor, fw.actors, role.loc)
            if (role.actor, role.role) in seen:
                yield error(role.loc, f"actor '{role.actor}' is given the {role.role} role twice in {t.id}; list it once", "duplicate-entry")
            seen.add((role.actor, role.role))
        kinds = {r.role for r in t.roles}
        for needed in ("initiator", "responder"):
            if needed not in kinds:
                yield warning(t.loc, f"{t.id} has no {needed}; every transaction is between an initiator and a responder", "roles-incomplete")
        for sid in t.standards:
            if sid not in fw.standards:
                yield _unknown(src, "standard", sid, fw.standards, src.documents[("transaction", t.id)].loc(("standards", t.standards.index(sid))))


@check
def transaction_messages(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    """A transaction lists its ``messages`` or its ``interactions``: with both, one list would be dropped."""
    for t in _each(fw.transactions, scope and scope.transactions):
        doc = src.documents.get(("transaction", t.id))
        if doc is not None and doc.data.get("id") == t.id and "messages" in doc.data and "interactions" in doc.data:
            yield error(
                doc.loc(("messages",), key=True),
                f"{t.id} lists both messages and interactions; put every message under its interaction, and remove messages",
                "messages-and-interactions",
            )


check(sequence_diagram)  # a transaction's stated diagram (check/sequence.py)


@check
def content_standards(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    for c in _each(fw.content_modules, scope and scope.content):
        for i, sid in enumerate(c.standards):
            if sid not in fw.standards:
                yield _unknown(src, "standard", sid, fw.standards, src.documents[("content", c.id)].loc(("standards", i)))


# Which of two profiles on one chapter number keeps it: the one published first. Statuses say the
# order: a final-text (or since deprecated or retired) profile was there before any in trial
# implementation, and those before any in public comment. Between equals, the file sorted first.
_HOLDS_CHAPTER = {"final-text": 0, "deprecated": 0, "retired": 0, "trial-implementation": 1, "public-comment": 2}


@check
def chapters(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    # with a scope: numbers of existing profiles and modules do not change, so only a new one can clash,
    # and only the profiles (modules) on its number need a look
    profiles, modules = fw.profiles.values(), fw.content_modules.values()
    if scope is not None:
        taken = {(fw.profiles[k].domain, fw.profiles[k].chapter) for kind, k in scope.new if kind == "profile" and k in fw.profiles}
        profiles = [p for p in profiles if (p.domain, p.chapter) in taken] if taken else []
        taken = {(fw.content_modules[k].domain, fw.content_modules[k].section) for kind, k in scope.new if kind == "content" and k in fw.content_modules}
        modules = [c for c in modules if (c.domain, c.section) in taken] if taken else []
    by_chapter: dict[tuple[str, int], Profile] = {}
    for p in sorted(profiles, key=lambda p: (_HOLDS_CHAPTER.get(fw.status_of(p), 1), p.loc.file, p.acronym)):
        if is_placeholder_chapter(p.chapter):
            continue  # "XX": not assigned yet, so not taken
        key = (p.domain, p.chapter)
        if key in by_chapter:
            other = by_chapter[key]
            where = src.documents[("profile", other.acronym)].loc(("chapter",))
            yield error(
                src.documents[("profile", p.acronym)].loc(("chapter",)),
                f"chapter {p.chapter} of {p.domain} TF-1 is already {other.acronym}'s ({where}); chapter numbers are stable and unique, "
                f"so give {p.acronym} a free chapter number",
                "duplicate-chapter",
            )
        else:
            by_chapter[key] = p
    sections: dict[tuple[str, str], str] = {}
    for c in sorted(modules, key=lambda c: (_HOLDS_CHAPTER.get(fw.status_of(c), 1), c.loc.file, c.id)):
        key = (c.domain, c.section)
        if key in sections:
            yield error(
                c.loc,
                f"Volume 3 section {c.section} is already content module '{sections[key]}' ({fw.content_modules[sections[key]].loc}); "
                f"give '{c.id}' a free section number",
                "duplicate-chapter",
            )
        else:
            sections[key] = c.id


def in_supplement_folder(path) -> bool:
    """Whether a spec file lies in a supplement (``<domain>/supplements/<id>/<kind>/<file>``)."""
    parts = path.parts
    return len(parts) >= 4 and parts[-4] == "supplements"


@check
def placeholder_numbers(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    """Placeholder numbers ("chapter: XX", "ITI-YY1") belong in Public Comment supplements only.

    The volumes are published with numbers; a supplement's own files are judged by the
    supplement checks, which know its status (:mod:`generator.supplements.check`)."""
    for p in _each(fw.profiles, scope and scope.profiles):
        doc = src.documents.get(("profile", p.acronym))
        if is_placeholder_chapter(p.chapter) and doc is not None and not in_supplement_folder(doc.path):
            yield error(doc.loc(("chapter",)), f"chapter XX is a placeholder of Public Comment supplements; the volumes need {p.acronym}'s assigned chapter number", "placeholder-number")
    for t in _each(fw.transactions, scope and scope.transactions):
        doc = src.documents.get(("transaction", t.id))
        if t.is_placeholder and doc is not None and not in_supplement_folder(doc.path):
            yield error(doc.loc(("id",)), f"{t.id} is a placeholder of Public Comment supplements; the volumes need its assigned number", "placeholder-number")


@check
def profile_groups(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    """Volume 1 groups name this domain's profiles, each once.

    With a scope (a supplement) the domains do not change and no profile goes away,
    so no group can newly name an unknown profile: nothing to look at."""
    if scope is not None:
        return
    for acronym in sorted(fw.domains):
        seen: dict[str, str] = {}
        own = sorted(p.acronym for p in fw.profiles.values() if p.domain == acronym)
        for group in fw.domains[acronym].profile_groups or []:
            for name, loc in zip(group.profiles, group.profile_locs):
                p = fw.profiles.get(name)
                if p is None:
                    yield _unknown(src, "profile", name, own, loc, f"navigation group '{group.title}': ")
                elif p.domain != acronym:
                    yield error(loc, f"navigation group '{group.title}': {name} is a {p.domain} profile; group only {acronym} profiles here", "unknown-profile")
                elif name in seen:
                    yield error(loc, f"{name} is already in navigation group '{seen[name]}'; list each profile in one group", "duplicate-entry")
                else:
                    seen[name] = group.title


@check
def profile_actors(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    for p in _each(fw.profiles, scope and scope.profiles):
        seen: set[str] = set()
        for pa in p.actors:
            if pa.actor in seen:
                yield error(pa.loc, f"actor '{pa.actor}' is listed twice in {p.acronym}; give all its transactions under one entry", "duplicate-entry")
            seen.add(pa.actor)
            if pa.actor not in fw.actors:
                yield _unknown(src, "actor", pa.actor, fw.actors, pa.loc)
                continue
            listed: set[str] = set()
            for use in pa.transactions:
                if use.transaction in listed:
                    yield error(use.loc, f"{use.transaction} is listed twice for {pa.actor}", "duplicate-entry")
                listed.add(use.transaction)
                t = fw.transactions.get(use.transaction)
                if t is None:
                    yield _unknown(src, "transaction", use.transaction, fw.transactions, use.loc)
                elif t.role_of(pa.actor) is None and not use.role and all(r.actor in fw.actors for r in t.roles):
                    # (a role naming an unknown actor is a typo already reported in the transaction: likely this very actor)
                    players = ", ".join(r.actor for r in t.roles) or "no actor"
                    yield error(
                        use.loc,
                        f"actor '{pa.actor}' has no role in {t.id} ({t.name}); roles are given to {players} in {t.loc.file}. "
                        f"Add a role for it there, or bind it here with 'role: initiator' or 'role: responder', or remove this row",
                        "actor-without-role",
                    )
            for cu in pa.content_modules:
                if cu.module not in fw.content_modules:
                    yield _unknown(src, "content", cu.module, fw.content_modules, cu.loc)
            if not pa.transactions and not pa.content_modules and not pa.requirements and not pa.no_transactions:
                yield warning(
                    pa.loc,
                    f"actor '{pa.actor}' has no transactions, no content modules and no requirements in {p.acronym}; "
                    "state what it shall do under requirements, write 'transactions: []' where the published table says None, or remove it",
                    "empty-actor",
                )


@check
def profile_options(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    for p in _each(fw.profiles, scope and scope.profiles):
        ids: dict[str, Loc] = {}
        for o in p.options:
            if o.id in ids:
                yield error(o.loc, f"option id '{o.id}' is already used in {p.acronym} ({ids[o.id]})", "duplicate-id")
            ids[o.id] = o.loc
            for tid in o.transactions:
                if tid not in fw.transactions:
                    yield _unknown(src, "transaction", tid, fw.transactions, o.loc, f"option '{o.id}': ")
            for req in o.requires:
                if p.option(req) is None:
                    yield _unknown(src, "option", req, [x.id for x in p.options], o.loc, f"option '{o.id}' requires ")
            yield from _option_effects(fw, src, p, o)
        claimed: set[str] = set()
        for pa in p.actors:
            listed = {u.transaction for u in pa.transactions}
            own = {c.option for c in pa.options}
            for claim in pa.options:
                option = p.option(claim.option)
                if option is None:
                    yield _unknown(src, "option", claim.option, [x.id for x in p.options], claim.loc, f"{p.acronym}: ")
                    continue
                claimed.add(option.id)
                for tid in option.transactions:
                    if tid in fw.transactions and tid not in listed:
                        yield error(
                            claim.loc,
                            f"option '{option.id}' adds {tid}, but actor '{pa.actor}' does not list {tid} among its transactions; add it (usually as O)",
                            "option-transaction-missing",
                        )
                for req in option.requires:
                    if p.option(req) and req not in own:
                        yield error(claim.loc, f"option '{option.id}' requires option '{req}', which actor '{pa.actor}' does not offer", "option-requires")
            for group in pa.at_least_one_of:
                for tid in group.transactions:
                    if tid not in listed:
                        yield error(group.loc, f"'at least one of' names {tid}, which actor '{pa.actor}' does not list among its transactions", "at-least-one-of")
                for oid in group.options:
                    if oid not in own:
                        yield error(group.loc, f"'at least one of' names option '{oid}', which actor '{pa.actor}' does not offer", "at-least-one-of")
        for o in p.options:
            if o.id not in claimed:
                yield warning(o.loc, f"option '{o.id}' is offered by no actor of {p.acronym}; add it under an actor's options", "unused-option")


@check
def profile_exchanges(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    """Each stated exchange is between two actors of the profile bound to the two sides of its transaction."""
    for p in _each(fw.profiles, scope and scope.profiles):
        seen: set[tuple[str, str, str]] = set()
        for e in p.exchanges:
            key = (e.transaction, e.initiator, e.responder)
            if key in seen:
                yield error(e.loc, f"the exchange {e.initiator} -> {e.responder} of {e.transaction} is listed twice in {p.acronym}", "duplicate-entry")
                continue
            seen.add(key)
            if e.transaction not in fw.transactions:
                yield _unknown(src, "transaction", e.transaction, fw.transactions, e.loc, "exchanges: ")
                continue
            for side, actor_id in (("initiator", e.initiator), ("responder", e.responder)):
                pa = p.actor(actor_id)
                if pa is None or not any(u.transaction == e.transaction for u in pa.transactions):
                    users = [a.actor for a in p.actors if any(u.transaction == e.transaction for u in a.transactions)]
                    yield error(
                        e.loc,
                        f"exchanges: the {side} '{actor_id}' is not an actor of {p.acronym} listing {e.transaction}"
                        f"{suggestion(actor_id, users)}; the actors listing it are {', '.join(users) or 'none'}",
                        "exchange-role",
                    )
                elif side not in bindings.roles_in_profile(fw, p, actor_id, e.transaction):
                    yield error(
                        e.loc,
                        f"exchanges: '{actor_id}' is not bound as {side} of {e.transaction} in {p.acronym}; "
                        f"give it 'role: {side}' in its row, or swap initiator and responder",
                        "exchange-role",
                    )


def _option_effects(fw: Framework, src: Sources, p: Profile, o) -> Iterator[Problem]:
    """Each ``adds`` names an actor of the profile, a known transaction, and a role for the actor in it."""
    for e in o.adds:
        if p.actor(e.actor) is None:
            members = [a.actor for a in p.actors]
            yield error(e.loc, f"option '{o.id}' adds {e.transaction} to '{e.actor}', which is not an actor of {p.acronym}{suggestion(e.actor, members)}", "unknown-actor")
        elif e.transaction not in fw.transactions:
            yield _unknown(src, "transaction", e.transaction, fw.transactions, e.loc, f"option '{o.id}' adds ")
        elif not bindings.roles_in_profile(fw, p, e.actor, e.transaction):
            t = fw.transactions[e.transaction]
            yield error(
                e.loc,
                f"option '{o.id}' adds {t.id} to '{e.actor}', which has no role in {t.id} ({t.name}); give it a role in {t.loc.file}, "
                f"or list {t.id} in its row with 'role:'",
                "actor-without-role",
            )


@check
def groupings(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    for p in _each(fw.profiles, scope and scope.profiles):
        for g in p.groupings:
            pa = p.actor(g.actor)
            if pa is None:
                yield error(g.loc, f"grouping for '{g.actor}', which is not an actor of {p.acronym}", "unknown-actor")
                continue
            if g.when_option and g.when_option not in {c.option for c in pa.options}:
                yield error(
                    g.loc,
                    f"when_option '{g.when_option}' is not an option that '{g.actor}' offers in {p.acronym}",
                    "unknown-option",
                )
            yield from _external_targets(fw, src, p, g)
            for t in g.targets:
                target = fw.profiles.get(t.profile)
                if target is None:
                    yield _unknown(src, "profile", t.profile, fw.profiles, t.loc)
                    continue
                tpa = target.actor(t.actor)
                if tpa is None:
                    names = [a.actor for a in target.actors]
                    yield error(
                        t.loc,
                        f"'{t.actor}' is not an actor of {t.profile}{suggestion(t.actor, names)}; its actors are {', '.join(names)}",
                        "unknown-actor",
                    )
                    continue
                if t.profile == p.acronym and t.actor == g.actor:
                    yield error(t.loc, f"'{g.actor}' cannot be grouped with itself", "grouping-self")
                offered = {c.option for c in tpa.options}
                for oid in t.options:
                    if target.option(oid) is None:
                        yield _unknown(src, "option", oid, [o.id for o in target.options], t.loc, f"{t.profile}: ")
                    elif oid not in offered:
                        yield error(t.loc, f"option '{oid}' is not offered by '{t.actor}' in {t.profile}", "unknown-option")


def _external_targets(fw: Framework, src: Sources, p: Profile, g) -> Iterator[Problem]:
    """An external target is checked for form, not existence: its citation names its own domain,
    and it is not a profile the tree holds (that one is named with profile: and actor:)."""
    doc = src.documents.get(("profile", p.acronym))
    written = doc.data.get("groupings", []) if doc is not None and doc.data.get("acronym") == p.acronym else []
    i = p.groupings.index(g)
    for j, w in enumerate(written[i]["with"] if i < len(written) and written[i].get("actor") == g.actor else []):
        extra = sorted(k for k in ("profile", "actor", "options") if k in w)
        if "external" in w and extra:
            yield error(doc.loc(("groupings", i, "with", j)), f"give either profile and actor, or external, not both (remove {', '.join(extra)})", "external-reference")
    for t in g.external:
        if t.reference and t.reference.split(" ", 1)[0] != t.domain:
            yield error(t.loc, f"external {t.domain} {t.profile}: the reference '{t.reference}' cites another domain; cite it as '{t.domain} TF-n: section'", "external-reference")
        held = fw.profiles.get(t.profile) if t.profile else None
        if held is not None and held.domain == t.domain:
            names = [a.actor for a in held.actors]
            yield error(
                t.loc,
                f"{t.domain} {t.profile} is in this tree ({held.loc.file}); name it with 'profile: {t.profile}' and 'actor:' "
                f"(one of {', '.join(names)}) instead of external",
                "external-in-tree",
            )


@check
def grouping_cycles(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    """A required grouping that leads back to where it started can never be satisfied."""
    if scope is not None and not _cycle_through(fw, scope.profiles):
        return  # a new cycle passes through a changed profile; there is none, and there was none before
    edges: dict[tuple[str, str], list[tuple[tuple[str, str], Loc]]] = defaultdict(list)
    for p in fw.profiles.values():
        for g in p.groupings:
            if g.kind != "required" or g.when_option or g.condition:
                continue
            for t in g.targets:
                edges[(p.acronym, g.actor)].append(((t.profile, t.actor), g.loc))
    reported: set[frozenset] = set()
    color: dict[tuple[str, str], int] = {}  # 1: on the current path, 2: finished
    for start in sorted(edges):
        if color.get(start):
            continue
        color[start] = 1
        path, stack = [start], [iter(edges[start])]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                color[path.pop()] = 2
                stack.pop()
                continue
            target, loc = step
            if color.get(target) == 1:
                cycle = path[path.index(target):] + [target]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    yield from _cycle_problems(cycle[:-1], edges)
            elif not color.get(target):
                color[target] = 1
                path.append(target)
                stack.append(iter(edges.get(target, [])))


def _cycle_problems(nodes: list[tuple[str, str]], edges: dict) -> Iterator[Problem]:
    """One problem per grouping of the cycle, each at its own grouping, in its own file.

    Any of the groupings may be the one added by mistake, and the editor who added it
    must see the error in the file they changed; so every one is reported, each
    message reading the circle from its own grouping.
    """
    for i, node in enumerate(nodes):
        target = nodes[(i + 1) % len(nodes)]
        loc = next(loc for to, loc in edges[node] if to == target)
        circle = nodes[i:] + nodes[:i] + [node]
        shown = " -> ".join(f"{a} {b}" for a, b in circle)
        yield error(loc, f"circular required grouping: {shown}; one of these groupings must go", "grouping-cycle")


def _required_edges(p: Profile, actor: str) -> list[tuple[str, str]]:
    return [
        (t.profile, t.actor)
        for g in p.groupings
        if g.actor == actor and g.kind == "required" and not g.when_option and not g.condition
        for t in g.targets
    ]


def _cycle_through(fw: Framework, profiles: set[str]) -> bool:
    """Whether a required grouping of an actor of one of ``profiles`` leads back to that actor."""
    for acronym in sorted(profiles):
        p = fw.profiles.get(acronym)
        if p is None:
            continue
        for start in {(acronym, g.actor) for g in p.groupings}:
            seen: set[tuple[str, str]] = set()
            todo = list(_required_edges(p, start[1]))
            while todo:
                node = todo.pop()
                if node == start:
                    return True
                if node in seen:
                    continue
                seen.add(node)
                target = fw.profiles.get(node[0])
                if target is not None:
                    todo.extend(_required_edges(target, node[1]))
    return False


@check
def use_cases(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    for p in _each(fw.profiles, scope and scope.profiles):
        ids: set[str] = set()
        members = {a.actor for a in p.actors}
        for uc in p.use_cases:
            if uc.id in ids:
                yield error(uc.loc, f"use case id '{uc.id}' is used twice in {p.acronym}", "duplicate-id")
            ids.add(uc.id)
            for step in uc.steps:
                for actor in filter(None, (step.from_actor, step.to_actor)):
                    if actor not in fw.actors:
                        yield _unknown(src, "actor", actor, fw.actors, step.loc)
                    elif actor not in members:
                        yield warning(step.loc, f"use case step names '{actor}', which is not an actor of {p.acronym}", "step-actor")
                if step.transaction and step.transaction not in fw.transactions:
                    yield _unknown(src, "transaction", step.transaction, fw.transactions, step.loc)


@check
def unused(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    if any(kind == "profile" for kind, _ in src.broken):
        return  # a profile that cannot be read may be the one using them; its errors come first
    if scope is not None:
        yield from _unused_in_scope(fw, scope)
        return
    used_actors = {pa.actor for p in fw.profiles.values() for pa in p.actors}
    used_tx = {u.transaction for p in fw.profiles.values() for pa in p.actors for u in pa.transactions}
    for a in fw.actors.values():
        if a.id not in used_actors:
            yield warning(a.loc, f"actor '{a.id}' takes part in no profile; add it to a profile or delete the file", "unused-actor")
    for t in fw.transactions.values():
        if t.id not in used_tx:
            yield warning(t.loc, f"transaction {t.id} is used by no profile; add it to a profile actor or delete the file", "unused-transaction")


def _unused_in_scope(fw: Framework, scope: Scope) -> Iterator[Problem]:
    """``unused`` for what may have become unused: new actors and transactions, and those that lost a row."""
    candidates = {(k, i) for k, i in scope.new if k in ("actor", "transaction")} | scope.unused
    if not candidates:
        return
    changed = _each(fw.profiles, scope.profiles)
    used = {("actor", pa.actor) for p in changed for pa in p.actors} | {("transaction", u.transaction) for p in changed for pa in p.actors for u in pa.transactions}
    todo = candidates - used
    if todo:  # not used by a changed profile: look at every profile
        used |= {("actor", pa.actor) for p in fw.profiles.values() for pa in p.actors}
        used |= {("transaction", u.transaction) for p in fw.profiles.values() for pa in p.actors for u in pa.transactions}
    for kind, key in sorted(todo - used, key=lambda c: (c[0] != "actor", c[1])):
        if kind == "actor" and key in fw.actors:
            yield warning(fw.actors[key].loc, f"actor '{key}' takes part in no profile; add it to a profile or delete the file", "unused-actor")
        elif kind == "transaction" and key in fw.transactions:
            yield warning(fw.transactions[key].loc, f"transaction {key} is used by no profile; add it to a profile actor or delete the file", "unused-transaction")


@check
def narrative_references(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    # with a scope: references only ever find more, so only the new documents can have a broken one
    for doc in _documents(src) if scope is None else _documents(Sources(extra_documents=list(scope.documents))):
        for path, text in _strings(doc.data, ()):
            if "[[" not in text:
                continue
            for ref in find_refs(text):
                if isinstance(ref, RefError):
                    yield error(doc.text_loc(path, ref.start), ref.message, "unresolved-reference")
                elif ref.kind in LOCAL_KINDS:
                    continue  # an author's figure or table: narrative_figures knows the file's own
                elif not exists(fw, ref) and not _names_broken(src, ref):
                    yield error(doc.text_loc(path, ref.start), unresolved_message(fw, ref), "unresolved-reference")


def _names_broken(src: Sources, ref) -> bool:
    """Whether ``ref`` names an entity of a file already reported as broken (so not reported again)."""
    if ref.kind == "option":
        return ("profile", ref.key.partition("/")[0]) in src.broken
    return (ref.kind, ref.key) in src.broken


def _documents(src: Sources) -> list[Document]:
    seen: dict[int, Document] = {}
    for doc in src.documents.values():
        seen.setdefault(id(doc), doc)
    for doc in src.extra_documents:
        seen.setdefault(id(doc), doc)
    return list(seen.values())


def _strings(node, path: tuple) -> list[tuple[tuple, str]]:
    """Every text in ``node`` with its path, depth first in document order.

    A list filled by one recursive walk, not nested generators: three checks walk
    every document, and ``yield from`` through each level cost them most of their time.
    """
    out: list[tuple[tuple, str]] = []
    _collect_strings(node, path, out)
    return out


def _collect_strings(node, path: tuple, out: list) -> None:
    if isinstance(node, str):
        out.append((path, node))
    elif isinstance(node, dict):
        for k, v in node.items():
            _collect_strings(v, path + (k,), out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _collect_strings(v, path + (i,), out)


@check
def step_transactions(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    """A use-case step's transaction is one the profile's actors use: the flow tells this profile's story."""
    for p in _each(fw.profiles, scope and scope.profiles):
        used = {u.transaction for pa in p.actors for u in pa.transactions}
        for uc in p.use_cases:
            for step in uc.steps:
                if step.transaction and step.transaction in fw.transactions and step.transaction not in used:
                    yield warning(
                        step.loc,
                        f"use case '{uc.id}' names {step.transaction}, which no actor of {p.acronym} uses; "
                        f"add it to an actor's transactions, or name one of {p.acronym}'s transactions",
                        "step-transaction",
                    )


@check
def duplicate_groupings(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    """A grouping row given twice (or an alternative named twice in one row) would print twice."""
    for p in _each(fw.profiles, scope and scope.profiles):
        rows: dict[tuple, Loc] = {}
        for g in p.groupings:
            alternatives: dict[tuple, Loc] = {}
            for t in g.targets:
                key = (t.profile, t.actor, tuple(sorted(t.options)))
                if key in alternatives:
                    yield error(t.loc, f"{t.profile} {t.actor} is named twice in this grouping ({alternatives[key]}); name each alternative once", "duplicate-entry")
                alternatives.setdefault(key, t.loc)
            for e in g.external:  # outside the tree: a row of external targets is another row, not a repeat
                key = ("external", e.domain, e.profile, e.actor, tuple(e.options))
                if key in alternatives:
                    yield error(e.loc, f"{e.domain} {e.profile} {e.actor} is named twice in this grouping ({alternatives[key]}); name each alternative once", "duplicate-entry")
                alternatives.setdefault(key, e.loc)
            row = (g.actor, g.kind, g.when_option, g.condition, frozenset(alternatives))
            if row in rows:
                yield error(g.loc, f"this grouping of '{g.actor}' repeats the one at {rows[row]}; list each grouping once", "duplicate-entry")
            else:
                rows[row] = g.loc


# The placeholders `tfpub new` (generator/scaffold.py) writes where the editor's own words go.
# Only these: `tfpub init`'s starter and `tfpub supplement new` are meant to validate as written.
_TODO = re.compile(r"TODO(?:: describe in your own words\.| Transaction Name| Profile Name| Request| Response)")
# A Markdown image, inline ![alt](src) or by reference ![alt][ref]; code spans and blocks are blanked first.
_IMAGE = re.compile(r"!\[[^\]\n]*\](?:\([^)\n]*\)|\[[^\]\n]*\])")
_CODE = re.compile(r"^(```|~~~).*?^\1|`[^`\n]*`", re.MULTILINE | re.DOTALL)


def _without_code(text: str) -> str:
    """``text`` with code blocks and spans blanked (same length: offsets still point into the original)."""
    return _CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


@check
def placeholder_text(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    # with a scope: only documents that were not there before can hold new text
    for doc in _documents(src) if scope is None else _documents(Sources(extra_documents=list(scope.documents))):
        for path, text in _strings(doc.data, ()):
            if "TODO" not in text:
                continue
            found = _TODO.search(text)
            if found:
                yield warning(
                    doc.text_loc(path, found.start()),
                    "placeholder text left from 'tfpub new' (TODO); write the real text here before publishing",
                    "todo-text",
                )


@check
def narrative_figures(fw: Framework, src: Sources, scope: Scope | None = None) -> Iterator[Problem]:
    """Authors' figures, tables and images (:mod:`.author_content`): each image a safe file of the
    specs folder, each id well formed and given once per file, each [[figure:...]] naming one of them."""
    for doc in _documents(src) if scope is None else _documents(Sources(extra_documents=list(scope.documents))):
        given: dict[tuple[str, str], Loc] = {}
        refs: list[tuple[Loc, str, str]] = []
        for path, text in _strings(doc.data, ()):
            if _plain_text_key(path):
                continue  # names and titles are shown as the characters they are
            if "[[" in text:
                refs += [(doc.text_loc(path, r.start), r.kind, r.key) for r in find_refs(text) if not isinstance(r, RefError) and r.kind in LOCAL_KINDS]
            if not any(mark in text for mark in ("![", "{", "Table:")):
                continue
            yield from _images(doc, path, text)
            plain = author_content.code_blanked(text)
            for line_start, line in _lines(text):
                m = author_content.FENCE_RE.match(line)
                if m and m.group("lang").lower() in author_content.DIAGRAM_LANGS and m.group("attrs") and plain[line_start:line_start + len(line)] == line \
                        and author_content.parse_attrs(m.group("attrs")) is None:
                    yield error(doc.text_loc(path, line_start + m.start("attrs")),
                                f"the attributes {m.group('attrs')} are not ones tfpub reads: write {{#fig-name caption=\"...\"}}", "narrative-label")
            for m in author_content.TABLE_CAPTION_RE.finditer(plain):
                rest = plain[m.end():].lstrip("\n")
                if not rest.lstrip(" ").startswith("|"):
                    yield error(doc.text_loc(path, m.start()), "a table caption line must stand right above its table (the next line starts with |)", "narrative-label")
            for label in author_content.labels(text):
                loc = doc.text_loc(path, label.start)
                why = author_content.label_problem(label)
                if why:
                    yield error(loc, why, "narrative-label")
                elif (label.kind, label.id) in given:
                    yield error(loc, f"{label.kind} id '{label.id}' is given twice in this file (first at line {given[(label.kind, label.id)].line}); give each its own", "narrative-label")
                else:
                    given[(label.kind, label.id)] = loc
        for loc, kind, key in refs:
            if (kind, key) not in given:
                names = [i for k, i in given if k == kind]
                yield error(loc, f"reference [[{kind}:{key}]] names no {kind} of this file{suggestion(key, names)}; "
                                 f"a {kind} is referred to by the id its own file gives it", "unresolved-reference")


def _lines(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.splitlines(keepends=True):
        yield offset, line.rstrip("\r\n")
        offset += len(line)


def _images(doc: Document, path: tuple, text: str) -> Iterator[Problem]:
    plain = author_content.code_blanked(text)
    for found in author_content.REF_IMAGE_RE.finditer(plain):
        yield error(doc.text_loc(path, found.start()), f"write the image inline, ![what it shows](images/name.png): {found.group()} names it by a reference", "narrative-image")
    for m in author_content.IMAGE_RE.finditer(plain):
        loc = doc.text_loc(path, m.start())
        if author_content.parse_attrs(m.group("attrs")) is None:
            yield error(doc.text_loc(path, m.start("attrs")), f"the attributes {m.group('attrs')} are not ones tfpub reads: write {{#fig-name caption=\"...\"}}", "narrative-label")
        if not m.group("alt").strip():
            yield error(loc, "the image has no text alternative: write what it shows between the brackets, ![what it shows](...)", "narrative-image")
        target, why = author_content.resolve_image(m.group("src"), doc.path)
        if target is None:
            yield error(loc, why, "narrative-image")
        elif target.suffix.lower() == ".svg":
            why = author_content.svg_problem(target.read_bytes())
            if why:
                yield error(loc, f"image '{m.group('src')}': {why}", "narrative-image")


# Fields shown as plain text (names, titles, ids): image syntax there is shown as the characters it is.
_PLAIN_TEXT_KEYS = frozenset({"id", "name", "title", "acronym", "label", "term", "publisher", "revision", "date", "url", "synonyms"})


def _plain_text_key(path: tuple) -> bool:
    keys = [k for k in path if isinstance(k, str)]
    if keys[-1:] == ["text"] and "steps" in keys:  # a use-case step's text is shown as plain text
        return True
    if keys[:1] == ["diagram"]:  # a transaction diagram's labels are drawn as the characters they are
        return True
    return bool(keys) and keys[-1] in _PLAIN_TEXT_KEYS


def run_checks(fw: Framework, src: Sources, scope: Scope | None = None) -> list[Problem]:
    """Every rule's problems; with a ``scope`` (see :class:`Scope`), those a change of that shape can have added."""
    problems: list[Problem] = []
    for fn in CHECKS:
        problems.extend(p for p in (fn(fw, src) if scope is None else fn(fw, src, scope)) if p is not None)
    return problems
