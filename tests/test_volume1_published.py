"""Volume 1 tables state what a published chapter states: notes no row points to,
references as published, statements in place of a table, actors whose requirement is
a behaviour, conditions under a 3-column groupings heading; and no page shows escaped
markup as text."""

from __future__ import annotations

import json
import re

import pytest
from conftest import show, with_rule
from markupsafe import Markup
from sitebuild import REPO, example_site

from generator.diagrams.from_model import profile_diagram
from generator.render import pages, tables, views

PAGE = "ITX/volume-1/X.md"
CT = "ITX/profiles/CT.yaml"
DOC = "ITX/profiles/DOC.yaml"
IMG = "RDX/profiles/IMG.yaml"


def _page(fw, acronym: str) -> str:
    return pages.render_page(pages.environment(), views.profile_page(fw, fw.profiles[acronym]))


def _tx_page(fw, tx_id: str) -> str:
    return pages.render_page(pages.environment(), views.transaction_page(fw, fw.transactions[tx_id]))


def _clean(tree):
    result = tree.validate()
    assert result.ok and not result.problems, show(result.problems)
    return result.framework


# --------------------------------------------------------------------------- table notes


def test_a_lone_unnumbered_table_note_prints_note_colon(tree):
    tree[CT]["table_notes"] = {"actors_and_transactions": [{"text": "When grouped with a *Time Server*, see 7.2.", "numbered": False}]}
    fw = _clean(tree)
    table = tables.actors_and_transactions(fw, fw.profiles["CT"], PAGE)
    assert [label for label, _ in table.labelled_notes] == ["Note"]
    assert not any("(Note" in c.html for row in table.rows for c in row)  # no row points to it
    page = _page(fw, "CT")
    assert '<p class="tfpub-note">Note: When grouped with a <em>Time Server</em>, see 7.2.</p>' in page
    assert "Note 1:" not in page


def test_numbered_table_notes_continue_the_row_notes(tree):
    fw = tree.validate().framework
    before = tables.actors_and_transactions(fw, fw.profiles["DOC"], PAGE)
    rows = len(before.notes)
    assert rows >= 2
    tree[DOC]["table_notes"] = {"actors_and_transactions": ["A general rule.", {"text": "An aside.", "numbered": False}, "Another rule."]}
    fw = _clean(tree)
    after = tables.actors_and_transactions(fw, fw.profiles["DOC"], PAGE)
    assert [c.html for r in after.rows for c in r] == [c.html for r in before.rows for c in r]  # row notes unchanged
    assert after.labelled_notes[:rows] == before.labelled_notes
    assert [(label, str(html)) for label, html in after.labelled_notes[rows:]] == [
        (f"Note {rows + 1}", "A general rule."),
        ("Note", "An aside."),
        (f"Note {rows + 2}", "Another rule."),
    ]


def test_a_groupings_note_needs_no_grouping_row(tree):
    assert "groupings" not in tree[CT]
    tree[CT]["table_notes"] = {
        "required_groupings": [{"text": "Time Clients are grouped with the actors they serve.", "numbered": False}],
        "actor_options": ["Options are claimed per actor."],
    }
    fw = _clean(tree)
    groupings = tables.required_groupings(fw, fw.profiles["CT"], PAGE)
    assert all(row[2].html == "None" for row in groupings.rows)
    assert [(label, str(n)) for label, n in groupings.labelled_notes] == [("Note", "Time Clients are grouped with the actors they serve.")]
    options = tables.actor_options(fw, fw.profiles["CT"], PAGE)
    assert [(label, str(n)) for label, n in options.labelled_notes] == [("Note 1", "Options are claimed per actor.")]


# --------------------------------------------------------------------------- "at least one of" notes


def test_the_note_of_an_options_set_is_printed(tree):
    fw = _clean(tree)
    table = tables.actor_options(fw, fw.profiles["DOC"], PAGE)
    assert any("at least one of" in n and n.endswith("Pick one.") for n in table.notes), table.notes


def test_the_example_atna_options_note_is_printed(example_framework):
    table = tables.actor_options(example_framework, example_framework.profiles["ATNA"], PAGE)
    assert any("readers should assume that TLS or UDP syslog is supported" in n for n in table.notes), table.notes


def test_a_transactions_set_note_with_a_link_is_markup_not_text(tree):
    tree[DOC]["actors"][1]["at_least_one_of"][0]["note"] = "See [[ITX-2]] for the rest."
    fw = _clean(tree)
    table = tables.actors_and_transactions(fw, fw.profiles["DOC"], PAGE)
    note = next(n for n in table.notes if "at least one of" in n)
    assert "&lt;a" not in note
    assert re.search(r'at least one of <a href="[^"]+">Provide Document \[ITX-2\]</a>', note), note
    assert re.search(r'See <a href="[^"]+ITX-2/"[^>]*>Provide Document \[ITX-2\]</a> for the rest\.', note), note
    assert "&lt;a href" not in _page(fw, "DOC")


# --------------------------------------------------------------------------- explicit references


def _ref_cells(table, column: int) -> list[str]:
    return [row[column].html for row in table.rows]


def test_option_references_as_published_any_volume_several(tree):
    options = {o["id"]: o for o in tree[DOC]["options"]}
    options["document-update"]["reference"] = "ITX TF-2: 3.3"
    options["folders"]["reference"] = ["ITX TF-1: 10.2", "RAD TF-3: 5.1"]
    fw = _clean(tree)
    cells = _ref_cells(tables.actor_options(fw, fw.profiles["DOC"], PAGE), 2)
    assert '<a href="../../volume-2/ITX-3/">ITX TF-2: 3.3</a>' in cells
    # several, one per line; the one this framework does not hold has no link
    assert '<a href="../DOC/#actor-options">ITX TF-1: 10.2</a><br>RAD TF-3: 5.1' in cells


def test_default_references_are_unchanged(tree):
    fw = _clean(tree)
    cells = _ref_cells(tables.actor_options(fw, fw.profiles["DOC"], PAGE), 2)
    assert any(">ITX TF-1: 10.2.1</a>" in c for c in cells)
    groupings = _ref_cells(tables.required_groupings(fw, fw.profiles["DOC"], PAGE), 3)
    assert any(">ITX TF-1: 9</a>" in c for c in groupings)


def test_grouping_and_row_references_as_published(tree):
    tree[DOC]["groupings"][0]["reference"] = "ITX TF-1:9.1"  # as ATNA publishes it, without the space
    tree[DOC]["actors"][0]["transactions"][0]["reference"] = "ITX TF-2: 3.2.4"
    fw = _clean(tree)
    groupings = _ref_cells(tables.required_groupings(fw, fw.profiles["DOC"], PAGE), 3)
    assert '<a href="../ATN/#actors-and-transactions">ITX TF-1:9.1</a>' in groupings
    rows = _ref_cells(tables.actors_and_transactions(fw, fw.profiles["DOC"], PAGE), 4)
    assert '<a href="../../volume-2/ITX-2/">ITX TF-2: 3.2.4</a>' in rows  # a section inside ITX-2


def test_a_reference_not_of_the_citation_form_is_refused(tree):
    tree[DOC]["options"][0]["reference"] = "Section 10.2"
    result = tree.validate()
    problems = [p for p in result.errors if p.loc.file.endswith("DOC.yaml") and p.rule.startswith("schema")]
    assert problems, show(result.problems)
    assert problems[0].loc.line == tree.line_of(DOC, "reference: Section 10.2")


# --------------------------------------------------------------------------- 3-column groupings heading


def test_a_three_column_groupings_heading_keeps_conditions(tree):
    tree["ITX/domain.yaml"]["publishing"] = {
        "table_headings": {"required_groupings": ["{acronym} Actor", "Actor(s) to be grouped with", "Reference"]}
    }
    tree[DOC]["groupings"][0]["condition"] = "When documents leave the facility"
    fw = _clean(tree)
    table = tables.required_groupings(fw, fw.profiles["DOC"], PAGE)
    assert table.headings == ["DOC Actor", "Actor(s) to be grouped with", "Reference"]
    texts = [" ".join(row[1].html.striptags().split()) for row in table.rows]
    assert "ATN / Secure Node (When documents leave the facility)" in texts
    assert "CT / Time Client / Secured NTP Option (Document Update Option)" in texts


def test_a_free_text_grouping_condition_is_in_the_diagram_text(tree):
    tree[DOC]["groupings"][0]["condition"] = "When documents leave the facility"
    fw = _clean(tree)
    alt = " ".join(profile_diagram(fw, fw.profiles["DOC"]).alt_text)
    assert "Secure Node" in alt and "(When documents leave the facility)" in alt, alt


# --------------------------------------------------------------------------- statements


def test_a_statement_in_place_of_the_groupings_table(tree):
    tree[CT]["statements"] = {"required_groupings": "There are no required groupings for this profile."}
    fw = _clean(tree)
    page = _page(fw, "CT")
    section = page.split("{ #required-groupings}")[1].split("\n## ")[0]
    assert "<p>There are no required groupings for this profile.</p>" in section
    assert "table-required-groupings" not in page


def test_a_statement_before_its_table_and_actors_in_prose(tree):
    tree[CT]["statements"] = {
        "actors_and_transactions": "The actors are:\n\n- Time Server\n- Time Client\n",
        "actor_options": {"text": "Options are listed below.", "table": True},
    }
    fw = _clean(tree)
    page = _page(fw, "CT")
    x1 = page.split("{ #actors-and-transactions}")[1].split("\n### ")[0]
    assert "<li>Time Server</li>" in x1 and "table-actors-and-transactions" not in x1
    x2 = page.split("{ #actor-options}")[1].split("\n### ")[0]
    assert x2.index("Options are listed below.") < x2.index('id="table-actor-options"')


# --------------------------------------------------------------------------- behaviour-only actors


def test_an_actor_with_requirements_only_has_a_row_and_no_warning(tree):
    img = tree[IMG]["actors"][1]
    del img["transactions"]
    img["requirements"] = [{"text": "Records audit events", "optionality": "R", "reference": "ITX TF-1: 9"}]
    fw = _clean(tree)  # no empty-actor: validate exits 0
    table = tables.actors_and_transactions(fw, fw.profiles["IMG"], PAGE)
    row = next(r for r in table.rows if "Records audit events" in r[1].html)
    assert [c.html for c in row[2:]] == ["\u2013", "R", '<a href="../ATN/">ITX TF-1: 9</a>']


def test_an_actor_with_nothing_to_do_still_warns(tree):
    del tree[IMG]["actors"][1]["transactions"]
    result = tree.validate()
    (problem,) = with_rule(result, "empty-actor")
    assert "requirements" in problem.message


# --------------------------------------------------------------------------- visible defects


def test_missing_sections_and_fields_print_words_not_markup(tree):
    for key in ("security", "cross_profile", "overview"):
        tree[CT].pop(key, None)
    del tree["ITX/transactions/ITX-1.yaml"]["messages"][0]["trigger"]
    fw = _clean(tree)
    page = _page(fw, "CT")
    assert "&lt;p&gt;" not in page
    assert page.count("<p>None.</p>") == 2
    assert "Concepts" not in page  # no empty X.4.1 heading
    assert "{ #use-cases}" in page
    tx = _tx_page(fw, "ITX-1")
    assert "&lt;p&gt;" not in tx and "<p>Not specified.</p>" in tx


def test_an_overview_keeps_its_concepts_heading(tree):
    fw = _clean(tree)
    assert "Concepts { #concepts}" in _page(fw, "DOC")


def test_no_built_page_shows_escaped_markup():
    """The whole example site, built by the real CLI and mkdocs: no markup printed as text."""
    site = example_site()
    found = []
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for needle in ("&lt;p&gt;", "&lt;a href", "&lt;/p&gt;", "&lt;br"):
            if needle in text:
                at = text.index(needle)
                found.append(f"{path.relative_to(site)}: {text[max(0, at - 80): at + 80]!r}")
    assert not found, "\n".join(found)


# --------------------------------------------------------------------------- the example, against the published tables

REFERENCE = REPO.parent / "shared" / "ihe-reference"


def _published(name: str) -> dict:
    return json.loads((REFERENCE / name).read_text(encoding="utf-8"))


def _words(html: str) -> str:
    return " ".join(Markup(html).striptags().split())


@pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"reference facts not found at {REFERENCE}")
@pytest.mark.parametrize("acronym, source", [("XCA", "tf/XCA.json"), ("PIXm", "ig/ITI.PIXm/facts.json")])
def test_the_example_reproduces_published_table_notes(example_framework, acronym, source):
    fw = example_framework
    table = tables.actors_and_transactions(fw, fw.profiles[acronym], f"ITI/volume-1/{acronym}.md")
    printed = [f"{label}: {_words(note)}" for label, note in table.labelled_notes]
    assert printed == _published(source)["actors_and_transactions"]["notes"]


@pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"reference facts not found at {REFERENCE}")
def test_the_example_reproduces_published_references(example_framework):
    fw = example_framework
    pix = tables.required_groupings(fw, fw.profiles["PIX"], "ITI/volume-1/PIX.md")
    assert sorted((_words(r[0].html), _words(r[3].html)) for r in pix.rows) == sorted(
        (r["actor"], r["reference"]) for r in _published("tf/PIX.json")["required_groupings"]["rows"]
    )
    pdq = tables.actor_options(fw, fw.profiles["PDQ"], "ITI/volume-1/PDQ.md")
    generated = {(_words(r[0].html), _words(r[1].html), _words(r[2].html)) for r in pdq.rows}
    published = {(r["actor"], r["option"], r["reference"]) for r in _published("tf/PDQ.json")["actor_options"]["rows"]}
    assert published <= generated
