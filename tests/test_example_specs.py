"""The example framework in specs/: clean, editor-ready, and true to the published IHE facts.

The reference facts live outside the repository, in ../shared/ihe-reference/ (see
its README.md): ten profiles' Volume 1 tables from the ITI Technical Framework
(tf/*.json) and three implementation guides (ig/*/facts.json); three more chapters
(PAM, RFD, XDW; RMD is not published) are recorded in tests/reference/. They are
ground truth: each published row, note and statement is compared with the model and
with the tables the renderer prints (tests/published_facts.py reads both sides), and
a difference fails with the rows that differ.

What IHE publishes is the volumes together with their open supplements (PDQm is a
Trial Implementation supplement; the published XDS.b tables include what the
On-Demand Documents supplement added), so the facts are compared with the
framework as published: the base specs with every open supplement applied.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SCHEMA_DIR, kind_of, run_cli, show
from example import EXAMPLE, EXAMPLE_SPECS
from published_facts import (
    CONTENT_ROW,
    ERRATA,
    LOCAL_REFERENCE,
    PLACEHOLDER_NOTES,
    REFERENCE,
    STATED_PROFILES,
    TABLE_KEYS,
    Facts,
    Rendered,
    case_id,
    citations,
    fact_files,
    grouping_targets,
    local_fact_files,
    marks,
    name,
    plain,
    shown,
)

from generator.model import Framework, Profile
from generator.supplements import framework_with_supplements
from generator.validate import validate

SPECS = EXAMPLE_SPECS
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

def assert_same(what: str, published: set, model: set) -> None:
    missing, extra = published - model, model - published
    if missing or extra:
        lines = [f"{what}: the example specs differ from the published facts"]
        lines += [f"  - published, missing from specs: {shown(row)}" for row in sorted(missing, key=shown)]
        lines += [f"  + in specs, not published:       {shown(row)}" for row in sorted(extra, key=shown)]
        pytest.fail("\n".join(lines), pytrace=False)


ALL_FACTS = fact_files() + local_fact_files()
TABLES = ["profile", "actors-and-transactions", "actor-options", "required-groupings"]
CASES = [(path, table) for path in ALL_FACTS for table in TABLES] or [(None, None)]


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
    """The model (not yet the page) holds each published row."""
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


# --------------------------------------------------------------------------- each published fact, as the page shows it

# Published facts the example cannot reproduce yet, (acronym, check) -> why (tests/reference/GAPS.md).
# Each is a strict xfail: when the example or the renderer catches up, the case passes and must be
# dropped here. None is left: every published row, note and statement is reproduced.
GAPS: dict[tuple[str, str], str] = {}
CHECKS = ["transactions", "options", "groupings"] + [f"notes-{key}" for key in TABLE_KEYS] + ["statements"]


def fact_cases() -> list:
    cases = []
    for path in ALL_FACTS:
        acronym = Facts(path).acronym
        for check in CHECKS:
            reason = GAPS.get((acronym, check))
            marks_ = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(path, check, marks=marks_, id=f"{case_id(path)}-{check}"))
    return cases or [pytest.param(None, None, id="no-reference-facts")]


@pytest.fixture(scope="module")
def renderings(published):
    cache = {}

    def of(acronym: str) -> Rendered:
        if acronym not in cache:
            cache[acronym] = Rendered(published, published.profiles[acronym])
        return cache[acronym]

    return of


@pytest.mark.parametrize("path, check", fact_cases())
def test_each_published_fact_is_rendered(published, renderings, path, check):
    """Each published row, note and statement, compared with the table the page prints.

    Rows: actor, transaction, optionality with the number of notes it points to, and the
    Reference (every citation); options with their references; groupings with their
    alternatives, options, condition and references. Notes: as many as published, each note
    some rows point to marking the same actors, unnumbered ("Note:") ones as such, and every
    "at least one of" or "requires" rule present. Statements: printed in place of the table,
    saying what the published one says."""
    if path is None:
        pytest.skip(f"reference facts not found at {REFERENCE}")
    facts = Facts(path)
    profile = published.profiles.get(facts.acronym)
    assert profile is not None, f"{facts.acronym} is not in the published framework"
    page = renderings(facts.acronym)
    label = f"{facts.acronym} {check}"
    if check == "transactions":
        published_rows = facts.transaction_rows()
        with_refs = facts.has_column("actors_and_transactions", "reference")
        assert_same(label, published_rows, page.transaction_rows(with_refs))
    elif check == "options":
        assert_same(label, facts.option_rows(), page.option_rows(facts.has_column("actor_options", "reference")))
    elif check == "groupings":
        with_refs = facts.tables["required_groupings"] is not None and facts.has_column("required_groupings", "reference")
        assert_same(label, facts.grouping_rows(), page.grouping_rows(with_refs))
    elif check.startswith("notes-"):
        table = check.removeprefix("notes-")
        if facts.tables[table] is None:
            assert facts.statements[table], f"{facts.acronym} publishes neither a {table} table nor a statement"
            pytest.skip(f"{facts.acronym} publishes a statement in place of its {table} table")
        assert_notes(label, facts.notes(table), page.notes(table))
    else:
        assert_statements(published, facts, profile)


def assert_notes(label: str, want, got) -> None:
    problems = []
    if want.count != got.count:
        problems.append(f"{want.count} published note(s), {got.count} rendered")
    if want.unnumbered != got.unnumbered:
        problems.append(f"{want.unnumbered} unnumbered published note(s) ('Note:'), {got.unnumbered} rendered")
    if want.marked != got.marked:
        problems.append(
            "the notes mark other actors: published "
            + "; ".join(sorted(", ".join(sorted(a)) + f" x{n}" for a, n in want.marked.items()))
            + " / rendered "
            + "; ".join(sorted(", ".join(sorted(a)) + f" x{n}" for a, n in got.marked.items()))
        )
    for rule, actors in sorted(want.rules, key=str):
        if not any(r == rule and (actors is None or a == actors) for r, a in got.rules):
            problems.append(f"no rendered note states the '{rule}' rule" + (f" for {', '.join(sorted(actors))}" if actors else ""))
    if problems:
        pytest.fail(f"{label}: " + "; ".join(problems), pytrace=False)


# What a statement published in place of a table says, checked in the rendered statement.
STATEMENT_CLAIMS = [re.compile(r"no required groupings", re.I)]


PAGE_TABLES = {"actors_and_transactions": "actors_table", "actor_options": "options_table", "required_groupings": "groupings_table"}


def assert_statements(fw, facts: Facts, profile) -> None:
    """On the profile page (its view, as the template receives it): a section published as a
    statement has no table and prints the statement, which says what the published one says."""
    from generator.render import views

    context = views.profile_page(fw, profile).context
    for key in TABLE_KEYS:
        stated = facts.statements[key]
        table = context[PAGE_TABLES[key]]
        if not stated or facts.tables[key] is not None:  # a table (some guides add a lead-in beside it)
            assert table is not None, f"{facts.acronym} {key}: published as a table, the page prints a statement in its place"
            continue
        assert table is None, f"{facts.acronym} {key}: published as a statement, the page prints a table"
        rendered_html = str(context["statements"][key])
        said = plain(rendered_html)
        published_text = " ".join(stated.get("text", []))
        for claim in STATEMENT_CLAIMS:
            if claim.search(published_text):
                assert claim.search(said), f"{facts.acronym} {key}: the statement should say '{claim.pattern}': {said!r}"
        if stated.get("rows"):
            assert_stated_groupings(facts, stated, [plain(part) for part in re.split(r"</li>|</p>", rendered_html) if plain(part)])


def assert_stated_groupings(facts: Facts, stated: dict, parts: list[str]) -> None:
    """Each grouping of a prose statement (XDW 30.3) is in the rendered statement: under the
    paragraph of its condition, one item names the actor, the grouped profile's actor and its options."""
    missing = []
    conditions = {re.sub(r"\s+", " ", row["condition"]).strip() for row in stated["rows"]}
    for row in stated["rows"]:
        profile, actor = (part.strip() for part in row["grouped_with"].split(" / "))
        condition = re.sub(r"\s+", " ", row["condition"]).strip()
        start = next((i for i, part in enumerate(parts) if condition in part), None)
        block = []
        for part in parts[start + 1:] if start is not None else []:
            if any(c in part for c in conditions):
                break
            block.append(part)
        wanted = [row["actor"], f"{STATED_PROFILES.get(profile, profile)} {actor}"] + [f"{o} Option" for o in row["options"]]
        if not any(all(w in part for w in wanted) for part in block):
            missing.append(f"{condition}: " + ", ".join(wanted))
    assert not missing, f"{facts.acronym}: the rendered statement lacks " + "; ".join(missing) + "\n" + "\n".join(parts)


# --------------------------------------------------------------------------- the reading of the facts itself

def test_reading_of_published_cells():
    """The normalisations the comparison relies on, on cells as published."""
    facts = Facts.__new__(Facts)
    facts.path, facts.acronym = Path("x"), "BPPC"
    assert name("Secure Node (Note 1) (Note 4)") == "Secure Node"
    assert name("XDW Workflow Content Module (see Note 1)") == "XDW Workflow Content Module"
    assert name("Integrated Document Source / Repository") == "Integrated Document Source/Repository"
    assert marks("O (Note 1,2)") == [1, 2] and marks("Module (see Note 1)") == [1] and marks("R") == []
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


def test_reading_of_published_references():
    """Citations as published (any spacing, several in one cell, a chapter's own "Section N",
    an implementation guide's "1:38.2.1") and as rendered (one per line) read the same."""
    assert citations("ITI TF-2 :3.44") == citations("ITI TF-2:3.44") == ("ITI TF-2: 3.44",)
    assert citations("ITI TF-1: 9.2.2 RAD TF-3: 5.1") == ("ITI TF-1: 9.2.2", "RAD TF-3: 5.1")
    assert citations(plain('<a href="x">ITI TF-1: 9.2.2</a><br>RAD TF-3: 5.1')) == ("ITI TF-1: 9.2.2", "RAD TF-3: 5.1")
    assert citations("Section 14.4.1") == ("ITI TF-1: 14.4.1",)
    assert citations("1:38.2.1") == ("ITI TF-1: 38.2.1",)
    assert citations("ITI TF-2: 3.1.4-1") == ("ITI TF-2: 3.1.4-1",)
    for empty in ("--", "- -", "\u2013", "-", "N/A", ""):
        assert citations(empty) == ()
    assert citations("1:50.1.1.1 Document Registry") == ("ITI TF-1: 50.1.1.1",)
    assert citations("PCC QEDm") == ("PCC QEDm",)  # not a citation: compared as written


def test_reading_of_rendered_grouping_cells():
    cell = (
        '<a href="../XDS.b/" title="Cross-Enterprise Document Sharing (XDS.b)">XDS.b</a> / <a href="../a/">Document Source</a> / '
        '<a href="../XDS.b/#option-document-replacement">Document Replacement</a> Option, or '
        '<a href="../ATNA/" title="ATNA">ATNA</a> / <a href="../b/">Secure Node</a> or <a href="../c/">Secure Application</a> (Note 1)'
    )
    assert grouping_targets(cell) == (
        frozenset({("XDS.b", "Document Source"), ("ATNA", "Secure Node"), ("ATNA", "Secure Application")}),
        frozenset({"Document Replacement"}),
    )


def fact_file(acronym: str) -> Path | None:
    return next((p for p in ALL_FACTS if Facts(p).acronym == acronym), None)


def test_each_erratum_is_still_needed():
    """Drop an ERRATA entry once the facts agree with themselves: each contradicts another published fact."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference facts not found at {REFERENCE}")
    assert set(ERRATA) == {("BPPC", "required_groupings", "XDR", "Document Consumer"), ("PAM", "actor_options", "Patient Demographics Supplier", "Merge")}
    # BPPC names an XDR actor that XDR's own table does not have; it has the Document Recipient.
    bppc = Facts(fact_file("BPPC"))
    assert any("XDR / Document Consumer" in row["grouped_with"] for row in bppc.rows("required_groupings"))
    xdr_actors = {name(row["actor"]) for row in Facts(fact_file("XDR")).rows("actors_and_transactions")}
    assert "Document Consumer" not in xdr_actors and "Document Recipient" in xdr_actors
    # PAM's Supplier cites section 3.304.1 for Merge, a section of no transaction; the Consumer cites 3.30.4.1.
    pam = {(name(r["actor"]), name(r["option"])): r["reference"] for r in Facts(fact_file("PAM")).rows("actor_options")}
    assert pam[("Patient Demographics Supplier", "Merge")] == "ITI TF-2: 3.304.1"
    assert pam[("Patient Demographics Consumer", "Merge")] == ERRATA[("PAM", "actor_options", "Patient Demographics Supplier", "Merge")]
    every_section = {row.get("section_reference", "") for path in ALL_FACTS for row in Facts(path).rows("actors_and_transactions")}
    assert not any(s.replace(" ", "").endswith("3.304") for s in every_section)


def test_each_placeholder_note_is_still_published():
    """'Note 3: Intentionally left blank.' keeps ATNA's numbering; it states nothing, so it is not counted."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference facts not found at {REFERENCE}")
    placeholders = {
        (Facts(path).acronym, key): note
        for path in ALL_FACTS
        for key in TABLE_KEYS
        for note in (Facts(path).tables[key] or {}).get("notes", [])
        if PLACEHOLDER_NOTES.match(note.strip())
    }
    assert placeholders == {("ATNA", "actor_options"): "Note 3: Intentionally left blank."}


def test_stated_profile_names_are_still_needed():
    """XDW's prose says "XDS" for the XDS.b profile; no published table names a profile "XDS"."""
    xdw = Facts(LOCAL_REFERENCE / "tf" / "XDW.json")
    assert any(row["grouped_with"].startswith("XDS / ") for row in xdw.statement["rows"])
    acronyms = {Facts(path).acronym for path in ALL_FACTS}
    assert "XDS" not in acronyms and "XDS.b" in acronyms


def test_facts_reader_reads_implementation_guides_of_the_same_form():
    """The reader takes any ig*/ITI.*/facts.json (ig-more/ has the same form), so other facts tests can reuse it."""
    for path in sorted(REFERENCE.glob("ig*/*/facts.json")):
        facts = Facts(path)
        assert facts.acronym and facts.chapter
        facts.transaction_rows(), facts.option_rows()
        for key in TABLE_KEYS:
            if facts.tables[key] is not None:
                facts.notes(key)


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


def test_a_shared_transaction_binds_each_profiles_actors_in_that_profile(published):
    """ITI-30 is PAM's transaction, reused by PIX: PIX binds its own actors with ``role`` in its
    file, so each profile's table shows only its own actors and the Volume 2 page all of them."""
    from generator.model import bindings

    tx = published.transactions["ITI-30"]
    assert {r.actor for r in tx.roles} == {"patient-demographics-supplier", "patient-demographics-consumer"}
    bound = {(role.actor, role.role, acronym) for role, acronym in bindings.bound_roles(published, tx)}
    assert ("patient-identity-source", "initiator", "PIX") in bound
    assert ("patient-identifier-cross-reference-manager", "responder", "PIX") in bound
    for acronym, actors in {"PAM": {"Patient Demographics Supplier", "Patient Demographics Consumer"},
                            "PIX": {"Patient Identity Source", "Patient Identifier Cross-reference Manager"}}.items():
        rows = Rendered(published, published.profiles[acronym]).transaction_rows()
        assert {actor for actor, tx_id, *_ in rows if tx_id == "ITI-30"} == actors
