"""The example framework in specs/: clean, editor-ready, and true to the published IHE facts.

The reference facts live outside the repository, in ../shared/ihe-reference/ (see
its README.md): ten profiles' Volume 1 tables from the ITI Technical Framework
(tf/*.json) and three implementation guides (ig/*/facts.json). They are ground
truth; when the example specs disagree, the comparison fails and prints the rows
that differ.

What IHE publishes is the volumes together with their open supplements (PDQm is a
Trial Implementation supplement; the published XDS.b tables include what the
On-Demand Documents supplement added), so the facts are compared with the
framework as published: the base specs with every open supplement applied.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import REPO_ROOT, SCHEMA_DIR, kind_of, run_cli, show
from example import EXAMPLE, EXAMPLE_SPECS

from generator.model import Framework, Profile
from generator.supplements import framework_with_supplements
from generator.validate import validate

SPECS = EXAMPLE_SPECS
REFERENCE = REPO_ROOT.parent / "shared" / "ihe-reference"
# Four more published chapters (PAM, RFD, XDW, RMD), recorded with the tests: tests/reference/README.md.
LOCAL_REFERENCE = REPO_ROOT / "tests" / "reference"
SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)\s*$")


# --------------------------------------------------------------------------- the example validates

@pytest.fixture(scope="module")
def example():
    return validate(SPECS)


@pytest.fixture(scope="module")
def published():
    """The framework as published: the base with its open supplements applied."""
    return framework_with_supplements(SPECS)


def test_example_validates_with_no_problems_at_all(example):
    assert example.problems == [], f"{len(example.problems)} problem(s) in specs/:\n{show(example.problems)}"
    assert example.framework.profiles


def test_tfpub_validate_specs_exits_0():
    done = run_cli("validate", "specs", cwd=EXAMPLE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no problems" in done.stderr


def yaml_files() -> list[Path]:
    return sorted(SPECS.rglob("*.yaml")) if SPECS.is_dir() else []


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: p.relative_to(SPECS).as_posix())
def test_spec_file_starts_with_a_schema_line_that_resolves(path):
    first = path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
    match = SCHEMA_LINE.match(first)
    assert match, f"{path.relative_to(EXAMPLE)}: first line should be '# yaml-language-server: $schema=...', is {first!r}"
    target = (path.parent / match.group(1)).resolve()
    assert target.is_file(), f"{path.relative_to(EXAMPLE)}: schema {match.group(1)} does not exist ({target})"
    assert target.parent == SCHEMA_DIR.resolve(), f"{path.relative_to(EXAMPLE)}: schema is not one of generator/schemas"
    kind = kind_of(path.relative_to(SPECS).as_posix())
    if kind:
        assert target.name == f"{kind}.schema.json", f"{path.relative_to(EXAMPLE)} is a {kind} file but names {target.name}"


# --------------------------------------------------------------------------- reading the published facts

NOTE = re.compile(r"\s*\(Notes?\s*[\d,\s]*\)")
NO_OPTIONS = {"", "none", "no options defined"}
CONTENT_ROW = "(content module)"
# Published errata, applied only where the facts contradict themselves. BPPC's grouping table
# names an XDR "Document Consumer", but XDR's own actor table (tf/XDR.json) has no such actor;
# the XDR actor that receives documents is the Document Recipient.
ERRATA = {("BPPC", "XDR", "Document Consumer"): "Document Recipient"}


def name(text: str) -> str:
    """A published or modelled name, without note marks and with one form of '/' and spaces."""
    text = NOTE.sub("", text)
    text = re.sub(r"\s*/\s*", "/", text)
    return re.sub(r"\s+", " ", text).strip()


class Facts:
    """The three Volume 1 tables of one published profile, as comparable sets."""

    def __init__(self, path: Path):
        self.path = path
        data = json.loads(path.read_text(encoding="utf-8"))
        self.ig = path.name == "facts.json"
        self.acronym = data["profile_acronym"] if self.ig else data["acronym"]
        self.profile_name = data["profile_name"]
        self.chapter = int(data["tf_chapter"] if self.ig else data["chapter"])
        self.tables = {key: data.get(key) for key in ("actors_and_transactions", "actor_options", "required_groupings")}
        self.statement = data.get("required_groupings_statement")
        self.not_available = bool(data.get("not_available"))

    def rows(self, table: str) -> list[dict]:
        return (self.tables[table] or {}).get("rows", [])

    def transactions(self) -> set[tuple[str, str, str]]:
        rows, actor = set(), ""
        for row in self.rows("actors_and_transactions"):
            actor = name(row["actor"]) or actor  # an empty actor cell continues the previous actor
            letter = re.match(r"\s*([ROC])\b", row["optionality"])
            assert letter, f"{self.path}: unreadable optionality {row['optionality']!r}"
            rows.add((actor, row["transaction_id"] or CONTENT_ROW, letter.group(1)))
        return rows

    def options(self) -> set[tuple[str, str]]:
        pairs, actor = set(), ""
        for row in self.rows("actor_options"):
            actor = name(row["actor"]) or actor
            cell = name(row["option"])
            if cell.lower() in NO_OPTIONS:
                continue
            pairs.update((actor, re.sub(r"\s+Option$", "", option.strip())) for option in cell.split(", "))
        return pairs

    def groupings(self) -> set[tuple]:
        if self.tables["required_groupings"] is None and (self.statement or {}).get("rows"):
            return self._stated_groupings()
        table = self.tables["required_groupings"] or {}
        # A note saying one of several groupings will do makes the rows it marks one grouping with
        # alternatives: "One or more of ..." (BPPC), "shall be grouped with A, or B, or both" (PAM).
        either = re.compile(r"Note\s*(\d+)\s*: (?:One or more of|.*shall be grouped with .*, or )")
        either_notes = {m.group(1) for note in table.get("notes", []) if (m := either.match(note))}
        single: set[tuple] = set()
        alternatives: dict[tuple[str, str], set] = {}
        actor = ""
        for row in self.rows("required_groupings"):
            actor = name(row["actor"]) or actor
            cell = row["grouped_with"]
            if name(cell).lower() in ("none", "", "-", "--"):
                continue
            targets, options = self._targets(cell)
            note = re.search(r"\(Note (\d+)\)", cell) or re.search(r"\(Note (\d+)\)", row["actor"])
            if note and note.group(1) in either_notes:  # rows of one actor under that note are one grouping
                alternatives.setdefault((actor, note.group(1)), set()).update(targets)
            else:
                single.add((actor, frozenset(targets), frozenset(options)))
        single.update((actor, frozenset(targets), frozenset()) for (actor, _), targets in alternatives.items())
        return single

    # In prose, "XDS" names the XDS.b profile (XDW 30.3).
    STATED_PROFILES = {"XDS": "XDS.b"}

    def _stated_groupings(self) -> set[tuple]:
        """Groupings published as a statement (XDW 30.3), as read into its ``rows``."""
        rows = set()
        for row in self.statement["rows"]:
            profile, actor = (part.strip() for part in row["grouped_with"].split(" / "))
            target = (self.STATED_PROFILES.get(profile, profile), name(actor))
            rows.add((name(row["actor"]), frozenset({target}), frozenset(row["options"])))
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
        names = [ERRATA.get((self.acronym, profile, n), n) for n in names]
        return {(profile, n) for n in names}, options


def fact_files() -> list[Path]:
    if not REFERENCE.is_dir():
        return []
    return sorted(REFERENCE.glob("tf/*.json")) + sorted(REFERENCE.glob("ig/*/facts.json"))


def local_fact_files() -> list[Path]:
    """The chapters recorded under tests/reference/tf, without those the HTML does not publish (RMD)."""
    return [path for path in sorted(LOCAL_REFERENCE.glob("tf/*.json")) if not Facts(path).not_available]


# --------------------------------------------------------------------------- reading the model the same way

def actor_name(fw: Framework, actor_id: str) -> str:
    actor = fw.actors.get(actor_id)
    return name(actor.name) if actor else f"<unknown actor {actor_id}>"


def model_transactions(fw: Framework, p: Profile) -> set[tuple[str, str, str]]:
    rows = set()
    for pa in p.actors:
        rows.update((actor_name(fw, pa.actor), use.transaction, use.optionality) for use in pa.transactions)
        rows.update((actor_name(fw, pa.actor), CONTENT_ROW, use.optionality) for use in pa.content_modules)
    return rows


def model_options(fw: Framework, p: Profile) -> set[tuple[str, str]]:
    pairs = set()
    for pa in p.actors:
        for claim in pa.options:
            option = p.option(claim.option)
            pairs.add((actor_name(fw, pa.actor), name(option.name) if option else f"<unknown option {claim.option}>"))
    return pairs


def model_groupings(fw: Framework, p: Profile) -> set[tuple]:
    groupings = set()
    for g in p.groupings:
        if g.kind != "required":
            continue
        targets, options = set(), set()
        for t in g.targets:
            target = fw.profiles.get(t.profile)
            targets.add((t.profile, actor_name(fw, t.actor)))
            for oid in t.options:
                option = target.option(oid) if target else None
                options.add(option.name if option else oid)
        groupings.add((actor_name(fw, g.actor), frozenset(targets), frozenset(options)))
    return groupings


# --------------------------------------------------------------------------- comparing

def shown(row) -> str:
    if len(row) == 3 and isinstance(row[1], frozenset):
        actor, targets, options = row
        text = f"{actor} -> " + " | ".join(f"{p} / {a}" for p, a in sorted(targets))
        return text + (f"  [options: {', '.join(sorted(options))}]" if options else "")
    return " | ".join(str(cell) for cell in row)


def assert_same(what: str, published: set, model: set) -> None:
    missing, extra = published - model, model - published
    if missing or extra:
        lines = [f"{what}: the example specs differ from the published facts"]
        lines += [f"  - published, missing from specs: {shown(row)}" for row in sorted(missing, key=shown)]
        lines += [f"  + in specs, not published:       {shown(row)}" for row in sorted(extra, key=shown)]
        pytest.fail("\n".join(lines), pytrace=False)


TABLES = ["profile", "actors-and-transactions", "actor-options", "required-groupings"]
CASES = [(path, table) for path in fact_files() for table in TABLES] or [(None, None)]
CASES += [(path, table) for path in local_fact_files() for table in TABLES]


def case_id(value) -> str:
    if isinstance(value, Path):
        return value.parent.name if value.name == "facts.json" else value.stem
    return str(value)


def test_reference_facts_are_complete():
    if not REFERENCE.is_dir():
        pytest.skip(f"reference facts not found at {REFERENCE}")
    assert len(list(REFERENCE.glob("tf/*.json"))) == 10
    assert len(list(REFERENCE.glob("ig/*/facts.json"))) == 3


def test_every_published_profile_is_in_the_published_framework(published):
    if not REFERENCE.is_dir():
        pytest.skip(f"reference facts not found at {REFERENCE}")
    acronyms = {Facts(path).acronym for path in fact_files()}
    assert len(acronyms) == 13
    assert acronyms <= set(published.profiles), sorted(acronyms - set(published.profiles))


@pytest.mark.parametrize("path, table", CASES, ids=case_id)
def test_example_matches_the_published_facts(published, path, table):
    if path is None:
        pytest.skip(f"reference facts not found at {REFERENCE}; they live beside the repository, in shared/ihe-reference")
    facts = Facts(path)
    fw = published
    profile = fw.profiles.get(facts.acronym)
    assert profile is not None, f"profile {facts.acronym} ({facts.profile_name}) is not in the example specs or their open supplements"
    label = f"{facts.acronym} {table.replace('-', ' ')}"
    if table == "profile":
        assert_same(label, {(facts.profile_name, facts.chapter)}, {(profile.name, profile.chapter)})
    elif table == "actors-and-transactions":
        assert_same(label, facts.transactions(), model_transactions(fw, profile))
    elif table == "actor-options":
        assert_same(label, facts.options(), model_options(fw, profile))
    else:
        assert_same(label, facts.groupings(), model_groupings(fw, profile))


# --------------------------------------------------------------------------- the reading of the facts itself

def test_reading_of_published_cells():
    """The normalisations the comparison relies on, on cells as published."""
    facts = Facts.__new__(Facts)
    facts.path, facts.acronym = Path("x"), "BPPC"
    assert name("Secure Node (Note 1) (Note 4)") == "Secure Node"
    assert name("Integrated Document Source / Repository") == "Integrated Document Source/Repository"
    assert facts._targets("CT / Consistent Time") == ({("CT", "Time Client")}, set())
    assert facts._targets("Consistent Time / Time Client") == ({("CT", "Time Client")}, set())
    assert facts._targets("ATNA / Secure Node or Secure Application") == ({("ATNA", "Secure Node"), ("ATNA", "Secure Application")}, set())
    assert facts._targets("XDR / Document Consumer (Note 1)") == ({("XDR", "Document Recipient")}, set())
    assert facts._targets(
        "XDS.b / Document Source / Document Replacement, Document Addendum, Document Transformation, and Folder Management Options"
    ) == (
        {("XDS.b", "Document Source")},
        {"Document Replacement", "Document Addendum", "Document Transformation", "Folder Management"},
    )


def test_the_erratum_is_still_needed():
    """Drop an ERRATA entry once the facts agree with themselves."""
    xdr = REFERENCE / "tf" / "XDR.json"
    if not xdr.is_file():
        pytest.skip(f"reference facts not found at {REFERENCE}")
    xdr_actors = {name(row["actor"]) for row in Facts(xdr).rows("actors_and_transactions")}
    for (_, profile, wrong), right in ERRATA.items():
        assert profile == "XDR"
        assert wrong not in xdr_actors and right in xdr_actors


# --------------------------------------------------------------------------- the four chapters of tests/reference

def test_local_reference_facts_are_complete():
    files = {path.stem: Facts(path) for path in sorted(LOCAL_REFERENCE.glob("tf/*.json"))}
    assert sorted(files) == ["PAM", "RFD", "RMD", "XDW"]
    assert {acr: f.chapter for acr, f in files.items()} == {"PAM": 14, "RFD": 17, "XDW": 30, "RMD": 44}


def test_rmd_is_not_published_in_the_html_framework(published):
    """RMD's chapter 44 and its ITI-62/ITI-86 pages only point to the Trial Implementation PDF.

    With no published tables, the example does not model RMD (its actors and optionality would be
    invented); chapter 44 stays free for it. Record the tables and drop this test when they are read.
    """
    rmd = Facts(LOCAL_REFERENCE / "tf" / "RMD.json")
    assert rmd.not_available and all(table is None for table in rmd.tables.values())
    assert "RMD" not in published.profiles
    assert 44 not in {p.chapter for p in published.profiles.values()}


def test_published_chapters_are_unique(published):
    chapters = [p.chapter for p in published.profiles.values()]
    assert len(chapters) == len(set(chapters)), sorted(chapters)


def text(html: str) -> str:
    """A rendered cell or note as plain text, with one form of spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", str(html))).replace("&amp;", "&").strip()


def reference(cell: str) -> str:
    """A published or rendered reference with one form of spacing; an empty mark is ''."""
    cell = re.sub(r"TF-(\d)\s*:\s*", r"TF-\1: ", cell.strip())
    return "" if cell in ("--", "- -", "\u2013", "") else cell


def rendered(fw: Framework, profile: Profile, table: str):
    from generator.render import tables

    build = {"actors_and_transactions": tables.actors_and_transactions, "actor_options": tables.actor_options, "required_groupings": tables.required_groupings}
    return build[table](fw, profile, "volume-1/x.md")


# Published facts of these chapters that today's format cannot state: each check fails until the
# feature lands and the example states the fact with it (then the xfail turns into a failure: drop it).
# The list, with what the example states instead, is tests/reference/GAPS.md.
TABLE_NOTES = "i12-tables: table-level notes (a note under a table that no row or several rows point to)"
EXPLICIT_REFS = "i12-tables: explicit references (Volume 2 sections, several sections, a grouping's section)"
STATEMENTS = "i12-tables: statements in place of a table (groupings published as prose)"
GAPS = {
    ("PAM", "option-references"): EXPLICIT_REFS,
    ("RFD", "option-references"): EXPLICIT_REFS,
    ("PAM", "grouping-references"): EXPLICIT_REFS,
    ("PAM", "actor_options-notes"): TABLE_NOTES,
    ("XDW", "actor_options-notes"): TABLE_NOTES,
    ("XDW", "groupings-statement"): STATEMENTS,
}
LOCAL = ["PAM", "RFD", "XDW"]


def gap_cases(checks: list[str]) -> list:
    cases = []
    for acronym in LOCAL:
        for check in checks:
            reason = GAPS.get((acronym, check))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(acronym, check, marks=marks, id=f"{acronym}-{check}"))
    return cases


def local(acronym: str) -> Facts:
    return Facts(LOCAL_REFERENCE / "tf" / f"{acronym}.json")


@pytest.mark.parametrize("acronym, check", gap_cases(["option-references"]))
def test_each_published_option_reference_is_reproduced(published, acronym, check):
    facts, profile = local(acronym), published.profiles[acronym]
    want, actor = set(), ""
    for row in facts.rows("actor_options"):
        actor = name(row["actor"]) or actor
        if name(row["option"]).lower() not in NO_OPTIONS:
            want.add((actor, re.sub(r"\s+Option$", "", name(row["option"])), reference(row["reference"])))
    got, actor = set(), ""
    for cells in rendered(published, profile, "actor_options").rows:
        actor = text(cells[0].html) if not cells[0].covered else actor
        option = name(text(cells[1].html))
        if option.lower() not in NO_OPTIONS:
            got.add((actor, option, reference(text(cells[2].html))))
    assert_same(f"{acronym} option references", want, got)


@pytest.mark.parametrize("acronym, check", gap_cases(["grouping-references"]))
def test_each_published_grouping_reference_is_reproduced(published, acronym, check):
    facts, profile = local(acronym), published.profiles[acronym]
    if facts.tables["required_groupings"] is None:
        pytest.skip(f"{acronym} publishes its groupings as a statement")
    want = {(name(r["actor"]), reference(r["reference"])) for r in facts.rows("required_groupings")}
    got, actor = set(), ""
    for cells in rendered(published, profile, "required_groupings").rows:
        actor = text(cells[0].html) if not cells[0].covered else actor
        got.add((actor, reference(text(cells[-1].html))))
    assert_same(f"{acronym} grouping references", want, got)


@pytest.mark.parametrize("acronym, check", gap_cases(["actors_and_transactions-notes", "actor_options-notes", "required_groupings-notes"]))
def test_each_published_table_has_as_many_notes(published, acronym, check):
    table = check.removesuffix("-notes")
    facts, profile = local(acronym), published.profiles[acronym]
    if facts.tables[table] is None:
        pytest.skip(f"{acronym} publishes no {table} table")
    want = len(facts.tables[table]["notes"])
    got = len(rendered(published, profile, table).notes)
    assert got == want, f"{acronym} {table}: {want} published note(s), {got} rendered"


@pytest.mark.parametrize("acronym, check", gap_cases(["groupings-statement"]))
def test_groupings_published_as_a_statement_are_not_a_table(published, acronym, check):
    facts, profile = local(acronym), published.profiles[acronym]
    if facts.tables["required_groupings"] is not None:
        pytest.skip(f"{acronym} publishes a groupings table")
    assert not rendered(published, profile, "required_groupings").rows, f"{acronym} groupings are published as a statement, rendered as a table"
