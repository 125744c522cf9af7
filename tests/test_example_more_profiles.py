"""The five implementation guides of ig-more (PCF, Scheduling, MHDS, sIPS, mXDE), stated exactly.

Each ``../shared/ihe-reference/ig-more/ITI.*/facts.json`` is compared with the example as
published (the base specs with their open supplements): every published row of the three
Volume 1 tables (actor, transaction, role, optionality with its note, option with its
reference, grouping target with its alternatives, options, condition and reference), every
table note, every statement printed in place of (or beside) a table, each transaction's
actor roles and each sequence diagram's messages in order (from, to, label), arrow style and
interaction groups. The tables are compared as rendered (``generator/render/tables.py``),
the statements as the profile page prints them.

What the facts say differently from how the example (as the IHE template) prints them is
normalised once, here, and named: the IG citation style ("Section 1:50.2.1" is ITI TF-1:
50.2.1), "Required" in a Grouping Condition cell (no condition), "-"/"--"/"none" for an empty
cell, the message number in a diagram label. Published errata are named one by one in
ERRATA, each with a test that it is still needed. What the format cannot state is a strict
xfail in GAPS with its reason (tests/reference/GAPS.md, section "ig-more").
"""

from __future__ import annotations

import json
import re

import pytest
from example import EXAMPLE_SPECS
from lxml import html as lxml_html
from published_facts import REFERENCE, name
from test_example_specs import assert_same

from generator.diagrams.from_model import transaction_diagram
from generator.model import Framework, Profile, bindings
from generator.render import tables, views
from generator.supplements import framework_with_supplements


def text(html: str) -> str:
    """A rendered cell or note as plain text, with one form of spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", str(html))).replace("&amp;", "&").strip()


def reference(cell: str) -> str:
    """A published or rendered reference with one form of spacing; an empty mark is ''."""
    cell = re.sub(r"TF-(\d)\s*:\s*", r"TF-\1: ", cell.strip())
    return "" if cell in ("--", "- -", "\u2013", "") else cell


def rendered(fw: Framework, profile, table: str):
    build = {"actors_and_transactions": tables.actors_and_transactions, "actor_options": tables.actor_options, "required_groupings": tables.required_groupings}
    return build[table](fw, profile, "volume-1/x.md")


MORE = REFERENCE / "ig-more"
GUIDES = {"ITI.PCF": "PCF", "ITI.Scheduling": "Scheduling", "ITI.MHDS": "MHDS", "ITI.sIPS": "sIPS", "ITI.mXDE": "mXDE"}
TABLE_KEYS = ("actors_and_transactions", "actor_options", "required_groupings")
PAGE = "ITI/volume-1/x.md"
pytestmark = pytest.mark.skipif(not MORE.is_dir(), reason=f"reference facts not found at {MORE}")


@pytest.fixture(scope="module")
def published() -> Framework:
    return framework_with_supplements(EXAMPLE_SPECS)


def facts(guide: str) -> dict:
    return json.loads((MORE / guide / "facts.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- errata, one by one

# Published errata: the facts contradict themselves (or the framework they cite); the example
# states the right value, and the comparison reads the published one through this table.
ERRATA = {
    # Volume 1 names ITI-115 "Find Appointments" on the Scheduling Server row; its page, its
    # diagram and the client row say "Find Potential Appointments".
    ("Scheduling", "transaction", "Find Appointments"): "Find Potential Appointments",
    # Volume 1 names ITI-118 "Find Existing Appointment"; its page title says "Appointments".
    ("Scheduling", "transaction", "Find Existing Appointment"): "Find Existing Appointments",
    # The ITI-117 and ITI-118 pages' Actor Roles tables shorten the actor names.
    ("Scheduling", "role-actor", "Client"): "Scheduling Client",
    ("Scheduling", "role-actor", "Server"): "Scheduling Server",
    # MHDS groupings: the option is "Uncontained Reference" in its own options table.
    ("MHDS", "condition", "UnContained References Option"): "Uncontained Reference Option",
    # MHDS groupings: "with the The IUA Authorization Server Metadata Option" (a doubled article and
    # the profile's name inside the option's): IUA's option is Authorization Server Metadata.
    ("MHDS", "option", "The IUA Authorization Server Metadata"): "Authorization Server Metadata",
    # MHDS groupings: ATNA's option is "STX: TLS 1.2 Floor using BCP195" (tf/ATNA.json).
    ("MHDS", "option", "STX: TLS 1.2 with the BCP195"): "STX: TLS 1.2 Floor using BCP195",
}


def erratum(acronym: str, kind: str, value: str) -> str:
    return ERRATA.get((acronym, kind, value), value)


# --------------------------------------------------------------------------- gaps: strict xfails

GAPS = {
    ("MHDS", "grouping-options"): (
        "ATNA 'ATX: FHIR Feed Option' is not an option of the example's ATNA (tf/ATNA.json, Revision 20 tables, has none), "
        "and an in-tree profile cannot be cited as external"
    ),
}


def cases(checks: list[str]) -> list:
    out = []
    for guide, acronym in GUIDES.items():
        for check in checks:
            reason = GAPS.get((acronym, check))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(guide, check, marks=marks, id=f"{acronym}-{check}"))
    return out


# --------------------------------------------------------------------------- normalising cells

EMPTY = {"", "-", "--", "- -", "\u2013", "none", "(none)"}
NOTE_MARK = re.compile(r"\s*\(Notes?\s*([\d,\s]+)\)")


def empty(cell: str) -> str:
    """'' for a cell that states nothing ("-", "--", "–", "none")."""
    return "" if cell.strip().lower() in EMPTY else cell.strip()


def citation(cell: str) -> str:
    """A published reference in the IG style ("Section 1:50.2.1", "1:50.1.1.1 Document Registry") as
    the framework cites it (ITI TF-1: 50.2.1); a TF citation with one form of spacing."""
    cell = empty(cell)
    ig = re.match(r"^(?:Section\s+)?([1-4]):(\d[\d.]*)\b", cell)
    if ig:
        return f"ITI TF-{ig.group(1)}: {ig.group(2)}"
    return reference(cell)


def marks(cell: str) -> tuple[str, list[int]]:
    """A cell without its note marks, and the note numbers it points to."""
    numbers = [int(n) for m in NOTE_MARK.finditer(cell) for n in re.split(r"[,\s]+", m.group(1)) if n]
    return NOTE_MARK.sub("", cell).strip(), numbers


def published_notes(table: dict) -> dict[int, str]:
    out = {}
    for note in table.get("notes", []):
        m = re.match(r"Note\s*(\d+)\s*:\s*(.*)", note)
        assert m, note
        out[int(m.group(1))] = sentence(m.group(2))
    return out


def sentence(note: str) -> str:
    """A note's words: one form of spaces, no final full stop (MHDS prints its note without one)."""
    return re.sub(r"\s+", " ", note).strip().rstrip(".")


def rendered_notes(table) -> dict[int, str]:
    return {int(label.split()[1]): sentence(text(html)) for label, html in table.labelled_notes if label != "Note"}


def noted(cell_text: str, notes: dict[int, str]) -> tuple[str, tuple[str, ...]]:
    value, numbers = marks(cell_text)
    return value, tuple(notes[n] for n in numbers)


def tx_id(cell_text: str) -> str:
    m = re.search(r"\[([A-Z]+-\d+)\]", cell_text)
    return m.group(1) if m else ""


# --------------------------------------------------------------------------- profile and reference files

def test_every_ig_more_guide_is_in_the_example(published):
    assert sorted(p.name for p in MORE.glob("*/facts.json") for p in [p.parent]) == sorted(GUIDES)
    for guide, acronym in GUIDES.items():
        f = facts(guide)
        p = published.profiles.get(acronym)
        assert p is not None, f"{acronym} is not in the example"
        assert (f["profile_acronym"], f["profile_name"], int(f["tf_chapter"])) == (p.acronym, p.name, p.chapter)


# --------------------------------------------------------------------------- X.1 actors and transactions

def _published_actor_rows(f: dict, acronym: str) -> set[tuple]:
    table = f["actors_and_transactions"]
    notes = published_notes(table)
    rows = set()
    for r in table["rows"]:
        optionality, note_texts = noted(r["optionality"], notes)
        what = "" if r["transaction_id"] else empty(r["transaction"])  # a row without a transaction: its words
        rows.add((name(r["actor"]), r["transaction_id"], what, empty(r["initiator_or_responder"]).lower(), empty(optionality), note_texts, citation(r["reference"])))
    return rows


def _rendered_actor_rows(fw: Framework, p: Profile) -> set[tuple]:
    table = rendered(fw, p, "actors_and_transactions")
    notes = rendered_notes(table)
    rows, actor = set(), ""
    for cells in table.rows:
        actor = text(cells[0].html) if not cells[0].covered else actor
        optionality, note_texts = noted(text(cells[3].html), notes)
        tx = tx_id(text(cells[1].html))
        what = "" if tx else empty(text(cells[1].html))
        rows.add((actor, tx, what, empty(text(cells[2].html)).lower(), empty(optionality), note_texts, citation(text(cells[4].html))))
    return rows


@pytest.mark.parametrize("guide, check", cases(["actors-and-transactions"]))
def test_each_published_actor_row_is_reproduced(published, guide, check):
    f, p = facts(guide), published.profiles[GUIDES[guide]]
    if f["actors_and_transactions"] is None:
        assert _page(published, p)["actors_table"] is None, f"{p.acronym} lists its actors in prose, rendered as a table"
        assert f["actors_and_transactions_statement"], "no table and no statement"
        return
    assert_same(f"{p.acronym} actors and transactions", _published_actor_rows(f, p.acronym), _rendered_actor_rows(published, p))


def test_each_published_transaction_name_is_the_transactions(published):
    """The Transactions cells name each transaction as its Volume 2 page does (errata aside)."""
    checked = 0
    for guide, acronym in GUIDES.items():
        f = facts(guide)
        pages = {t["transaction_id"]: t["name"] for t in f["transactions"]}
        for r in (f["actors_and_transactions"] or {}).get("rows", []):
            if not r["transaction_id"]:
                continue
            cell = re.sub(r"\s*\[[A-Z]+-\d+\]$", "", r["transaction"])
            tx = published.transactions[r["transaction_id"]]
            assert erratum(acronym, "transaction", cell) == tx.name == pages[tx.id], (acronym, r["transaction"])
            checked += 1
    assert checked == 11


# --------------------------------------------------------------------------- X.2 options

def _option_rows(rows, notes, *, with_reference: bool) -> set[tuple]:
    out = set()
    for actor, cell, ref in rows:
        option, note_texts = noted(cell, notes)
        option = re.sub(r"\s+Option$", "", option)
        if option.lower() in ("none", "no options defined"):
            option, note_texts = "", ()
        out.add((actor, option, note_texts, citation(ref) if with_reference and option else ""))
    return out


@pytest.mark.parametrize("guide, check", cases(["actor-options"]))
def test_each_published_option_row_is_reproduced(published, guide, check):
    f, p = facts(guide), published.profiles[GUIDES[guide]]
    table = rendered(published, p, "actor_options")
    if f["actor_options"] is None:
        assert _page(published, p)["options_table"] is None, f"{p.acronym} states its options in prose, rendered as a table"
        assert not p.options
        return
    with_reference = f["actor_options"]["columns_present"]["reference"]
    want = _option_rows(((name(r["actor"]), r["option"], r["reference"]) for r in f["actor_options"]["rows"]), published_notes(f["actor_options"]), with_reference=with_reference)
    got, actor, rows = set(), "", []
    for cells in table.rows:
        actor = text(cells[0].html) if not cells[0].covered else actor
        rows.append((actor, text(cells[1].html), text(cells[2].html)))
    got = _option_rows(rows, rendered_notes(table), with_reference=with_reference)
    # A published table may leave out an actor without options (sIPS: Content Creator); the IHE
    # template prints it with "No options defined": the same fact.
    named = {a for a, *_ in want}
    got = {row for row in got if row[1] or row[0] in named}
    assert_same(f"{p.acronym} actor options", want, got)


# --------------------------------------------------------------------------- X.3 groupings

def _targets(cell: str, acronym: str, domain: str) -> tuple[str, frozenset, frozenset]:
    """(profile, actors, options) of a grouped-with cell, published ("P / A or B with the X Option and
    the Y Option") or rendered ("P / A or B / X and Y Options"; outside the tree "ITI PMIR / A")."""
    cell = NOTE_MARK.sub("", cell).strip()
    head, _, tail = cell.partition(" with the ")
    options = [o for o in re.split(r"\s+and the\s+", tail) if o] if tail else []
    parts = [part.strip() for part in head.split(" / ")]
    if len(parts) == 3:  # rendered options
        options = re.split(r",\s*(?:and\s+)?|\s+and\s+", re.sub(r"\s+Options?$", "", parts[2]))
    options = [erratum(acronym, "option", re.sub(r"\s+Option$", "", o.strip())) for o in options]
    if len(parts) == 1:  # "PCC Content Consumer": an actor cited without a profile
        return "", frozenset({parts[0]}), frozenset(options)
    profile = parts[0].removeprefix(f"{domain} ")  # an external target of this domain is printed with it
    return profile, frozenset(name(a) for a in re.split(r"\s+or\s+", parts[1])), frozenset(options)


def _condition(cell: str, acronym: str) -> str:
    cell = empty(cell)
    if cell.lower() == "required":
        return ""
    return erratum(acronym, "condition", re.sub(r"^if the\s+", "", cell))


def _published_groupings(f: dict, p: Profile) -> list[tuple]:
    rows = []
    for r in f["required_groupings"]["rows"]:
        profile, actors, options = _targets(r["grouped_with"], p.acronym, p.domain)
        rows.append((name(r["actor"]), _condition(r["grouping_condition"], p.acronym), profile, actors, options, citation(r["reference"])))
    return rows


def _rendered_groupings(fw: Framework, p: Profile) -> list[tuple]:
    table = rendered(fw, p, "required_groupings")
    rows, actor = [], ""
    for cells in table.rows:
        actor = text(cells[0].html) if not cells[0].covered else actor
        if text(cells[2].html) == "None":
            continue
        profile, actors, options = _targets(text(cells[2].html), p.acronym, p.domain)
        rows.append((actor, _condition(text(cells[1].html), p.acronym), profile, actors, options, citation(text(cells[3].html))))
    return rows


@pytest.mark.parametrize("guide, check", cases(["groupings", "grouping-options"]))
def test_each_published_grouping_row_is_reproduced(published, guide, check):
    f, p = facts(guide), published.profiles[GUIDES[guide]]
    if f["required_groupings"] is None:
        assert _page(published, p)["groupings_table"] is None, f"{p.acronym} states its groupings in prose, rendered as a table"
        assert f["required_groupings_statement"], "no table and no statement"
        return
    want, got = _published_groupings(f, p), _rendered_groupings(published, p)
    if check == "groupings":  # actor, condition, target with its alternatives, reference
        assert_same(f"{p.acronym} groupings", {r[:4] + r[5:] for r in want}, {r[:4] + r[5:] for r in got})
    else:  # the options the grouped actor shall support, on the rows that name some
        assert_same(f"{p.acronym} grouping options", {r[:5] for r in want if r[4]}, {r[:5] for r in got if r[4]})


def test_groupings_stated_in_prose_are_the_modelled_ones(published):
    """PCF states its groupings in prose (1:53.3); the groupings the example models behind the
    statement (for the actor diagram, the indexes and the actor pages) are those the prose names."""
    f, p = facts("ITI.PCF"), published.profiles["PCF"]
    prose: dict[str, str] = {}
    actor = ""
    for item in f["required_groupings_statement"]["text"]:
        heading = re.match(r"1:53\.3\.\d+ (.+)$", item)
        if heading:
            actor = heading.group(1)
        elif actor:
            prose[actor] = prose.get(actor, "") + " " + item
    modelled = 0
    for g in p.groupings:
        said = prose[published.actors[g.actor].name]
        for t in g.targets:
            assert f"{t.profile} {published.actors[t.actor].name}" in said, (g.actor, t)
            modelled += 1
        for e in g.external:
            assert f"{e.profile}: {e.actor}" in said or f"{e.profile} {e.actor}" in said, (g.actor, e)
            modelled += 1
    assert modelled == 10 and set(prose) == {published.actors[pa.actor].name for pa in p.actors}


# --------------------------------------------------------------------------- table notes

@pytest.mark.parametrize("guide, check", cases(["notes"]))
def test_each_published_table_note_is_reproduced(published, guide, check):
    f, p = facts(guide), published.profiles[GUIDES[guide]]
    compared = 0
    for key in TABLE_KEYS:
        if f[key] is None:
            continue
        table = rendered(published, p, key)
        want = [(n, sentence(t)) for n, t in sorted(published_notes(f[key]).items())]
        got = [(label, sentence(text(html))) for label, html in table.labelled_notes]
        assert got == [(f"Note {n}", t) for n, t in want], f"{p.acronym} {key}"
        compared += len(want)
    assert compared == {"PCF": 2, "MHDS": 1}.get(p.acronym, 0)


# --------------------------------------------------------------------------- statements

def _page(fw: Framework, p: Profile) -> dict:
    return views.profile_page(fw, p).context


def _blocks(html: str) -> list[str]:
    """The paragraphs and list items of a rendered statement, in order, as text (a table printed
    in it, with its caption and notes, is an additional table: see below)."""
    if not html.strip():
        return []
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    blocks = [" ".join(e.text_content().split()) for e in root.iter("p", "li") if not e.xpath("ancestor::table")]
    if root.xpath(".//table"):
        blocks = [b for b in blocks if not re.match(r"(Table \d|Note \d+:)", b)]
    return blocks


def _tables(html: str) -> list[dict]:
    """Each table printed in a statement: its caption (the bold paragraph before it), headings,
    rows as cells, and the notes after it."""
    if not html.strip():
        return []
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    out = []
    for table in root.iter("table"):
        before = table.getprevious()
        after, notes = table.getnext(), []
        while after is not None and re.match(r"Note \d+:", after.text_content().strip()):
            notes.append(" ".join(after.text_content().split()))
            after = after.getnext()
        out.append({
            "title": " ".join(before.text_content().split()) if before is not None else "",
            "header": [" ".join(c.text_content().split()) for c in table.iter("th")],
            "rows": [[" ".join(c.text_content().split()) for c in tr.iter("td")] for tr in table.iter("tr") if tr.find("td") is not None],
            "notes": notes,
        })
    return out


@pytest.mark.parametrize("guide, check", cases(["statements"]))
def test_each_published_statement_is_reproduced(published, guide, check):
    f, p = facts(guide), published.profiles[GUIDES[guide]]
    context = _page(published, p)
    tables = {"actors_and_transactions": "actors_table", "actor_options": "options_table", "required_groupings": "groupings_table"}
    for key in TABLE_KEYS:
        stated = f[f"{key}_statement"]
        got = _blocks(str(context["statements"][key])) + _blocks(str(context["statements_after"][key]))
        if stated is None:
            assert got == [], f"{p.acronym} {key}: a statement that is not published"
            continue
        assert got == [" ".join(t.split()) for t in stated["text"]], f"{p.acronym} {key}"
        # the table is printed beside the statement exactly where one is published
        assert (context[tables[key]] is not None) == (f[key] is not None), f"{p.acronym} {key}"


def test_a_statement_published_below_its_table_is_printed_below_it(published):
    """MHDS: the grouped actors are listed below Table 1:50.1-1, whose only row says "listed below"."""
    from generator.render import pages

    p = published.profiles["MHDS"]
    page = pages.render_page(pages.environment(), views.profile_page(published, p))
    section = page.split("{ #actors-and-transactions}")[1].split("\n### ")[0]
    assert section.index('id="table-actors-and-transactions"') < section.index("The Document Registry is grouped with")


def test_each_additional_published_table_is_reproduced(published):
    """PCF repeats IUA's Actors and Transactions table (1:53.1-2) after its own; IUA is not in the
    tree, so the table is stated as published, in a statement after PCF's table: every cell."""
    f, p = facts("ITI.PCF"), published.profiles["PCF"]
    context = _page(published, p)
    printed = [t for key in TABLE_KEYS for t in _tables(str(context["statements_after"][key]) + str(context["statements"][key]))]
    want = [
        {
            "title": extra["title"].replace("Table 1:", "Table "),  # the framework's numbering style
            "header": extra["header"],
            "rows": [[" ".join(c.split()) for c in r["cells"]] for r in extra["rows"]],
            "notes": extra["notes"],
        }
        for extra in f["additional_tables"]
    ]
    assert printed == want
    assert context["actors_table"] is not None  # after PCF's own table, not instead of it


# --------------------------------------------------------------------------- transactions

def _transactions() -> list:
    out = []
    for guide, acronym in GUIDES.items():
        for t in facts(guide)["transactions"] if (MORE / guide).is_dir() else []:
            out.append(pytest.param(guide, t["transaction_id"], id=f"{acronym}-{t['transaction_id']}"))
    return out or [pytest.param(None, None, id="no-reference")]


def _published_tx(guide: str, tx_id: str) -> dict:
    return next(t for t in facts(guide)["transactions"] if t["transaction_id"] == tx_id)


@pytest.mark.parametrize("guide, tx_id", _transactions())
def test_each_transaction_has_its_published_roles(published, guide, tx_id):
    acronym, t = GUIDES[guide], _published_tx(guide, tx_id)
    tx = published.transactions[tx_id]
    assert tx.name == t["name"]
    want = {erratum(acronym, "role-actor", r["actor"]) for r in t["actor_roles"]["roles"]}
    assert want == {published.actors[r.actor].name for r in bindings.all_roles(published, tx)}
    # and each actor's direction is the one Volume 1 prints for it
    p = published.profiles[acronym]
    for r in facts(guide)["actors_and_transactions"]["rows"]:
        if r["transaction_id"] == tx_id:
            actor = next(a for a in published.actors.values() if a.name == name(r["actor"]))
            assert bindings.roles_in_profile(published, p, actor.id, tx_id) == [r["initiator_or_responder"].lower()]


def _label(tx, label: str) -> tuple[int, str]:
    """(message number, text) of a published diagram label: "1. Name" or "3.108.4.1 Name"."""
    m = re.match(rf"^(?:(\d+)\.|3\.{tx.number}\.4\.(\d+))\s+(.*)$", label)
    assert m, label
    return int(m.group(1) or m.group(2)), m.group(3)


def _message_cases(check: str) -> list:
    out = []
    for param in _transactions():
        guide, tx_id = param.values
        acronym = GUIDES.get(guide, "")
        reason = GAPS.get((acronym, check))
        out.append(pytest.param(guide, tx_id, marks=[pytest.mark.xfail(strict=True, reason=reason)] if reason else [], id=param.id))
    return out


# Each published diagram (participants, senders per message, labels, arrows, groups) is compared
# with the generated PlantUML in tests/test_sequence_facts.py, for these guides as for ig/.


@pytest.mark.parametrize("guide, tx_id", _transactions())
def test_each_published_group_is_an_interaction(published, guide, tx_id):
    tx = published.transactions[tx_id]
    (sd,) = _published_tx(guide, tx_id)["sequence_diagrams"]
    groups = [s for s in sd["structure"] if s["kind"] == "group"]
    want = [(g["label"], sorted({_label(tx, sd["messages"][i][2])[0] for i in g["messages"]})) for g in groups]
    got = [(f"{tx.name} - {i.name} ({tx.id})", [k + 1 for k in i.messages]) for i in tx.interactions]
    assert got == want
    source = transaction_diagram(published, tx).source  # and the diagram draws them, labelled as published, in order
    assert [line.removeprefix("group ") for line in source.splitlines() if line.startswith("group ")] == [label for label, _ in want]


def _headings(guide: str, tx_id: str) -> list[tuple[int, str]]:
    page = (MORE / guide / f"{tx_id}.md").read_text(encoding="utf-8")
    number = tx_id.split("-")[1]
    found = re.findall(rf"^#### 2:3\.{number}\.4\.(\d+) (.+?)\s*$", page, re.MULTILINE)
    return [(int(n), title) for n, title in found]


@pytest.mark.parametrize("guide, tx_id", _message_cases("message-headings"))
def test_each_published_message_heading_is_the_message_name(published, guide, tx_id):
    tx = published.transactions[tx_id]
    assert _headings(guide, tx_id) == [(n, m.name) for n, m in enumerate(tx.messages, start=1)]


# --------------------------------------------------------------------------- the errata are still needed

def test_each_erratum_is_still_needed(published):
    """Drop an ERRATA entry once the facts agree with themselves."""
    sched = facts("ITI.Scheduling")
    cells = {re.sub(r"\s*\[[A-Z]+-\d+\]$", "", r["transaction"]) for r in sched["actors_and_transactions"]["rows"]}
    titles = {t["name"] for t in sched["transactions"]}
    role_actors = {r["actor"] for t in sched["transactions"] for r in t["actor_roles"]["roles"]}
    volume1_actors = {r["actor"] for r in sched["actors_and_transactions"]["rows"]}
    mhds = facts("ITI.MHDS")
    mhds_options = {re.sub(r"\s+Option.*$", "", r["option"]) for r in mhds["actor_options"]["rows"]}
    mhds_cells = " ".join(r["grouping_condition"] + " " + r["grouped_with"] for r in mhds["required_groupings"]["rows"])
    atna = {re.sub(r"\s*\(Note.*", "", r["option"]) for r in json.loads((REFERENCE / "tf" / "ATNA.json").read_text())["actor_options"]["rows"]}
    for (acronym, kind, wrong), right in ERRATA.items():
        if kind == "transaction":
            assert wrong in cells and wrong not in titles and right in titles, wrong
        elif kind == "role-actor":
            assert wrong in role_actors and wrong not in volume1_actors and right in volume1_actors, wrong
        elif kind == "condition":
            assert wrong in mhds_cells and wrong.removesuffix(" Option") not in mhds_options and right.removesuffix(" Option") in mhds_options, wrong
        elif wrong.startswith("STX"):
            assert wrong in mhds_cells and wrong not in atna and right in atna, wrong
        else:
            assert f"the {wrong} Option" in mhds_cells and right in str(facts("ITI.PCF")["required_groupings_statement"]["text"]), wrong
    assert len(ERRATA) == 7


def test_the_normalisations_read_published_cells():
    """The readings the comparisons rely on, on cells as published."""
    assert citation("Section 1:50.2.1") == "ITI TF-1: 50.2.1"
    assert citation("1:50.1.1.1 Document Registry") == "ITI TF-1: 50.1.1.1"
    assert citation("PCC TF-2:3.1") == "PCC TF-2: 3.1" and citation("PCC QEDm") == "PCC QEDm" and citation("-") == ""
    assert marks("R (Note 1)") == ("R", [1])
    assert _condition("Required", "MHDS") == "" and _condition("if the SVCM Validation Option", "MHDS") == "SVCM Validation Option"
    assert _targets("IUA / Resource Server with the The IUA Authorization Server Metadata Option", "MHDS", "ITI") == (
        "IUA", frozenset({"Resource Server"}), frozenset({"Authorization Server Metadata"}),
    )
    assert _targets("ITI IUA / Resource Server / Authorization Server Metadata Option", "MHDS", "ITI") == (
        "IUA", frozenset({"Resource Server"}), frozenset({"Authorization Server Metadata"}),
    )
    assert _targets("PCC QEDm / Clinical Data Source with the Document Provenance Option", "mXDE", "ITI")[0] == "PCC QEDm"
    assert _targets("PCC Content Consumer", "mXDE", "ITI") == ("", frozenset({"PCC Content Consumer"}), frozenset())
    assert _label(type("T", (), {"number": 108})(), "3.108.4.10 Access Consent - Delete - Response") == (10, "Access Consent - Delete - Response")


# --------------------------------------------------------------------------- the format additions these guides needed

DOC = "ITX/profiles/DOC.yaml"
IMG = "RDX/profiles/IMG.yaml"


def _clean(tree) -> Framework:
    from conftest import show

    result = tree.validate()
    assert result.ok and not result.problems, show(result.problems)
    return result.framework


def test_external_targets_without_a_profile_or_a_reference_and_with_options(tree):
    """mXDE cites 'PCC QEDm / Clinical Data Source with the Document Provenance Option' (Reference
    'PCC QEDm') and 'PCC Content Consumer' (PCC TF-2:3.1); MHDS an IUA option. Rows of external
    targets only are distinct rows, not repeats of each other."""
    tree[DOC]["groupings"] = [
        {"actor": "document-source", "with": [{"external": {"domain": "RAD", "profile": "SWF", "actor": "Order Placer", "options": ["Alpha", "Beta"]}}]},
        {"actor": "document-source", "with": [{"external": {"domain": "RAD", "actor": "Image Display", "reference": "RAD TF-2:4.1"}}]},
        {"actor": "document-source", "with": [{"external": {"domain": "RAD", "profile": "SWF", "actor": "Order Filler", "reference": "RAD TF-1: 2"}}]},
        {"actor": "document-recipient", "with": [{"profile": "ATN", "actor": "secure-node"}, {"external": {"domain": "RAD", "actor": "Image Display", "options": ["Gamma"], "reference": "RAD TF-2: 4.1"}}]},
    ]
    fw = _clean(tree)
    table = rendered(fw, fw.profiles["DOC"], "required_groupings")
    mixed = next(r[2].html for r in table.rows if "Gamma" in r[2].html)
    assert "&lt;" not in mixed and mixed.count("<a ") == 2 and text(mixed) == "ATN / Secure Node or RAD Image Display / Gamma Option", mixed
    cells = [(text(r[2].html), text(r[3].html)) for r in table.rows if "document-source" in r[0].html or r[0].covered][:3]
    assert cells == [
        ("RAD SWF / Order Placer / Alpha and Beta Options", "RAD SWF"),
        ("RAD Image Display", "RAD TF-2:4.1"),
        ("RAD SWF / Order Filler", "RAD TF-1: 2"),
    ]


def test_an_external_target_needs_a_profile_or_a_reference(tree):
    tree[DOC]["groupings"] = [{"actor": "document-source", "with": [{"external": {"domain": "RAD", "actor": "Order Placer"}}]}]
    result = tree.validate()
    assert not result.ok
    (problem,) = result.errors
    assert problem.rule == "schema-anyOf" and "profile, its reference, or both" in problem.message, str(problem)


def test_in_tree_options_shared_by_alternatives_are_printed_once(tree):
    tree[DOC]["groupings"] = [
        {"actor": "document-source", "with": [{"profile": "CT", "actor": "time-server", "options": ["secured-ntp"]}, {"profile": "CT", "actor": "time-client", "options": ["secured-ntp"]}]},
    ]
    fw = _clean(tree)
    row = rendered(fw, fw.profiles["DOC"], "required_groupings").rows[0]
    assert text(row[2].html) == "CT / Time Server or Time Client / Secured NTP Option"


def test_transactions_written_empty_state_a_published_none(tree):
    """An actor whose published row says None (PCF Consent Enforcement Point, mXDE, sIPS, MHDS):
    'transactions: []' states it; leaving the key out is still an empty-actor warning."""
    tree[IMG]["actors"][1]["transactions"] = []
    fw = _clean(tree)
    table = rendered(fw, fw.profiles["IMG"], "actors_and_transactions")
    row = next(r for r in table.rows if "Image Archive" in r[0].html)
    assert [text(c.html) for c in row[1:]] == ["\u2013"] * 4
    del tree[IMG]["actors"][1]["transactions"]
    assert [p.rule for p in tree.validate().problems] == ["empty-actor"]


def test_an_optional_grouping_is_printed_optional_and_asks_nothing_of_an_annex(tree):
    """mXDE: Data Element Extractor – "Optional" – PCC Content Consumer (a MAY, neither SHALL nor SHOULD)."""
    from generator.annex.expand import expand
    from generator.annex.selection import Annex, Selected

    tree[IMG]["groupings"].append({"actor": "image-creator", "kind": "optional", "with": [{"profile": "DOC", "actor": "document-source"}]})
    fw = _clean(tree)
    rows = rendered(fw, fw.profiles["IMG"], "required_groupings").rows
    optional = next(r for r in rows if "Document Source" in r[2].html)
    assert text(optional[1].html) == "Optional" and not rendered(fw, fw.profiles["IMG"], "required_groupings").notes
    e = expand(fw, Annex("test", "Test annex", "REQ", [Selected("IMG", "image-creator", [], "SHALL")], minimum_status="trial-implementation"))
    said = [r.text for r in e.requirements]
    assert any("CT Time Client" in s for s in said) and not any("Document Source" in s for s in said), said


def test_a_requirement_row_without_optionality(tree):
    """MHDS: "(none) – transactions supported come from the grouped actors listed below", "--", with
    its reference; a C row still needs its condition."""
    tree[IMG]["actors"][1] = {"actor": "image-archive", "requirements": [{"text": "Stores what its grouped actors receive", "reference": "RDX TF-1: 1.1.1.2"}]}
    fw = _clean(tree)
    table = rendered(fw, fw.profiles["IMG"], "actors_and_transactions")
    row = next(r for r in table.rows if "Image Archive" in r[0].html)
    assert [text(c.html) for c in row[1:]] == ["Stores what its grouped actors receive", "\u2013", "\u2013", "RDX TF-1: 1.1.1.2"]
    tree[IMG]["actors"][1]["requirements"][0]["optionality"] = "C"
    assert [p.rule for p in tree.validate().problems] == ["schema-required"]


def test_an_acronym_ending_in_a_capital_s_is_not_a_plural(tree):
    """MHD and MHDS are two published profiles; 'DOCs' would still be a plural of DOC."""
    tree["ITX/profiles/DOCS.yaml"] = {**tree[DOC], "acronym": "DOCS", "chapter": 70}
    assert "near-duplicate-id" not in {p.rule for p in tree.validate().problems}
    del tree["ITX/profiles/DOCS.yaml"]
    tree["ITX/profiles/DOCs.yaml"] = {**tree[DOC], "acronym": "DOCs", "chapter": 70}
    assert "near-duplicate-id" in {p.rule for p in tree.validate().problems}


def test_a_transaction_page_of_several_interactions_is_walked_once(published):
    """ITI-108's messages name their interaction and the interaction lists its messages: the
    page's figures are still found, once each (the build recursed without end before)."""
    from generator.render.figures import figures_in

    found = [f.key for f in figures_in(views.transaction_page(published, published.transactions["ITI-108"]).context) if isinstance(f, views.Figure)]
    assert found == ["tx-ITI-108"]
