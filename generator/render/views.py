"""What each page shows, computed from the model: numbers, links, tables, indexes.

Templates are edited by people who are not programmers, so every decision (what
number a section has, which profiles use an actor, what a cell links to) is
made here, and a template only places finished values. All HTML fragments in
these views are already escaped or sanitised.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from markupsafe import Markup

from ..model import STATUS_LABELS, Framework, Profile, Transaction, bindings
from . import grouping, numbering, plain_text, site_paths
from .narrative import render as md
from .narrative import render_inline
from .tables import (
    DASH,
    Cell,
    Table,
    a,
    actor_link,
    actor_options,
    actors_and_transactions,
    grouping_condition_html,
    grouping_targets_html,
    option_effect_html,
    option_link,
    or_list,
    profile_link,
    required_groupings,
    role_word,
    spanned,
    transaction_link,
)

STATUS_NOTES = {
    "public-comment": "This text is published for Public Comment. It will change, and must not be implemented as it stands.",
    "trial-implementation": "This text is published for Trial Implementation. It may change before it becomes Final Text.",
    "deprecated": "This is deprecated: it remains for existing implementations, but new work should not use it.",
    "retired": "This is retired and is kept for reference only.",
}


@dataclass
class Banner:
    status: str
    label: str
    text: str


def banner(status: str) -> Banner | None:
    if status == "final-text":
        return None
    return Banner(status, STATUS_LABELS[status], STATUS_NOTES[status])


@dataclass
class Section:
    """A numbered subsection. ``title`` is plain text; ``body`` and ``extra`` values are HTML."""

    number: str
    anchor: str
    title: str
    body: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.body = safe(self.body)
        self.extra = {k: safe(v) for k, v in self.extra.items()}


def safe(value):
    """Mark HTML built by the views (strings, or lists of them) as safe for the templates."""
    if isinstance(value, Markup):
        return value  # keeps a Narrative's diagrams
    if isinstance(value, str):
        return Markup(value)
    if isinstance(value, list):
        return [safe(v) for v in value]
    return value


@dataclass
class Figure:
    """A numbered figure; ``html`` is the rendered diagram (or a placeholder until diagrams run)."""

    key: str
    number: str
    caption: str
    anchor: str
    html: str = ""


@dataclass
class Page:
    """A page to generate. ``title`` is plain text; string values in ``context`` are HTML."""

    src: str
    template: str
    title: str
    banner: Banner | None = None
    context: dict = field(default_factory=dict)
    search_boost: float | None = None  # the page of an id ranks above pages that only mention it
    search_aliases: list[str] = field(default_factory=list)  # other spellings readers type: "iti41" for ITI-41

    def __post_init__(self) -> None:
        self.context = {k: safe(v) for k, v in self.context.items()}


ENTITY_BOOST = 3.0


def search_aliases(*ids: str) -> list[str]:
    """The spellings of an id a reader may type that the search tokenizer does not make of it.

    The search separator splits "ITI-41" and "XDS.b" into their parts, so "ITI 41"
    and "XDS.b" find them already; "iti41" and "xdsb" are single words that appear
    nowhere unless the page carries them."""
    out = []
    for value in ids:
        compact = "".join(ch for ch in value.lower() if ch.isalnum())
        if compact and compact != value.lower() and compact not in out:
            out.append(compact)
    return out


def _status_label(fw: Framework, entity) -> str:
    return STATUS_LABELS[fw.status_of(entity)]


# ---------------------------------------------------------------- lookups shared by all pages


class _Index:
    """Who uses what, computed once for a whole site instead of once per page.

    Each list is in the order the pages print it (volume order of the profiles),
    exactly as the scans of every profile that the views would otherwise do.
    """

    def __init__(self, fw: Framework):
        self.fw = fw
        self.profiles = numbering.profiles_in_order(fw)
        self.transactions = numbering.transactions_in_order(fw)
        self.modules = numbering.content_in_order(fw)
        self.tx_usages: dict[str, list] = {}
        self.content_usages: dict[str, list] = {}
        self.member_of: dict[str, list[Profile]] = {}
        self.required_by: dict[str, list] = {}
        for p in self.profiles:
            members = set()
            for pa in p.actors:
                if pa.actor not in members:
                    members.add(pa.actor)
                    self.member_of.setdefault(pa.actor, []).append(p)
                for use in pa.transactions:
                    self.tx_usages.setdefault(use.transaction, []).append((p, pa.actor, use.optionality))
                for cu in pa.content_modules:
                    self.content_usages.setdefault(cu.module, []).append((p, pa.actor, cu.optionality))
            for g in p.groupings:
                for actor_id in dict.fromkeys(t.actor for t in g.targets):
                    self.required_by.setdefault(actor_id, []).append((p, g))
        self.tx_by_standard: dict[str, list[Transaction]] = {}
        for t in self.transactions:
            for sid in dict.fromkeys(t.standards):
                self.tx_by_standard.setdefault(sid, []).append(t)
        self.modules_by_standard: dict[str, list] = {}
        for c in self.modules:
            for sid in dict.fromkeys(c.standards):
                self.modules_by_standard.setdefault(sid, []).append(c)

    def signatures(self) -> dict[str, dict]:
        """Each list as plain keys, to tell which lists changed between two builds."""
        return {
            "idx:tx_usages": {k: tuple((p.acronym, a, o) for p, a, o in v) for k, v in self.tx_usages.items()},
            "idx:content_usages": {k: tuple((p.acronym, a, o) for p, a, o in v) for k, v in self.content_usages.items()},
            "idx:member_of": {k: tuple(p.acronym for p in v) for k, v in self.member_of.items()},
            "idx:required_by": {k: tuple((p.acronym, p.groupings.index(g)) for p, g in v) for k, v in self.required_by.items()},
            "idx:tx_by_standard": {k: tuple(t.id for t in v) for k, v in self.tx_by_standard.items()},
            "idx:modules_by_standard": {k: tuple(c.id for c in v) for k, v in self.modules_by_standard.items()},
        }


_ACTIVE: _Index | None = None

# While ``tfpub serve`` computes one page, what the page reads: (kind, id) of entities,
# (kind, "*") for a whole table, ("idx:<name>", key) for a who-uses-what list. See pages.Incremental.
READS: set | None = None


def note(kind: str, key: str) -> None:
    if READS is not None:
        READS.add((kind, key))


def _uses(name: str, key: str, items, kind: str, key_of):
    """An index list a page shows: noted, with each entity in it, when reads are tracked."""
    if READS is not None:
        READS.add((f"idx:{name}", key))
        for item in items:
            READS.add((kind, key_of(item)))
    return items


@contextmanager
def indexed(fw: Framework):
    """Within the block, pages of ``fw`` use lookups computed once (``fw`` must not change meanwhile)."""
    global _ACTIVE
    previous, _ACTIVE = _ACTIVE, _Index(fw)
    try:
        with bindings.indexed(fw):
            yield
    finally:
        _ACTIVE = previous


def _index(fw: Framework) -> _Index | None:
    return _ACTIVE if _ACTIVE is not None and _ACTIVE.fw is fw else None


def active_index() -> _Index | None:
    return _ACTIVE


# ---------------------------------------------------------------- Volume 1


def profile_page(fw: Framework, p: Profile) -> Page:
    page = site_paths.profile_page(p.domain, p.acronym)
    sec = lambda sub: numbering.profile_section(p, sub)  # noqa: E731
    actors = []
    for pa in p.actors:
        actor = fw.actors[pa.actor]
        actors.append(
            Section(
                numbering.actor_section(p, pa.actor),
                f"actor-{pa.actor}",
                actor.name,
                md(pa.description or actor.definition, fw, page, pa.loc),
                {"link": actor_link(fw, pa.actor, page)},
            )
        )
    options = []
    for o in p.options:
        offered_by = [actor_link(fw, pa.actor, page) for pa in p.actors if any(c.option == o.id for c in pa.options)]
        adds = [transaction_link(fw, t, page) for t in o.transactions]
        requires = [option_link(fw, p, r, page) + " Option" for r in o.requires]
        options.append(
            Section(
                numbering.option_section(p, o.id),
                f"option-{o.id}",
                f"{o.name} Option",
                md(o.description, fw, page, o.loc),
                {
                    "actors": or_list(offered_by, "and"),
                    "adds": or_list(adds, "and"),
                    "requires": or_list(requires, "and"),
                    "adds_to": or_list([option_effect_html(fw, e, page) for e in o.adds], "and"),
                    "status": STATUS_LABELS[o.status] if o.status else "",
                },
            )
        )
    use_cases = []
    for uc in p.use_cases:
        number = numbering.use_case_section(p, uc.id)
        steps = []
        for step in uc.steps:
            who = actor_link(fw, step.from_actor, page)
            if step.to_actor:
                who += " \u2192 " + actor_link(fw, step.to_actor, page)
            via = f" ({transaction_link(fw, step.transaction, page)})" if step.transaction else ""
            steps.append(f"{who}: {plain_text.inline(step.text)}{via}")
        use_cases.append(
            Section(
                number,
                f"use-case-{uc.id}",
                uc.title,
                md(uc.description, fw, page, uc.loc),
                {
                    "steps": steps,
                    "figure": Figure(f"uc-{p.acronym}-{uc.id}", f"{number}-1", f"{uc.title}: Process Flow", f"figure-uc-{uc.id}")
                    if uc.steps
                    else None,
                },
            )
        )
    title = f"{p.chapter} {p.name} ({p.acronym})"
    statements = {key: md(s.text, fw, page, s.loc) for key, s in p.statements.items() if not s.after}
    statements_after = {key: md(s.text, fw, page, s.loc) for key, s in p.statements.items() if s.after}

    def shown(key: str, table: Table) -> Table | None:
        """The table, or None where a statement is published in its place."""
        s = p.statements.get(key)
        return table if s is None or s.table else None

    return Page(
        page,
        "profile.md.j2",
        title,
        banner(fw.status_of(p)),
        search_boost=ENTITY_BOOST,
        search_aliases=search_aliases(p.acronym),
        context={
            "profile": p,
            "status": _status_label(fw, p),
            "type": p.type.capitalize(),
            "summary": md(p.summary, fw, page, p.loc),
            "s": {
                "actors": sec(numbering.ACTORS),
                "descriptions": sec(numbering.ACTOR_DESCRIPTIONS),
                "options": sec(numbering.OPTIONS),
                "groupings": sec(numbering.GROUPINGS),
                "overview": sec(numbering.OVERVIEW),
                "concepts": sec(numbering.CONCEPTS),
                "use_cases": sec(numbering.USE_CASES),
                "security": sec(numbering.SECURITY),
                "cross_profile": sec(numbering.CROSS_PROFILE),
            },
            "actor_figure": Figure(
                f"profile-{p.acronym}",
                numbering.table_number(sec(numbering.ACTORS)),
                f"{p.acronym} Actor Diagram",
                "figure-actor-diagram",
            ),
            "actors_table": shown("actors_and_transactions", actors_and_transactions(fw, p, page)),
            "actors": actors,
            "options_table": shown("actor_options", actor_options(fw, p, page)),
            "options": options,
            "groupings_table": shown("required_groupings", required_groupings(fw, p, page)),
            # Markdown published before (or in place of) each table; "" where there is none
            "statements": {key: statements.get(key, "") for key in ("actors_and_transactions", "actor_options", "required_groupings")},
            # ... and after it, where it is published below the table ({text, after: true})
            "statements_after": {key: statements_after.get(key, "") for key in ("actors_and_transactions", "actor_options", "required_groupings")},
            "overview": md(p.overview, fw, page, p.loc),
            "use_cases": use_cases,
            "security": md(p.security, fw, page, p.loc),
            "cross_profile": md(p.cross_profile, fw, page, p.loc),
        },
    )


# ---------------------------------------------------------------- Volume 2


def usages_of_transaction(fw: Framework, tx_id: str) -> list[tuple[Profile, str, str]]:
    """(profile, actor id, optionality) for every profile row naming the transaction."""
    idx = _index(fw)
    if idx is not None:
        return list(_uses("tx_usages", tx_id, idx.tx_usages.get(tx_id, ()), "profile", lambda u: u[0].acronym))
    out = []
    for p in numbering.profiles_in_order(fw):
        for pa in p.actors:
            for use in pa.transactions:
                if use.transaction == tx_id:
                    out.append((p, pa.actor, use.optionality))
    return out


def message_title(m) -> str:
    """A message's heading: its name, or for an unlabelled one (an empty published reply label) its kind."""
    return m.name or f"{m.type.capitalize()} Message"


def transaction_page(fw: Framework, t: Transaction) -> Page:
    page = site_paths.transaction_page(t.domain, t.id)
    number = numbering.transaction_section(t)
    roles = Table(
        "actor-roles",
        numbering.table_number(f"{number}.2"),
        "Actor Roles",
        ["Actor", "Role", "Description"],
    )
    for r, bound_in in bindings.bound_roles(fw, t):  # every role, whichever profile binds it
        description = md(r.description, fw, page) if r.description else ""
        if not description and bound_in:
            description = f"<p>In {profile_link(fw, bound_in, page)}.</p>"
        roles.rows.append([Cell(actor_link(fw, r.actor, page)), Cell(r.role.capitalize()), Cell(description or DASH)])
    standards = []
    for sid in t.standards:
        std = fw.standards[sid]
        href = site_paths.url_link(page, site_paths.index_page(std.domain, "standards"), site_paths.entity_anchor("standard", sid))
        standards.append(a(href, std.title))
    messages = []
    for i, m in enumerate(t.messages, start=1):
        messages.append(
            Section(
                f"{number}.4.{i}",
                f"message-{i}",
                message_title(m),
                "",
                {
                    "type": m.type.capitalize(),
                    "trigger": md(m.trigger, fw, page, m.loc),
                    "semantics": md(m.semantics, fw, page, m.loc),
                    "expected_actions": md(m.expected_actions, fw, page, m.loc),
                },
            )
        )
    # Several interactions: each a heading over its messages, which keep one numbering (3.108.4.1 to .10), as published
    interactions = []
    for m in messages:
        m.extra["interaction"] = None
    for k, g in enumerate(t.interactions, start=1):
        interactions.append(Section("", f"interaction-{k}", g.name, md(g.description, fw, page, g.loc), {"messages": [messages[i] for i in g.messages]}))
        if g.messages:
            messages[g.messages[0]].extra["interaction"] = interactions[-1]
    for m in messages:
        level = 4 if interactions else 3  # under its interaction's heading, or under Messages
        m.extra["h"], m.extra["h_sub"] = Markup("#" * level), Markup("#" * (level + 1))
    used_by = Table("used-by", "", "Profiles using this transaction", ["Profile", "Actor", "Role", "Optionality"])
    for p, actor_id, opt in usages_of_transaction(fw, t.id):
        roles_of = role_word(fw, p, t.id, actor_id)
        used_by.rows.append([Cell(profile_link(fw, p.acronym, page)), Cell(actor_link(fw, actor_id, page)), Cell(roles_of), Cell(opt)])
    return Page(
        page,
        "transaction.md.j2",
        f"{number} {t.label}",
        banner(fw.status_of(t)),
        search_boost=ENTITY_BOOST,
        search_aliases=search_aliases(t.id),
        context={
            "tx": t,
            "number": number,
            "citation": numbering.transaction_ref(t),
            "status": _status_label(fw, t),
            "scope": md(t.scope, fw, page, t.loc),
            "roles_table": roles,
            "standards": standards,
            "figure": Figure(f"tx-{t.id}", numbering.table_number(f"{number}.4"), "Interaction Diagram", "figure-interaction"),
            "messages": messages,
            "interactions": interactions,
            "security": md(t.security, fw, page, t.loc),
            "audit": md(t.audit, fw, page, t.loc),
            "used_by": used_by,
        },
    )


# ---------------------------------------------------------------- Volume 3


def content_page(fw: Framework, c) -> Page:
    page = site_paths.content_page(c.domain, c.id)
    used_by = Table("used-by", "", "Actors creating or consuming this content", ["Profile", "Actor", "Optionality"])
    idx = _index(fw)
    if idx is not None:
        usages = _uses("content_usages", c.id, idx.content_usages.get(c.id, ()), "profile", lambda u: u[0].acronym)
    else:
        usages = [(p, pa.actor, cu.optionality) for p in numbering.profiles_in_order(fw) for pa in p.actors for cu in pa.content_modules if cu.module == c.id]
    for p, actor_id, optionality in usages:
        used_by.rows.append([Cell(profile_link(fw, p.acronym, page)), Cell(actor_link(fw, actor_id, page)), Cell(optionality)])
    standards = [
        a(site_paths.url_link(page, site_paths.index_page(fw.standards[s].domain, "standards"), site_paths.entity_anchor("standard", s)), fw.standards[s].title)
        for s in c.standards
    ]
    sections = [Section(f"{c.section}.{i}", f"section-{i}", s.title, md(s.body, fw, page, c.loc)) for i, s in enumerate(c.sections, start=1)]
    return Page(
        page,
        "content.md.j2",
        f"{c.section} {c.name}",
        banner(fw.status_of(c)),
        search_boost=ENTITY_BOOST,
        context={
            "module": c,
            "citation": numbering.content_ref(c),
            "status": _status_label(fw, c),
            "summary": md(c.summary, fw, page, c.loc),
            "standards": standards,
            "sections": sections,
            "used_by": used_by,
        },
    )


# ---------------------------------------------------------------- actors and indexes


def actor_page(fw: Framework, actor) -> Page:
    """Everything an actor takes part in: the index no published framework has."""
    page = site_paths.actor_page(actor.domain, actor.id)
    profiles = Table("profiles", "", "Profiles and transactions", ["Profile", "Transaction", "Role", "Optionality"])
    options = Table("options", "", "Options this actor may claim", ["Profile", "Option"])
    groups_with = Table("grouped-with", "", "Groupings this actor must support", ["Profile", "Condition", "To be grouped with"])
    required_by = Table("required-by", "", "Groupings that require this actor", ["Profile", "Actor", "Condition", "Grouping"])
    idx = _index(fw)
    ordered = numbering.profiles_in_order(fw) if idx is None else []
    for p in _uses("member_of", actor.id, idx.member_of.get(actor.id, ()), "profile", lambda q: q.acronym) if idx is not None else ordered:
        pa = p.actor(actor.id)
        if pa is not None:
            for use in pa.transactions:
                tx = fw.transactions[use.transaction]
                role = role_word(fw, p, tx.id, actor.id)
                profiles.rows.append([Cell(profile_link(fw, p.acronym, page)), Cell(transaction_link(fw, tx.id, page)), Cell(role), Cell(use.optionality)])
            for cu in pa.content_modules:
                module = fw.content_modules[cu.module]
                href = site_paths.url_link(page, site_paths.content_page(module.domain, module.id))
                profiles.rows.append([Cell(profile_link(fw, p.acronym, page)), Cell(a(href, module.name)), Cell(DASH), Cell(cu.optionality)])
            for req in pa.requirements:
                profiles.rows.append([Cell(profile_link(fw, p.acronym, page)), Cell(render_inline(req.text, fw, page)), Cell(DASH), Cell(req.optionality or DASH)])
            if not pa.transactions and not pa.content_modules and not pa.requirements:
                profiles.rows.append([Cell(profile_link(fw, p.acronym, page)), Cell(DASH), Cell(DASH), Cell(DASH)])
            for claim in pa.options:
                label = option_link(fw, p, claim.option, page) + (" (required)" if claim.required else "")
                options.rows.append([Cell(profile_link(fw, p.acronym, page)), Cell(label)])
            for g in p.groupings_of(actor.id):
                groups_with.rows.append(
                    [Cell(profile_link(fw, p.acronym, page)), Cell(grouping_condition_html(fw, p, g, page)), Cell(grouping_targets_html(fw, g.targets, page, g.external))]
                )
    if idx is not None:
        requiring = _uses("required_by", actor.id, idx.required_by.get(actor.id, ()), "profile", lambda u: u[0].acronym)
    else:
        requiring = [(p, g) for p in ordered for g in p.groupings if any(t.actor == actor.id for t in g.targets)]
    for p, g in requiring:
        required_by.rows.append(
            [
                Cell(profile_link(fw, p.acronym, page)),
                Cell(actor_link(fw, g.actor, page)),
                Cell(grouping_condition_html(fw, p, g, page)),
                Cell(grouping_targets_html(fw, g.targets, page, g.external) + (" (recommended)" if g.kind == "recommended" else "")),
            ]
        )
    for table in (profiles, options, groups_with):
        _span_first(table)
    return Page(
        page,
        "actor.md.j2",
        actor.name,
        banner(fw.status_of(actor)) if actor.status else None,
        {
            "actor": actor,
            "definition": md(actor.definition, fw, page, actor.loc),
            "profiles": profiles,
            "options": options,
            "groups_with": groups_with,
            "required_by": required_by,
        },
    )


def _span_first(table: Table) -> None:
    if table.rows:
        spanned(table.rows)


def appendix_a(fw: Framework, domain: str) -> Page:
    page = site_paths.appendix_page(domain, "A")
    table = Table("actor-summary", "", "Actor Summary Definitions", ["Actor", "Definition", "Profiles"])
    for actor in sorted((x for x in fw.actors.values() if x.domain == domain), key=lambda x: x.name.lower()):
        idx = _index(fw)
        members = (
            _uses("member_of", actor.id, idx.member_of.get(actor.id, ()), "profile", lambda q: q.acronym)
            if idx is not None
            else [p for p in numbering.profiles_in_order(fw) if p.actor(actor.id)]
        )
        in_profiles = [profile_link(fw, p.acronym, page) for p in members]
        table.rows.append([Cell(actor_link(fw, actor.id, page)), Cell(md(actor.definition, fw, page)), Cell(", ".join(in_profiles) or DASH)])
    return Page(page, "appendix.md.j2", "Appendix A: Actor Summary Definitions", None, {"intro": "Every actor of the framework, with the profiles it takes part in.", "table": table})


def appendix_b(fw: Framework, domain: str) -> Page:
    page = site_paths.appendix_page(domain, "B")
    table = Table("transaction-summary", "", "Transaction Summary Definitions", ["Transaction", "Definition", "Profiles"])
    for tx in numbering.transactions_in_order(fw, domain):
        in_profiles = sorted({p.acronym for p, _a, _o in usages_of_transaction(fw, tx.id)}, key=lambda acr: fw.profiles[acr].chapter)
        table.rows.append(
            [Cell(transaction_link(fw, tx.id, page)), Cell(md(tx.scope, fw, page)), Cell(", ".join(profile_link(fw, acr, page) for acr in in_profiles) or DASH)]
        )
    return Page(page, "appendix.md.j2", "Appendix B: Transaction Summary Definitions", None, {"intro": "Every transaction of the framework, with the profiles that use it.", "table": table})


def appendix_d(fw: Framework, domain: str) -> Page:
    page = site_paths.appendix_page(domain, "D")
    table = Table("glossary", "", "Glossary", ["Term", "Definition", "Synonyms"])
    for term in sorted((t for t in fw.glossary if t.domain == domain), key=lambda t: t.term.lower()):
        table.rows.append([Cell(plain_text.inline(term.term)), Cell(md(term.definition, fw, page)), Cell(plain_text.inline(", ".join(term.synonyms)) or DASH)])
    return Page(page, "appendix.md.j2", "Appendix D: Glossary", None, {"intro": "Terms used in this framework.", "table": table})


def transactions_index(fw: Framework, domain: str) -> Page:
    page = site_paths.index_page(domain, "transactions")
    table = Table("transaction-index", "", "Transactions, the profiles and actors that use them, and with what optionality", ["Transaction", "Profile", "Actor", "Optionality"])
    for tx in numbering.transactions_in_order(fw, domain):
        usages = usages_of_transaction(fw, tx.id)
        for p, actor_id, opt in usages or [(None, "", DASH)]:
            table.rows.append(
                [
                    Cell(transaction_link(fw, tx.id, page)),
                    Cell(profile_link(fw, p.acronym, page) if p else DASH),
                    Cell(actor_link(fw, actor_id, page) if actor_id else DASH),
                    Cell(opt),
                ]
            )
    _span_first(table)
    return Page(page, "appendix.md.j2", "Index of Transactions", None, {"intro": "For each transaction, every profile and actor that uses it.", "table": table})


def standards_index(fw: Framework, domain: str) -> Page:
    page = site_paths.index_page(domain, "standards")
    entries = []
    # headed by title, so ordered by title (the id breaks ties)
    for std in sorted((s for s in fw.standards.values() if s.domain == domain), key=lambda s: (s.title.lower(), s.id.lower())):
        idx = _index(fw)
        if idx is not None:
            using_txs = _uses("tx_by_standard", std.id, idx.tx_by_standard.get(std.id, ()), "transaction", lambda t: t.id)
            using_mods = _uses("modules_by_standard", std.id, idx.modules_by_standard.get(std.id, ()), "content", lambda c: c.id)
        else:
            using_txs = [t for t in numbering.transactions_in_order(fw) if std.id in t.standards]
            using_mods = [c for c in numbering.content_in_order(fw) if std.id in c.standards]
        txs = [transaction_link(fw, t.id, page) for t in using_txs]
        mods = [a(site_paths.url_link(page, site_paths.content_page(c.domain, c.id)), c.name) for c in using_mods]
        entries.append(
            Section(
                "",
                site_paths.entity_anchor("standard", std.id),
                std.title,
                "",
                {
                    "id": plain_text.inline(std.id),
                    "publisher": plain_text.inline(std.publisher),
                    "url": plain_text.inline(std.url),  # http(s) only (schema), and attribute-escaped all the same
                    "used_by": ", ".join(txs + mods) or "Not referenced by any transaction or content module.",
                },
            )
        )
    return Page(page, "standards.md.j2", "Index of Referenced Standards", None, {"standards": entries})


# ---------------------------------------------------------------- landing pages


def volume_index(fw: Framework, domain: str, volume: int) -> Page:
    page = site_paths.volume_index(domain, volume)
    entries = []
    groups = []
    if volume == 1:
        title = f"{domain} TF-1: Integration Profiles"
        headings = ["Chapter", "Profile", "Type", "Status"]

        def row(p: Profile) -> list[str]:
            href = site_paths.url_link(page, site_paths.profile_page(domain, p.acronym))
            return [str(p.chapter), a(href, f"{p.name} ({p.acronym})"), p.type.capitalize(), _status_label(fw, p)]

        entries = [row(p) for p in numbering.profiles_in_order(fw, domain)]
        for i, g in enumerate(grouping.profile_groups(fw, domain), start=1):
            rows = [[Cell(v) for v in row(p)] for p in g.profiles]
            groups.append(Section("", f"group-{i}", g.title, "", {"table": Table(f"volume-1-group-{i}", "", g.title, headings, rows)}))
    elif volume == 2:
        title = f"{domain} TF-2: Transactions"
        for t in numbering.transactions_in_order(fw, domain):
            entries.append([numbering.transaction_section(t), transaction_link(fw, t.id, page), _status_label(fw, t)])
        headings = ["Section", "Transaction", "Status"]
    else:
        title = f"{domain} TF-3: Content Modules"
        for c in numbering.content_in_order(fw, domain):
            href = site_paths.url_link(page, site_paths.content_page(domain, c.id))
            entries.append([c.section, a(href, c.name), _status_label(fw, c)])
        headings = ["Section", "Content Module", "Status"]
    table = Table(f"volume-{volume}", "", title, headings, [[Cell(v) for v in row] for row in entries])
    # ``groups``: Volume 1 under the headings of the navigation; ``table`` has every entry in one list
    return Page(page, "volume.md.j2", title, None, {"table": table, "volume": volume, "groups": groups})


def domain_home(fw: Framework, domain: str, extra_links: list[tuple[str, str]]) -> Page:
    d = fw.domains[domain]
    page = site_paths.domain_home(domain)
    links = [
        ("Volume 1: Integration Profiles", site_paths.volume_index(domain, 1)),
        ("Volume 2: Transactions", site_paths.volume_index(domain, 2)),
        ("Volume 3: Content Modules", site_paths.volume_index(domain, 3)),
        ("Appendix A: Actor Summary Definitions", site_paths.appendix_page(domain, "A")),
        ("Appendix B: Transaction Summary Definitions", site_paths.appendix_page(domain, "B")),
        ("Appendix D: Glossary", site_paths.appendix_page(domain, "D")),
        ("Index of Transactions", site_paths.index_page(domain, "transactions")),
        ("Index of Referenced Standards", site_paths.index_page(domain, "standards")),
    ] + list(extra_links)  # supplements, annexes: handed in by the stages that add them
    return Page(
        page,
        "domain.md.j2",
        d.title,
        banner(d.status),
        {
            "domain": d,
            "status": STATUS_LABELS[d.status],
            "description": md(d.description, fw, page),
            "links": [a(site_paths.url_link(page, target), text) for text, target in links],
            "counts": {
                "profiles": sum(p.domain == domain for p in fw.profiles.values()),
                "transactions": sum(t.domain == domain for t in fw.transactions.values()),
                "actors": sum(x.domain == domain for x in fw.actors.values()),
            },
        },
    )


def site_home(fw: Framework) -> Page:
    page = site_paths.HOME
    domains = []
    for acronym, d in sorted(fw.domains.items()):
        href = site_paths.url_link(page, site_paths.domain_home(acronym))
        domains.append([a(href, f"{d.title} ({acronym})"), plain_text.inline(d.revision), plain_text.inline(d.date), STATUS_LABELS[d.status]])
    table = Table("domains", "", "Technical Frameworks", ["Framework", "Revision", "Date", "Status"], [[Cell(v) for v in row] for row in domains])
    export = site_paths.url_link(page, site_paths.EXPORT)
    return Page(page, "home.md.j2", "Technical Frameworks", None, {"table": table, "export": a(export, "model.json")})
