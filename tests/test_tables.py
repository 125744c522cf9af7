"""Volume 1 tables: numbers, notes, spans, 'None' rows, alternatives, configurable headings."""

from __future__ import annotations

import functools

from sitebuild import SPECS

from generator.render import tables
from generator.validate import validate


@functools.lru_cache(maxsize=None)
def example():
    return validate(SPECS).framework


PAGE = "ITI/volume-1/X.md"


def test_tables_are_numbered_from_the_chapter():
    fw = example()
    xds = fw.profiles["XDS.b"]
    assert tables.actors_and_transactions(fw, xds, PAGE).caption == "Table 10.1-1: XDS.b Profile - Actors and Transactions"
    assert tables.actor_options(fw, xds, PAGE).caption == "Table 10.2-1: XDS.b - Actors and Options"
    assert tables.required_groupings(fw, xds, PAGE).caption == "Table 10.3-1: XDS.b - Required Actor Groupings"


def test_at_least_one_of_becomes_a_numbered_note_on_each_member_row():
    fw = example()
    table = tables.actors_and_transactions(fw, fw.profiles["XDS.b"], PAGE)
    registry_rows = [r for r in table.rows if "Document Registry" in r[0].html or r[0].covered]
    feed = [r for r in table.rows if "[ITI-8]" in r[1].html or "[ITI-44]" in r[1].html]
    assert all("(Note" in r[3].html for r in feed)
    note = next(n for n in table.notes if "at least one of" in n and "Document Registry" in n)
    assert "[ITI-8]" in note and "[ITI-44]" in note
    assert registry_rows


def test_actor_cell_spans_its_rows():
    fw = example()
    table = tables.actors_and_transactions(fw, fw.profiles["XDS.b"], PAGE)
    first = table.rows[0][0]
    assert "Document Consumer" in first.html and first.rowspan == 2
    assert table.rows[1][0].covered


def test_actor_without_groupings_shows_none():
    fw = example()
    table = tables.required_groupings(fw, fw.profiles["CT"], PAGE)
    assert [c.html for c in table.rows[0]][2] == "None"


def test_alternatives_read_the_ihe_way():
    fw = example()
    table = tables.required_groupings(fw, fw.profiles["XDS.b"], PAGE)
    texts = [" ".join(c.html.striptags().split()) for row in table.rows for c in row]
    assert "ATNA / Secure Node or Secure Application" in texts
    assert "CT / Time Client" in texts


def test_conditional_grouping_shows_its_option():
    fw = example()
    table = tables.required_groupings(fw, fw.profiles["MHD"], PAGE)
    conditions = [row[1].html.striptags() for row in table.rows]
    assert "XDS on FHIR Option" in conditions


def test_actor_without_options_says_so():
    fw = example()
    table = tables.actor_options(fw, fw.profiles["PIXm"], PAGE)
    assert any(row[1].html == "No options defined" for row in table.rows)


def test_headings_are_configurable_per_framework(tree):
    tree["ITX/domain.yaml"]["publishing"] = {
        "actors_and_transactions_columns": ["actor", "transaction", "optionality", "reference"],
        "table_headings": {
            "actors_and_transactions": ["Actors", "Transactions", "Optionality", "Section"],
            "actor_options": ["Actor", "Options", "Vol. & Section"],
        },
    }
    result = tree.validate()
    assert result.ok, result.problems
    fw = result.framework
    profile = next(p for p in fw.profiles.values() if p.domain == "ITX")
    at = tables.actors_and_transactions(fw, profile, PAGE)
    assert at.headings == ["Actors", "Transactions", "Optionality", "Section"]
    assert all(len([c for c in row]) == 4 for row in at.rows)
    assert tables.actor_options(fw, profile, PAGE).headings == ["Actor", "Options", "Vol. & Section"]


def test_default_headings_are_the_current_ihe_template():
    fw = example()
    xds = fw.profiles["XDS.b"]
    assert tables.actors_and_transactions(fw, xds, PAGE).headings == ["Actors", "Transactions", "Initiator or Responder", "Optionality", "Reference"]
    assert tables.required_groupings(fw, xds, PAGE).headings[:4] == ["XDS.b Actor", "Grouping Condition", "Actor(s) to be grouped with", "Reference"]


def test_one_at_least_one_of_rule_shared_by_several_actors_is_one_note():
    """IHE prints a rule that binds several actors once ("Document Registry and Patient Identity
    Source shall implement at least one of ..."): the same set and words on two actors are one note."""
    fw = example()
    table = tables.actors_and_transactions(fw, fw.profiles["XDS.b"], PAGE)
    rules = [n for n in table.notes if "at least one of" in n]
    assert len(rules) == 1, table.notes
    assert "The Document Registry and the Patient Identity Source shall implement at least one of" in rules[0]
    number = table.notes.index(rules[0]) + 1
    feed = [r for r in table.rows if "[ITI-8]" in r[1].html or "[ITI-44]" in r[1].html]
    assert len(feed) == 4 and all(f"Note {number}" in r[3].html for r in feed)
    options = tables.actor_options(fw, fw.profiles["ATNA"], PAGE)
    stx = [n for n in options.notes if "STX" in n and "at least one of" in n]
    assert len(stx) == 1 and "The Secure Node and the Secure Application shall support" in stx[0]


def test_an_actors_own_option_reference_wins_over_the_options():
    """PAM cites Acknowledgement Support in ITI-30 for the demographics actors and in ITI-31 for the
    encounter actors: ``actors[].options[].reference`` gives each row its own."""
    fw = example()
    pam = fw.profiles["PAM"]
    table = tables.actor_options(fw, pam, PAGE)
    refs, actor = {}, ""
    for row in table.rows:
        actor = row[0].html if not row[0].covered else actor
        if "Acknowledgement Support" in row[1].html:
            refs[actor.split(">")[1].split("<")[0]] = row[2].html
    assert "ITI TF-2: 3.30.4.4" in refs["Patient Demographics Supplier"] and "ITI TF-2: 3.30.4.4" in refs["Patient Demographics Consumer"]
    assert "ITI TF-2: 3.31.5.7" in refs["Patient Encounter Supplier"] and "ITI TF-2: 3.31.5.7" in refs["Patient Encounter Consumer"]
    assert 'volume-2/ITI-31/"' in refs["Patient Encounter Supplier"]  # linked to the transaction that holds it


def test_a_content_module_row_cites_its_published_reference():
    """BPPC's rows cite the Volume 1 option sections, not the module's Volume 3 section."""
    fw = example()
    table = tables.actors_and_transactions(fw, fw.profiles["BPPC"], PAGE)
    creator = table.rows[0]
    assert "(content module)" in creator[1].html
    assert "ITI TF-1: 19.4.3" in creator[-1].html and "<br>" in creator[-1].html and "ITI TF-1: 19.4.4" in creator[-1].html
    assert "ITI TF-3" not in creator[-1].html


def test_a_rule_placed_under_the_table_marks_no_row():
    """MHD prints its 'at least one of' rule as a lone "Note:" no row points to; PDQm as Note 2,
    after a general note (``placement: table``)."""
    fw = example()
    mhd = tables.actors_and_transactions(fw, fw.profiles["MHD"], PAGE)
    assert not any("(Note" in r[3].html for r in mhd.rows)
    assert [label for label, _ in mhd.labelled_notes] == ["Note"]
    assert "shall implement at least one of" in mhd.notes[0]
    rows = tables.actors_and_transactions(fw, fw.profiles["XDS.b"], PAGE)
    assert any("(Note" in r[3].html for r in rows.rows)  # the default still marks the rows


def test_a_citation_into_the_rows_own_chapter_links_to_what_the_row_describes():
    """Older chapters number their sections otherwise than the template the site prints: ATNA's
    9.2.2 is Radiology Audit Trail (the site's 9.2.2 is another option), PAM's options are 14.3.n,
    PAM's groupings 14.4.1. The citation is printed as published and links to the row's option or
    to the groupings; a template section ("ITX TF-1: 10.2") and other chapters keep their links."""
    fw = example()
    atna = tables.actor_options(fw, fw.profiles["ATNA"], PAGE)
    radiology = next(r for r in atna.rows if "Radiology Audit Trail" in r[1].html)
    assert '#option-radiology-audit-trail">ITI TF-1: 9.2.2</a>' in radiology[2].html
    assert "RAD TF-3: 5.1" in radiology[2].html  # another framework: printed, not linked
    pam = fw.profiles["PAM"]
    options = tables.actor_options(fw, pam, PAGE)
    maintain = next(r for r in options.rows if "Maintain Demographics" in r[1].html)
    assert '#option-maintain-demographics">ITI TF-1: 14.3.9</a>' in maintain[2].html
    assert 'volume-2/ITI-31/">ITI TF-2: 3.31.5.8</a>' in maintain[2].html
    groupings = tables.required_groupings(fw, pam, PAGE)
    assert any('PAM/#required-groupings">ITI TF-1: 14.4.1</a>' in r[-1].html for r in groupings.rows)
    xds = tables.required_groupings(fw, fw.profiles["XDS.b"], PAGE)
    assert any('CT/#actors-and-transactions">ITI TF-1: 7.1</a>' in r[-1].html for r in xds.rows)  # another profile's chapter
