"""The generated tables of Volume 1, as data: cells, row spans, numbered notes.

IHE tables are where hand-kept frameworks drift most (headings that differ from
chapter to chapter, notes that no longer match their rows), so they are built
here from the model only. Templates receive finished :class:`Table` objects and
print them; nothing about a table is decided in a template.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from markupsafe import Markup

from ..model import (
    ExternalTarget,
    Framework,
    Grouping,
    GroupingTarget,
    Profile,
    ProfileActor,
    TableNote,
    bindings,
)
from . import numbering, plain_text, site_paths
from .citations import references_html
from .narrative import render_inline

DEFAULT_COLUMNS = ["actor", "transaction", "role", "optionality", "reference"]
DEFAULT_HEADINGS = {
    "actors_and_transactions": ["Actors", "Transactions", "Initiator or Responder", "Optionality", "Reference"],
    "actor_options": ["Actor", "Option Name", "Reference"],
    "required_groupings": ["{acronym} Actor", "Grouping Condition", "Actor(s) to be grouped with", "Reference"],
}
DASH = "\u2013"  # IHE prints an en dash in empty cells


@dataclass
class Cell:
    """One table cell. ``html`` is built escaped by this module, so it is marked safe here."""

    html: str
    rowspan: int = 1
    covered: bool = False  # lies under a rowspan from the row above: not printed

    def __post_init__(self) -> None:
        self.html = Markup(self.html)


@dataclass
class Table:
    anchor: str
    number: str
    title: str
    headings: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # HTML, numbered in order: "Note 1: ..."
    note_labels: list[str] = field(default_factory=list)  # "Note 2", "Note"; a note past its end is "Note <its number>"

    @property
    def caption(self) -> str:
        return f"Table {self.number}: {self.title}" if self.number else self.title

    @property
    def notes_html(self) -> list[Markup]:
        return [Markup(n) for n in self.notes]

    @property
    def labelled_notes(self) -> list[tuple[str, Markup]]:
        """(label, HTML) of each note: the label as printed before its colon."""
        labels = self.note_labels + [f"Note {i}" for i in range(len(self.note_labels) + 1, len(self.notes) + 1)]
        return list(zip(labels, self.notes_html))


class _Notes:
    """Numbers notes in order of first use; the same text is one note."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.placed: list[str] = []  # rules printed under the table, pointed to by no row (placement: table)

    def place(self, text_html: str) -> None:
        if text_html not in self.placed:
            self.placed.append(text_html)

    def number(self, text_html: str) -> int:
        if text_html not in self.texts:
            self.texts.append(text_html)
        return self.texts.index(text_html) + 1

    @staticmethod
    def mark(numbers: list[int]) -> str:
        if not numbers:
            return ""
        unique = sorted(set(numbers))
        return f" (Note {', '.join(str(n) for n in unique)})"

    def finish(self, table: Table, extra: list[TableNote], fw: Framework, page: str) -> None:
        """Give ``table`` the row notes, then the notes no row points to (``table_notes``, then the
        "at least one of" rules placed under the table): numbered ones continue the row notes'
        numbers, an unnumbered one is printed "Note:", and so is a placed rule that is the only note."""
        texts = list(self.texts)
        labels = [f"Note {i}" for i in range(1, len(texts) + 1)]
        numbered = len(texts)
        placed = [(str(render_inline(n.text, fw, page)), n.numbered) for n in extra]
        lone = not texts and not extra and len(self.placed) == 1  # a table's only note is printed "Note:"
        placed += [(text, not lone) for text in self.placed]
        for text, is_numbered in placed:
            texts.append(text)
            if is_numbered:
                numbered += 1
                labels.append(f"Note {numbered}")
            else:
                labels.append("Note")
        table.notes = texts
        table.note_labels = labels


def a(href: str, text: str, title: str = "") -> str:
    t = f' title="{html.escape(title)}"' if title else ""
    return f'<a href="{html.escape(href)}"{t}>{plain_text.inline(text)}</a>'


def or_list(items: list[str], word: str = "or") -> str:
    """'A or B', 'A, B, or C': IHE writes the serial comma."""
    if len(items) <= 2:
        return f" {word} ".join(items)
    return ", ".join(items[:-1]) + f", {word} " + items[-1]


def spanned(rows: list[list[Cell]], column: int = 0) -> list[list[Cell]]:
    """Merge equal consecutive cells of ``column`` into one spanning cell."""
    start = 0
    while start < len(rows):
        end = start + 1
        while end < len(rows) and rows[end][column].html == rows[start][column].html:
            rows[end][column].covered = True
            end += 1
        rows[start][column].rowspan = end - start
        start = end
    return rows


def _headings(fw: Framework, profile: Profile, key: str, count: int | None = None) -> list[str]:
    configured = fw.domains[profile.domain].publishing.get("table_headings", {}).get(key)
    chosen = configured or DEFAULT_HEADINGS[key]
    return [h.replace("{acronym}", profile.acronym) for h in chosen][: count or None]


def role_word(fw: Framework, profile: Profile, tx_id: str, actor_id: str) -> str:
    """'Initiator', 'Responder' or 'Initiator and Responder': the actor's roles in this profile."""
    return " and ".join(r.capitalize() for r in bindings.roles_in_profile(fw, profile, actor_id, tx_id)) or DASH


def actor_link(fw: Framework, actor_id: str, page: str) -> str:
    actor = fw.actors[actor_id]
    return a(site_paths.url_link(page, site_paths.actor_page(actor.domain, actor_id)), actor.name)


def transaction_link(fw: Framework, tx_id: str, page: str, text: str | None = None) -> str:
    tx = fw.transactions[tx_id]
    return a(site_paths.url_link(page, site_paths.transaction_page(tx.domain, tx_id)), text or tx.label)


def profile_link(fw: Framework, acronym: str, page: str, text: str | None = None) -> str:
    p = fw.profiles[acronym]
    return a(site_paths.url_link(page, site_paths.profile_page(p.domain, acronym)), text or acronym, f"{p.name} ({p.acronym})")


def option_link(fw: Framework, profile: Profile, option_id: str, page: str) -> str:
    option = profile.option(option_id)
    href = site_paths.url_link(page, site_paths.profile_page(profile.domain, profile.acronym), f"option-{option_id}")
    return a(href, option.name)


def actors_and_transactions(fw: Framework, profile: Profile, page: str) -> Table:
    settings = fw.domains[profile.domain].publishing
    columns = settings.get("actors_and_transactions_columns", DEFAULT_COLUMNS)
    configured = settings.get("table_headings", {}).get("actors_and_transactions")
    headings = configured or [dict(zip(DEFAULT_COLUMNS, DEFAULT_HEADINGS["actors_and_transactions"]))[c] for c in columns]
    section = numbering.profile_section(profile, numbering.ACTORS)
    table = Table(
        "actors-and-transactions",
        numbering.table_number(section),
        f"{profile.acronym} Profile - Actors and Transactions",
        headings,
    )
    notes = _Notes()
    for pa in profile.actors:
        actor_cell = actor_link(fw, pa.actor, page)
        at_least = _at_least_one_notes(fw, profile, pa, notes, page)
        rows = []
        for use in pa.transactions:
            marks = list(at_least.get(use.transaction, []))
            if use.optionality == "C" and use.condition:
                marks.append(notes.number(f"Conditional: {plain_text.inline(use.condition)}"))
            if use.note:
                marks.append(notes.number(render_inline(use.note, fw, page)))
            tx = fw.transactions[use.transaction]
            values = {
                "actor": actor_cell,
                "transaction": transaction_link(fw, use.transaction, page),
                "role": role_word(fw, profile, use.transaction, pa.actor),
                "optionality": use.optionality + notes.mark(marks),
                "reference": references_html(fw, use.reference, page)
                if use.reference
                else a(site_paths.url_link(page, site_paths.transaction_page(tx.domain, tx.id)), numbering.transaction_ref(tx)),
            }
            rows.append([Cell(values[c]) for c in columns])
        for cu in pa.content_modules:
            module = fw.content_modules[cu.module]
            marks = []
            if cu.note:
                marks.append(notes.number(render_inline(cu.note, fw, page)))
            href = site_paths.url_link(page, site_paths.content_page(module.domain, module.id))
            values = {
                "actor": actor_cell,
                "transaction": a(href, f"{module.name} (content module)"),
                "role": DASH,
                "optionality": cu.optionality + notes.mark(marks),
                "reference": references_html(fw, cu.reference, page, (profile, "")) if cu.reference else a(href, numbering.content_ref(module)),
            }
            rows.append([Cell(values[c]) for c in columns])
        rows.extend(_requirement_rows(fw, pa, actor_cell, columns, notes, page))
        if not rows:
            rows.append([Cell(actor_cell if c == "actor" else DASH) for c in columns])
        table.rows.extend(rows)
    if "actor" in columns:
        spanned(table.rows, columns.index("actor"))
    notes.finish(table, profile.table_notes.get("actors_and_transactions", []), fw, page)
    return table


def _requirement_rows(fw: Framework, pa: ProfileActor, actor_cell: str, columns: list[str], notes: _Notes, page: str) -> list[list[Cell]]:
    """Rows for what the actor does without a transaction ("R" with a reference, not "–")."""
    rows = []
    for req in pa.requirements:
        marks = []
        if req.optionality == "C" and req.condition:
            marks.append(notes.number(f"Conditional: {plain_text.inline(req.condition)}"))
        if req.note:
            marks.append(notes.number(render_inline(req.note, fw, page)))
        values = {
            "actor": actor_cell,
            "transaction": str(render_inline(req.text, fw, page)),
            "role": DASH,
            "optionality": (req.optionality or DASH) + notes.mark(marks),
            "reference": references_html(fw, req.reference, page) if req.reference else DASH,
        }
        rows.append([Cell(values[c]) for c in columns])
    return rows


def _at_least_one_notes(fw: Framework, profile: Profile, pa: ProfileActor, notes: _Notes, page: str) -> dict[str, list[int]]:
    """Note numbers for each transaction that is part of an 'at least one of' set."""
    marks: dict[str, list[int]] = {}
    for group in pa.at_least_one_of:
        if not group.transactions:
            continue
        names = [transaction_link(fw, t, page) for t in group.transactions]
        text = f"The {sharing_actors(fw, profile, group, 'transactions')} shall implement at least one of {or_list(names)}."
        if group.note:  # str(): a Markup on the right would escape the links on the left
            text += " " + str(render_inline(group.note, fw, page))
        if group.placement == "table":
            notes.place(text)
            continue
        n = notes.number(text)
        for t in group.transactions:
            marks.setdefault(t, []).append(n)
    return marks


def sharing_actors(fw: Framework, profile: Profile, group, kind: str) -> str:
    """'Secure Node and the Secure Application': every actor of the profile with the same set and
    note. IHE publishes one such rule as one note for all the actors it binds (ATNA's STX note,
    XDS.b's feed note), so the same set is one note, not one per actor."""
    key = (frozenset(getattr(group, kind)), group.note)
    names = [
        plain_text.inline(fw.actors[pa.actor].name)
        for pa in profile.actors
        if any(getattr(g, kind) and (frozenset(getattr(g, kind)), g.note) == key for g in pa.at_least_one_of)
    ]
    return or_list([names[0]] + [f"the {n}" for n in names[1:]], "and")


def actor_options(fw: Framework, profile: Profile, page: str) -> Table:
    section = numbering.profile_section(profile, numbering.OPTIONS)
    table = Table("actor-options", numbering.table_number(section), f"{profile.acronym} - Actors and Options", _headings(fw, profile, "actor_options"))
    notes = _Notes()
    for pa in profile.actors:
        actor_name = plain_text.inline(fw.actors[pa.actor].name)
        actor_cell = actor_link(fw, pa.actor, page)
        option_marks: dict[str, list[int]] = {}
        for group in pa.at_least_one_of:
            if group.options:
                names = [plain_text.inline(profile.option(o).name) for o in group.options]
                text = f"The {sharing_actors(fw, profile, group, 'options')} shall support at least one of the {or_list(names)} Options."
                if group.note:
                    text += " " + str(render_inline(group.note, fw, page))
                if group.placement == "table":
                    notes.place(text)
                    continue
                n = notes.number(text)
                for o in group.options:
                    option_marks.setdefault(o, []).append(n)
        rows = []
        for claim in pa.options:
            option = profile.option(claim.option)
            marks = list(option_marks.get(option.id, []))
            if claim.required:
                marks.append(notes.number(f"The {actor_name} shall implement the {plain_text.inline(option.name)} Option."))
            for req in option.requires:
                marks.append(notes.number(f"The {plain_text.inline(option.name)} Option requires the {plain_text.inline(profile.option(req).name)} Option."))
            for effect in option.adds:
                marks.append(notes.number(option_effect_note(fw, option, effect, page)))
            if claim.note:
                marks.append(notes.number(render_inline(claim.note, fw, page)))
            label = option_link(fw, profile, option.id, page)
            if option.status in ("retired", "deprecated"):
                label += f" ({option.status.capitalize()})"
            ref = numbering.volume_ref(profile.domain, 1, numbering.option_section(profile, option.id))
            href = site_paths.url_link(page, site_paths.profile_page(profile.domain, profile.acronym), f"option-{option.id}")
            explicit = claim.reference or option.reference  # the actor's own row first, then the option's
            ref_cell = references_html(fw, explicit, page, (profile, f"option-{option.id}")) if explicit else a(href, ref)
            values = [actor_cell, label + notes.mark(marks), ref_cell]
            rows.append([Cell(v) for v in values])
        if not rows:
            rows.append([Cell(actor_cell), Cell("No options defined"), Cell(DASH)])
        table.rows.extend(r[: len(table.headings)] for r in rows)
    spanned(table.rows)
    notes.finish(table, profile.table_notes.get("actor_options", []), fw, page)
    return table


OPTIONALITY_WORDS = {"R": "required", "O": "optional", "C": "conditional"}


def option_effect_note(fw: Framework, option, effect, page: str) -> str:
    """'With the On-Demand Documents Option, Register [ITI-42] is required for the Document Registry.'"""
    return (
        f"With the {plain_text.inline(option.name)} Option, {transaction_link(fw, effect.transaction, page)} is "
        f"{OPTIONALITY_WORDS[effect.optionality]} for the {plain_text.inline(fw.actors[effect.actor].name)}."
    )


def option_effect_html(fw: Framework, effect, page: str) -> str:
    """'Register [ITI-42] to Document Registry (R)', as the option section lists it."""
    return f"{transaction_link(fw, effect.transaction, page)} to {actor_link(fw, effect.actor, page)} ({effect.optionality})"


def grouping_targets_html(fw: Framework, targets: list[GroupingTarget], page: str, external: list[ExternalTarget] = ()) -> str:
    """'ATNA / Secure Node or Secure Application', as IHE writes alternatives; ``external`` ones
    (profiles outside the tree) follow as 'RAD SWF / Order Placer', without a link."""
    by_profile: dict[str, list[GroupingTarget]] = {}
    for t in targets:
        by_profile.setdefault(t.profile, []).append(t)
    parts = []
    for acronym, group in by_profile.items():
        actors = or_list([actor_link(fw, t.actor, page) for t in group])
        text = f"{profile_link(fw, acronym, page)} / {actors}"
        options = list(dict.fromkeys(o for t in group for o in t.options))
        if options:
            target_profile = fw.profiles[acronym]
            names = [option_link(fw, target_profile, o, page) for o in options]
            text += f" / {or_list(names, 'and')} Option" + ("s" if len(names) > 1 else "")
        parts.append(text)
    for t in external:
        # "RAD SWF / Order Placer"; an actor published without a profile as "PCC Content Consumer"
        text = f"{plain_text.inline(t.domain)} {plain_text.inline(t.profile)} / " if t.profile else f"{plain_text.inline(t.domain)} "
        text += str(plain_text.inline(t.actor))  # str: a Markup on the right would escape the links on the left
        if t.options:
            names = [str(plain_text.inline(o)) for o in t.options]
            text += f" / {or_list(names, 'and')} Option" + ("s" if len(names) > 1 else "")
        parts.append(text)
    return or_list(parts)


def grouping_condition_html(fw: Framework, profile: Profile, g: Grouping, page: str) -> str:
    parts = ["Optional"] if g.kind == "optional" else []  # a MAY grouping, as IHE prints it in this column
    if g.when_option:
        parts.append(f"{option_link(fw, profile, g.when_option, page)} Option")
    if g.condition:
        parts.append(plain_text.inline(g.condition))
    return "; ".join(parts) or DASH


def required_groupings(fw: Framework, profile: Profile, page: str) -> Table:
    section = numbering.profile_section(profile, numbering.GROUPINGS)
    headings = _headings(fw, profile, "required_groupings")
    with_bindings = any(g.content_bindings for g in profile.groupings)
    if with_bindings and len(headings) == 4:
        headings = headings + ["Content Bindings Reference"]
    table = Table("required-groupings", numbering.table_number(section), f"{profile.acronym} - Required Actor Groupings", headings)
    condition_column = len(headings) != 3  # _fit drops it from a 3-column heading
    notes = _Notes()
    for pa in profile.actors:
        actor_cell = actor_link(fw, pa.actor, page)
        rows = []
        for g in profile.groupings_of(pa.actor):
            marks = []
            if g.kind == "recommended":
                marks.append(notes.number("Recommended grouping: it SHOULD be supported; it is not required."))
            if g.note:
                marks.append(notes.number(render_inline(g.note, fw, page)))
            refs = sorted({t.profile for t in g.targets}, key=lambda acr: fw.profiles[acr].chapter)
            ref = ", ".join(
                [a(site_paths.url_link(page, site_paths.profile_page(fw.profiles[acr].domain, acr)), numbering.profile_ref(fw.profiles[acr])) for acr in refs]
                + [plain_text.inline(r) for r in dict.fromkeys(t.citation for t in g.external)]  # cited as published, no link
            )
            if g.reference:
                ref = references_html(fw, g.reference, page, (profile, "required-groupings"))
            condition = grouping_condition_html(fw, profile, g, page)
            grouped_with = grouping_targets_html(fw, g.targets, page, g.external)
            if not condition_column and condition != DASH:
                grouped_with += f" ({condition})"  # no Grouping Condition column: the condition goes with its grouping
            values = [actor_cell, condition, grouped_with + notes.mark(marks), ref]
            if with_bindings:
                values.append(plain_text.inline(g.content_bindings) or DASH)
            rows.append([Cell(v) for v in values])
        if not rows:
            values = [actor_cell, DASH, "None", DASH] + ([DASH] if with_bindings else [])
            rows.append([Cell(v) for v in values])
        table.rows.extend(rows)
    _fit(table)
    spanned(table.rows)
    notes.finish(table, profile.table_notes.get("required_groupings", []), fw, page)
    return table


def _fit(table: Table) -> None:
    """A framework may configure fewer columns (no 'Grouping Condition'): drop the ones not asked for."""
    if len(table.headings) >= len(table.rows[0]) if table.rows else True:
        return
    if len(table.headings) == 3:  # Actor | grouped with | Reference
        for row in table.rows:
            del row[1]
