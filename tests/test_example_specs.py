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
            pairs.update((actor, option.strip()) for option in cell.split(", "))
        return pairs

    def groupings(self) -> set[tuple]:
        table = self.tables["required_groupings"] or {}
        either_notes = {m.group(1) for note in table.get("notes", []) if (m := re.match(r"Note (\d+): One or more of", note))}
        single: set[tuple] = set()
        alternatives: dict[tuple[str, str], set] = {}
        actor = ""
        for row in self.rows("required_groupings"):
            actor = name(row["actor"]) or actor
            cell = row["grouped_with"]
            if name(cell).lower() in ("none", "", "-", "--"):
                continue
            targets, options = self._targets(cell)
            note = re.search(r"\(Note (\d+)\)", cell)
            if note and note.group(1) in either_notes:  # rows of one actor under that note are one grouping
                alternatives.setdefault((actor, note.group(1)), set()).update(targets)
            else:
                single.add((actor, frozenset(targets), frozenset(options)))
        single.update((actor, frozenset(targets), frozenset()) for (actor, _), targets in alternatives.items())
        return single

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
            pairs.add((actor_name(fw, pa.actor), option.name if option else f"<unknown option {claim.option}>"))
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
