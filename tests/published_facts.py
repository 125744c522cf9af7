"""Published IHE Volume 1 facts and the rendered tables, read into the same comparable form.

The facts are tf/*.json (Technical Framework chapters) and ig/*/facts.json (implementation
guides; ig-more/ has the same form), described in ../shared/ihe-reference/README.md and
tests/reference/README.md. The rendered side is what generator/render/tables.py builds for a
profile: the cells a reader sees, not the model, so a fact the model holds but the page does
not show (a reference, a note mark, a condition) still fails.

Both sides are reduced to tuples that keep the facts (actor, transaction, optionality letter,
how many notes a row points to, references, grouping targets with alternatives, options,
condition) and drop only presentation: note numbering (numbers follow first use, as IHE's
template numbers them), link markup, spacing of citations, "Section 14.4.1" for "ITI TF-1: 14.4.1".
Every other difference between a published cell and the model is named below (ERRATA,
PLACEHOLDER_NOTES, STATED_PROFILES), each with a test that it is still needed.

Import it from any facts test (tests/test_example_specs.py; ig-more profiles the same way).
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
REFERENCE = REPO_ROOT.parent / "shared" / "ihe-reference"
LOCAL_REFERENCE = REPO_ROOT / "tests" / "reference"
TABLE_KEYS = ("actors_and_transactions", "actor_options", "required_groupings")

NOTE = re.compile(r"\s*\((?:see\s+)?Notes?\s*[\d,\s]*\)")
MARK = re.compile(r"\((?:see\s+)?Notes?\s*([\d,\s]+)\)")
NO_OPTIONS = {"", "none", "no options defined"}
EMPTY_CELLS = {"", "-", "--", "- -", "\u2013", "n/a", "none"}
CONTENT_ROW = "(content module)"
# A note rule the rendered table must carry where the published note states it.
RULES = {"at least one": re.compile(r"at least one of|one or more of", re.I), "requires": re.compile(r"\brequires?\b|depends on", re.I)}

# Published errata, applied only where the facts contradict themselves; each has a test that it
# is still needed (tests/test_example_specs.py::test_each_erratum_is_still_needed).
# (profile, table, actor, cell) -> the value the rest of the published framework gives.
ERRATA = {
    # BPPC's grouping table names an XDR "Document Consumer"; XDR's own table (tf/XDR.json) has
    # no such actor: the XDR actor that receives documents is the Document Recipient.
    ("BPPC", "required_groupings", "XDR", "Document Consumer"): "Document Recipient",
    # PAM cites "ITI TF-2: 3.304.1" for the Supplier's Merge Option (no section 3.304 exists:
    # ITI-304 is no transaction); the Consumer's Merge row cites the section, 3.30.4.1.
    ("PAM", "actor_options", "Patient Demographics Supplier", "Merge"): "ITI TF-2: 3.30.4.1",
}
# Notes published only to keep a numbering ("Note 3: Intentionally left blank."): no fact to render.
PLACEHOLDER_NOTES = re.compile(r"^Note\s*\d*\s*:\s*Intentionally left blank\.?$", re.I)
# In prose, "XDS" names the XDS.b profile (XDW 30.3).
STATED_PROFILES = {"XDS": "XDS.b"}


def name(text: str) -> str:
    """A published or modelled name, without note marks and with one form of '/' and spaces."""
    text = NOTE.sub("", text)
    text = re.sub(r"\s*/\s*", "/", text)
    return re.sub(r"\s+", " ", text).strip()


def marks(text: str) -> list[int]:
    """The note numbers a cell points to: "O (Note 1,2)" -> [1, 2], "(see Note 1)" -> [1]."""
    return [int(n) for m in MARK.finditer(text) for n in re.findall(r"\d+", m.group(1))]


def plain(html: str) -> str:
    """A rendered cell as plain text: tags dropped (a line break is a space), entities decoded."""
    text = re.sub(r"<br\s*/?>", " ", str(html))
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", text))).strip()


CITATION = re.compile(r"\b([A-Z][A-Za-z0-9]*)\s+TF-(\d[a-z]?)\s*:\s*([0-9A-Z](?:[0-9A-Za-z.\-]*[0-9A-Za-z])?)")
SECTION = re.compile(r"^Section\s+(\d[\d.]*\d|\d)$")  # "Section 14.4.1": the chapter's own Volume 1
IG_SECTION = re.compile(r"^(\d):(\d[\d.]*\d)$")  # "1:38.2.1", as implementation guides cite Volume 1
IG_CITATION = re.compile(r"(?<![\w.])(\d):(\d+(?:\.\d+)*)")


def citations(cell: str, domain: str = "ITI") -> tuple[str, ...]:
    """The citations of a Reference cell, each as 'ITI TF-1: 7.1'; an empty mark is ()."""
    cell = re.sub(r"\s+", " ", cell).strip()
    if cell.lower() in EMPTY_CELLS:
        return ()
    if m := SECTION.match(cell):
        return (f"{domain} TF-1: {m.group(1)}",)
    if m := IG_SECTION.match(cell):
        return (f"{domain} TF-{m.group(1)}: {m.group(2)}",)
    found = tuple(f"{d} TF-{v}: {s}" for d, v, s in CITATION.findall(cell))
    if not found:  # "1:50.1.1.1 Document Registry": an implementation guide's section with its title
        found = tuple(f"{domain} TF-{v}: {s}" for v, s in IG_CITATION.findall(cell))
    return found or (cell,)  # not a citation ("PCC QEDm"): compared as written


@dataclass(frozen=True)
class NoteFacts:
    """The notes under one table: how many, which actors each marks, which carry a rule."""

    count: int
    unnumbered: int  # printed "Note:" (or with no label at all)
    marked: Counter  # Counter of frozenset(actor names) for each note some row points to
    rules: frozenset  # (rule, frozenset(actors) or None when no row points to the note)


def _note_facts(texts: list[str], labels: list[str], rows: list[tuple[str, list[int]]]) -> NoteFacts:
    actors: dict[int, set[str]] = {}
    for actor, numbers in rows:
        for n in numbers:
            actors.setdefault(n, set()).add(actor)
    rules = set()
    for number, (text, label) in enumerate(zip(texts, labels), start=1):
        for rule, pattern in RULES.items():
            if pattern.search(text):
                rules.add((rule, frozenset(actors[number]) if number in actors else None))
    return NoteFacts(
        len(texts),
        sum(1 for label in labels if not re.search(r"\d", label)),
        Counter(frozenset(a) for a in actors.values()),
        frozenset(rules),
    )


class Facts:
    """The Volume 1 tables of one published profile (tf/*.json or ig/*/facts.json), as comparable sets."""

    def __init__(self, path: Path):
        self.path = path
        data = json.loads(path.read_text(encoding="utf-8"))
        self.data = data
        self.ig = path.name == "facts.json"
        self.acronym = data["profile_acronym"] if self.ig else data["acronym"]
        self.profile_name = data["profile_name"]
        self.chapter = int(data["tf_chapter"] if self.ig else data["chapter"])
        self.domain = "ITI"
        self.tables = {key: data.get(key) for key in TABLE_KEYS}
        self.statements = {key: data.get(f"{key}_statement") for key in TABLE_KEYS}
        self.statement = self.statements["required_groupings"]
        self.not_available = bool(data.get("not_available"))

    def __repr__(self) -> str:
        return f"Facts({self.acronym})"

    def rows(self, table: str) -> list[dict]:
        return (self.tables[table] or {}).get("rows", [])

    def has_column(self, table: str, column: str) -> bool:
        return (self.tables[table] or {}).get("columns_present", {}).get(column, True)

    def _actor_rows(self, table: str):
        """(actor, row) with an empty actor cell continuing the previous actor, as published."""
        actor = ""
        for row in self.rows(table):
            actor = name(row["actor"]) or actor
            yield actor, row

    def _erratum(self, table: str, actor: str, cell: str) -> str:
        return ERRATA.get((self.acronym, table, actor, cell), cell)

    # ----------------------------------------------------------------- compared with the model

    def transactions(self) -> set[tuple[str, str, str]]:
        return {(actor, tx, letter) for actor, tx, letter, _, _ in self.transaction_rows()}

    def options(self) -> set[tuple[str, str]]:
        return {(actor, option) for actor, option, _ in self.option_rows() if option}

    def groupings(self) -> set[tuple]:
        return {(actor, targets, options) for actor, targets, options, _, _ in self.grouping_rows()}

    # ----------------------------------------------------------------- compared with the rendered tables

    def transaction_rows(self) -> set[tuple]:
        """(actor, transaction id or CONTENT_ROW, R/O/C, note marks on the row, citations)."""
        with_refs = self.has_column("actors_and_transactions", "reference")
        rows = set()
        for actor, row in self._actor_rows("actors_and_transactions"):
            letter = re.match(r"\s*([ROC])\b|\s*(-*|\u2013)\s*$", row["optionality"])  # "--": a row without a transaction
            assert letter, f"{self.path}: unreadable optionality {row['optionality']!r}"
            ref = row.get("section_reference", row.get("reference", ""))
            rows.add((
                actor,
                row["transaction_id"] or CONTENT_ROW,
                letter.group(1) or "\u2013",
                len(marks(row["optionality"]) + marks(row["transaction"])),
                citations(ref, self.domain) if with_refs else None,
            ))
        return rows

    def option_rows(self) -> set[tuple]:
        """(actor, option name or '' for "No options defined", citations)."""
        with_refs = self.has_column("actor_options", "reference")
        rows = set()
        for actor, row in self._actor_rows("actor_options"):
            cell = name(row["option"])
            if cell.lower() in NO_OPTIONS:
                rows.add((actor, "", () if with_refs else None))
                continue
            for option in cell.split(", "):
                option = re.sub(r"\s+Option$", "", option.strip())
                ref = self._erratum("actor_options", actor, option) if (self.acronym, "actor_options", actor, option) in ERRATA else row["reference"]
                rows.add((actor, option, citations(ref, self.domain) if with_refs else None))
        return rows

    def grouping_rows(self) -> set[tuple]:
        """(actor, frozenset((profile, actor)) of alternatives, frozenset(options), condition, citations)."""
        if self.tables["required_groupings"] is None:
            return self._stated_groupings()
        table = self.tables["required_groupings"]
        # A note saying one of several groupings will do makes the rows it marks one grouping with
        # alternatives: "One or more of ..." (BPPC), "shall be grouped with A, or B, or both" (PAM).
        either = re.compile(r"Note\s*(\d+)\s*: (?:One or more of|.*shall be grouped with .*, or )")
        either_notes = {m.group(1) for note in table.get("notes", []) if (m := either.match(note))}
        with_refs = self.has_column("required_groupings", "reference")
        single: set[tuple] = set()
        alternatives: dict[tuple[str, str], list] = {}
        for actor, row in self._actor_rows("required_groupings"):
            cell = row["grouped_with"]
            if name(cell).lower() in EMPTY_CELLS:
                continue
            targets, options = self._targets(cell)
            condition = row.get("grouping_condition", "")
            condition = "" if condition.strip().lower() in EMPTY_CELLS else re.sub(r"\s+", " ", condition).strip()
            refs = citations(row["reference"], self.domain) if with_refs else None
            note = re.search(r"\(Note (\d+)\)", cell) or re.search(r"\(Note (\d+)\)", row["actor"])
            if note and note.group(1) in either_notes:  # rows of one actor under that note are one grouping
                merged = alternatives.setdefault((actor, note.group(1)), [set(), set(), condition, set()])
                merged[0].update(targets)
                merged[3].update(refs or ())
            else:
                single.add((actor, frozenset(targets), frozenset(options), condition, frozenset(refs) if refs is not None else None))
        for (actor, _), (targets, options, condition, refs) in alternatives.items():
            single.add((actor, frozenset(targets), frozenset(options), condition, frozenset(refs) if with_refs else None))
        return single

    def _stated_groupings(self) -> set[tuple]:
        """Groupings published as a statement (XDW 30.3), as read into its ``rows``; no references."""
        rows = set()
        for row in (self.statement or {}).get("rows", []):
            profile, actor = (part.strip() for part in row["grouped_with"].split(" / "))
            target = (STATED_PROFILES.get(profile, profile), name(actor))
            rows.add((name(row["actor"]), frozenset({target}), frozenset(row["options"]), row.get("condition", ""), None))
        return rows

    def _targets(self, cell: str) -> tuple[set[tuple[str, str]], set[str]]:
        parts = [part.strip() for part in NOTE.sub("", cell).split(" / ")]
        assert len(parts) in (2, 3), f"{self.path}: unreadable grouping {cell!r}"
        profile, actors = parts[0], parts[1]
        options: set[str] = set()
        if len(parts) == 3:  # "XDS.b / Document Source / A, B, and C Options"
            listed = re.sub(r"\s+Options?$", "", parts[2])
            options = {o.strip() for o in re.split(r",\s*(?:and\s+)?|\s+and\s+", listed) if o.strip()}
        if profile == "Consistent Time":
            profile = "CT"
        names = [name(a) for a in re.split(r"\s+or\s+", actors)]
        if profile == "CT":  # "CT / Consistent Time" means CT's Time Client
            names = ["Time Client" if n == "Consistent Time" else n for n in names]
        names = [self._erratum("required_groupings", profile, n) for n in names]
        return {(profile, n) for n in names}, options

    def notes(self, table: str) -> NoteFacts:
        texts = [n for n in (self.tables[table] or {}).get("notes", []) if not PLACEHOLDER_NOTES.match(n.strip())]
        labels = [(re.match(r"^(Note\s*\d*)\s*:", t) or re.match(r"()", t)).group(1) for t in texts]
        # The published numbers stand: renumber the marks to the notes' positions once placeholders are gone.
        numbers = {int(m.group(1)): i for i, t in enumerate(texts, start=1) if (m := re.match(r"^Note\s*(\d+)", t))}
        rows = []
        for actor, row in self._actor_rows(table):
            found = [numbers[n] for cell in row["cells"] for n in marks(cell) if n in numbers]
            rows.append((actor, found))
        return _note_facts(texts, labels, rows)


def fact_files() -> list[Path]:
    """The shared chapters and implementation guides (tf/, ig/), sorted."""
    if not REFERENCE.is_dir():
        return []
    return sorted(REFERENCE.glob("tf/*.json")) + sorted(REFERENCE.glob("ig/*/facts.json"))


def local_fact_files() -> list[Path]:
    """The chapters recorded under tests/reference/tf, without those the HTML does not publish (RMD)."""
    return [path for path in sorted(LOCAL_REFERENCE.glob("tf/*.json")) if not Facts(path).not_available]


def case_id(value) -> str:
    if isinstance(value, Path):
        return value.parent.name.removeprefix("ITI.") if value.name == "facts.json" else value.stem
    return str(value)


# --------------------------------------------------------------------------- the rendered side

PAGE = "volume-1/x.md"
ANCHOR = re.compile(r'<a href="([^"]*)"( title="[^"]*")?>(.*?)</a>', re.S)


class Rendered:
    """The three Volume 1 tables generator/render/tables.py builds for one profile, read like Facts."""

    def __init__(self, fw, profile):
        from generator.render import tables

        self.fw, self.profile = fw, profile
        self.domain = profile.domain
        self.tables = {
            "actors_and_transactions": tables.actors_and_transactions(fw, profile, PAGE),
            "actor_options": tables.actor_options(fw, profile, PAGE),
            "required_groupings": tables.required_groupings(fw, profile, PAGE),
        }

    def _actor_rows(self, table: str):
        actor = ""
        for cells in self.tables[table].rows:
            actor = name(plain(cells[0].html)) if not cells[0].covered else actor
            yield actor, cells

    def _column(self, table: str, *words: str) -> int | None:
        headings = [h.lower() for h in self.tables[table].headings]
        return next((i for i, h in enumerate(headings) if any(w in h for w in words)), None)

    def transaction_rows(self, with_refs: bool = True) -> set[tuple]:
        t = self._column("actors_and_transactions", "transaction", "content")
        o = self._column("actors_and_transactions", "optionality")
        r = self._column("actors_and_transactions", "reference", "section")
        rows = set()
        for actor, cells in self._actor_rows("actors_and_transactions"):
            tx_text, opt = plain(cells[t].html), plain(cells[o].html)
            tx = re.search(r"\[([A-Z][A-Z0-9]*-\d+)\]", tx_text)
            tx_id = tx.group(1) if tx else (CONTENT_ROW if tx_text.endswith("(content module)") else name(tx_text))
            refs = citations(plain(cells[r].html), self.domain) if with_refs and r is not None else None
            rows.add((actor, tx_id, opt[0], len(marks(opt) + marks(tx_text)), refs))
        return rows

    def option_rows(self, with_refs: bool = True) -> set[tuple]:
        rows = set()
        for actor, cells in self._actor_rows("actor_options"):
            option = name(plain(cells[1].html))
            option = "" if option.lower() in NO_OPTIONS else re.sub(r"\s+\((Retired|Deprecated)\)$", "", option)
            refs = citations(plain(cells[2].html), self.domain) if with_refs and len(cells) > 2 else None
            rows.add((actor, option, refs))
        return rows

    def grouping_rows(self, with_refs: bool = True) -> set[tuple]:
        table = self.tables["required_groupings"]
        c = self._column("required_groupings", "condition")
        g = self._column("required_groupings", "grouped with")
        r = self._column("required_groupings", "reference")
        rows = set()
        for actor, cells in self._actor_rows("required_groupings"):
            if name(plain(cells[g].html)).lower() == "none":
                continue
            targets, options = grouping_targets(cells[g].html)
            condition = plain(cells[c].html) if c is not None else ""
            condition = "" if condition.lower() in EMPTY_CELLS else condition
            refs = frozenset(citations(plain(cells[r].html), self.domain)) if with_refs else None
            rows.add((actor, targets, options, condition, refs))
        assert table.rows or not self.profile.groupings
        return rows

    def notes(self, table: str) -> NoteFacts:
        t = self.tables[table]
        labelled = t.labelled_notes
        rows = [(actor, [n for cell in cells[1:] for n in marks(plain(cell.html))]) for actor, cells in self._actor_rows(table)]
        return _note_facts([plain(h) for _, h in labelled], [label for label, _ in labelled], rows)


def grouping_targets(cell_html: str) -> tuple[frozenset, frozenset]:
    """(profile acronym, actor name) alternatives and option names of a rendered grouped-with cell.

    The cell is a run of links: a profile (it has a title), then its actors, then its options
    (links to "#option-..."); an external target is plain "RAD SWF / Order Placer" text."""
    targets, options, profile = set(), set(), None
    for href, title, text in ANCHOR.findall(str(cell_html)):
        text = plain(text)
        if title:
            profile = text
        elif "#option-" in href:
            options.add(text)
        else:
            targets.add((profile, name(text)))
    return frozenset(targets), frozenset(options)


def shown(row) -> str:
    """One compared row, for a failure message."""
    def cell(value) -> str:
        if isinstance(value, frozenset):
            return "{" + ", ".join(sorted(" / ".join(v) if isinstance(v, tuple) else str(v) for v in value)) + "}"
        if isinstance(value, tuple):
            return "[" + "; ".join(value) + "]"
        return str(value)

    return " | ".join(cell(v) for v in row)
