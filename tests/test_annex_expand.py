"""Annex expansion rules, on the small two-domain framework of conftest.py.

ITX has CT (Time Client, options sntp / secured-ntp), ATN (Secure Node, grouped
with the Time Client) and DOC (a source with an at-least-one-of option set and an
option that requires another; a recipient with a required option, a conditional
transaction and a grouping that applies only with an option). RDX has IMG (the
Image Archive is grouped with ATN Secure Node *or* DOC Document Recipient) and RPT
(a recommended grouping).
"""

from __future__ import annotations

import random

import pytest
from conftest import show

from generator.annex.expand import expand
from generator.annex.selection import Annex, Selected, annex_from_args, check_annex


@pytest.fixture
def fw(tree):
    result = tree.validate()
    assert result.problems == [], show(result.problems)
    return result.framework


def annex(*items, minimum="trial-implementation", prefix="REQ") -> Annex:
    sel = []
    for item in items:
        level = "SHALL"
        if item.startswith("SHOULD "):
            level, item = "SHOULD", item[len("SHOULD "):]
        profile, rest = item.split(":", 1)
        actor, _, opts = rest.partition("[")
        sel.append(Selected(profile, actor, [o for o in opts.rstrip("]").split(",") if o], level))
    return Annex("test", "Test annex", prefix, sel, minimum_status=minimum)


def texts(e) -> list[str]:
    return [r.text for r in e.requirements]


def find(e, text: str):
    found = [r for r in e.requirements if r.text == text]
    assert len(found) == 1, f"expected exactly one requirement {text!r}; got:\n" + "\n".join(f"  {r.id} {r.text}" for r in e.requirements)
    return found[0]


def test_selected_actor_gets_its_required_transactions_and_groupings_transitively(fw):
    e = expand(fw, annex("DOC:document-source"))
    root = find(e, "The system SHALL implement the DOC Document Source actor.")
    assert root.provenance == "Selected in this annex"
    tx = find(e, "The DOC Document Source actor SHALL support Provide Document [ITX-2].")
    assert tx.provenance == f"Derived from {root.id} through ITX TF-1 Table 10.1-1"
    # optional transactions are not requirements
    assert not any("ITX-3" in t for t in texts(e))
    # DOC source -> ATN Secure Node -> CT Time Client, each with its own transactions
    sn = find(e, "The system SHALL implement the ATN Secure Node actor.")
    assert sn.provenance == f"Derived from {root.id} through ITX TF-1 Table 10.3-1"
    find(e, "The ATN Secure Node actor SHALL support Authenticate Node [ITX-4].")
    tc = find(e, "The system SHALL implement the CT Time Client actor.")
    assert tc.provenance == f"Derived from {sn.id} through ITX TF-1 Table 9.3-1"
    find(e, "The CT Time Client actor SHALL support Maintain Time [ITX-1].")


def test_at_least_one_of_options_is_one_requirement(fw):
    e = expand(fw, annex("DOC:document-source"))
    r = find(e, "The DOC Document Source actor SHALL support at least one of the Document Update or Folders Options.")
    assert r.kind == "one-of"
    assert r.provenance.endswith("through ITX TF-1 Table 10.2-1")


def test_selected_option_adds_its_transactions_and_required_options_and_settles_the_one_of_set(fw):
    e = expand(fw, annex("DOC:document-source[folders]"))
    folders = find(e, "The DOC Document Source actor SHALL support the Folders Option.")
    assert folders.provenance == "Selected in this annex"
    update = find(e, "The DOC Document Source actor SHALL support the Document Update Option.")
    assert update.provenance == f"Derived from {folders.id} through ITX TF-1 Table 10.2-1"
    tx = find(e, "The DOC Document Source actor SHALL support Update Document [ITX-3].")
    assert tx.provenance == f"Derived from {update.id} through ITX TF-1 Table 10.2-1"
    assert not [r for r in e.requirements if r.kind == "one-of"], "the at-least-one-of set is met by the selected options"


def test_required_option_claim_and_conditional_grouping_only_when_its_option_holds(fw):
    e = expand(fw, annex("DOC:document-recipient"))
    root = find(e, "The system SHALL implement the DOC Document Recipient actor.")
    option = find(e, "The DOC Document Recipient actor SHALL support the Document Update Option.")
    assert option.provenance == f"Derived from {root.id} through ITX TF-1 Table 10.2-1"
    # the grouping applies when document-update is supported, which the required claim makes so
    tc = find(e, "The system SHALL implement the CT Time Client actor.")
    assert tc.provenance == f"Derived from {option.id} through ITX TF-1 Table 10.3-1"
    find(e, "The CT Time Client actor SHALL support the Secured NTP Option.")
    # the C transaction's condition is the option, whose transaction is already required
    assert not [r for r in e.requirements if r.kind == "conditional-transaction"]


def test_conditional_grouping_is_left_out_when_its_option_is_not_supported(tree):
    tree["ITX/profiles/DOC.yaml"]["actors"][1]["options"] = [{"option": "document-update"}]  # no longer required
    result = tree.validate()
    assert not result.errors, show(result.problems)
    e = expand(result.framework, annex("DOC:document-recipient"))
    assert not any("Time Client" in t for t in texts(e)), "\n".join(texts(e))
    cond = [r for r in e.requirements if r.kind == "conditional-transaction"]
    assert [r.text for r in cond] == [
        "The DOC Document Recipient actor SHALL support Update Document [ITX-3] when this condition holds: When the Document Update Option is claimed."
    ]
    e2 = expand(result.framework, annex("DOC:document-recipient[document-update]"))
    assert any(r.text == "The system SHALL implement the CT Time Client actor." for r in e2.requirements)


def test_grouping_with_a_condition_in_words_is_stated_with_its_condition(tree):
    tree["ITX/profiles/DOC.yaml"]["groupings"][0]["condition"] = "When the source\n  sends <b>images</b>."
    result = tree.validate()
    assert not result.errors, show(result.problems)
    e = expand(result.framework, annex("DOC:document-source"))
    r = find(e, "The system SHALL implement the ATN Secure Node actor when this condition holds: When the source sends <b>images</b>.")
    assert r.kind == "conditional-grouping" and r.condition
    assert not any(t == "The system SHALL implement the ATN Secure Node actor." for t in texts(e))


def test_alternatives_are_one_requirement_and_members_own_requirements_are_conditional(fw):
    e = expand(fw, annex("IMG:image-archive"))
    alt = find(e, "The system SHALL implement the ATN Secure Node actor or the DOC Document Recipient actor.")
    assert alt.kind == "alternatives"
    assert len(alt.subject) == 2
    sn_tx = find(e, f"If the ATN Secure Node actor is implemented to meet {alt.id}, it SHALL support Authenticate Node [ITX-4].")
    assert sn_tx.applies_if == ("ATN", "secure-node")
    find(e, f"If the DOC Document Recipient actor is implemented to meet {alt.id}, it SHALL support Provide Document [ITX-2].")
    find(e, f"If the ATN Secure Node actor is implemented to meet {alt.id}, the system SHALL also implement the CT Time Client actor.")
    # a member's requirements are not stated as unconditional
    assert "The system SHALL implement the ATN Secure Node actor." not in texts(e)


def test_alternatives_met_by_a_selected_member_are_not_expanded_again(fw):
    e = expand(fw, annex("IMG:image-archive", "ATN:secure-node"))
    sn = find(e, "The system SHALL implement the ATN Secure Node actor.")
    alt = find(e, f"The system SHALL implement the ATN Secure Node actor or the DOC Document Recipient actor. This is met by {sn.id}.")
    assert not [r for r in e.requirements if r.applies_if], "a met set of alternatives adds no conditional requirements"
    assert sum("Authenticate Node [ITX-4]" in t for t in texts(e)) == 1
    assert alt.met_by


def test_recommended_grouping_is_should_never_shall(fw):
    e = expand(fw, annex("RPT:report-creator"))
    src = find(e, "The system SHOULD implement the DOC Document Source actor.")
    assert src.level == "SHOULD"
    # what a SHOULD requires is SHOULD too, transitively
    find(e, "The DOC Document Source actor SHOULD support Provide Document [ITX-2].")
    find(e, "The system SHOULD implement the ATN Secure Node actor.")
    find(e, "The system SHOULD implement the CT Time Client actor.")
    assert {r.level for r in e.requirements if r.subject[0].profile != "RPT"} == {"SHOULD"}


def test_shall_path_wins_over_should_path_and_keeps_only_shall_sources(fw):
    e = expand(fw, annex("RPT:report-creator", "IMG:image-creator"))
    creator = find(e, "The system SHALL implement the IMG Image Creator actor.")
    tc = find(e, "The system SHALL implement the CT Time Client actor.")
    assert tc.level == "SHALL"
    # the SHOULD path (RPT -> DOC source -> ATN -> CT) is not listed as a source of the SHALL requirement
    assert tc.provenance == f"Derived from {creator.id} through RDX TF-1 Table 1.3-1"


def test_system_wide_requirements_are_stated_once_with_every_source(fw):
    e = expand(fw, annex("DOC:document-source", "IMG:image-creator", "DOC:document-recipient"))
    tc = [r for r in e.requirements if r.text == "The system SHALL implement the CT Time Client actor."]
    assert len(tc) == 1
    assert sum(t == "The CT Time Client actor SHALL support Maintain Time [ITX-1]." for t in texts(e)) == 1
    froms = {s.from_id for s in tc[0].sources}
    ids = {r.text: r.id for r in e.requirements}
    assert ids["The system SHALL implement the IMG Image Creator actor."] in froms
    assert ids["The system SHALL implement the ATN Secure Node actor."] in froms
    assert ids["The DOC Document Recipient actor SHALL support the Document Update Option."] in froms


def test_should_selection_makes_should_requirements(fw):
    e = expand(fw, annex("SHOULD CT:time-server"))
    assert {r.level for r in e.requirements} == {"SHOULD"}
    assert texts(e) == ["The system SHOULD implement the CT Time Server actor.", "The CT Time Server actor SHOULD support Maintain Time [ITX-1]."]


def test_content_modules_are_requirements(fw):
    e = expand(fw, annex("RPT:report-creator"))
    find(e, "The RPT Report Creator actor SHALL support the Imaging Report content module.")


def test_ids_are_stable_and_independent_of_selection_order(fw):
    items = ["IMG:image-archive", "DOC:document-source[folders]", "RPT:report-creator", "SHOULD CT:time-server"]
    first = expand(fw, annex(*items))
    rng = random.Random(5)
    for _ in range(5):
        shuffled = items[:]
        rng.shuffle(shuffled)
        again = expand(fw, annex(*shuffled))
        assert [(r.id, r.text, r.provenance) for r in again.requirements] == [(r.id, r.text, r.provenance) for r in first.requirements]
    ids = [r.id for r in first.requirements]
    assert ids == [f"REQ-{n:03d}" for n in range(1, len(ids) + 1)]
    assert len(set(texts(first))) == len(texts(first)), "no requirement is stated twice"


def test_prefix_is_used_for_ids(fw):
    e = expand(fw, annex("CT:time-client", prefix="RFP-7"))
    assert [r.id for r in e.requirements] == ["RFP-7-001", "RFP-7-002"]


# --------------------------------------------------------------------------- status flags


def test_items_below_the_minimum_status_are_flagged(fw):
    e = expand(fw, annex("IMG:image-creator", minimum="trial-implementation"))
    root = e.requirements[0]
    assert root.flags == ["Profile IMG is Public Comment, below the Trial Implementation this annex requires"]
    e = expand(fw, annex("IMG:image-creator", minimum="final-text"))
    assert "Profile IMG is Public Comment, below the Final Text this annex requires" in e.requirements[0].flags
    # ITX's entities take the domain's status, Trial Implementation
    assert any("Transaction Maintain Time [ITX-1] is Trial Implementation" in f for r in e.requirements for f in r.flags)


def test_retired_option_and_profile_are_flagged(tree):
    tree["ITX/profiles/DOC.yaml"]["options"][1]["status"] = "retired"
    tree["ITX/profiles/CT.yaml"]["status"] = "retired"
    result = tree.validate()
    assert not result.errors, show(result.problems)
    e = expand(result.framework, annex("DOC:document-source[folders]"))
    flags = [f for r in e.requirements for f in r.flags]
    assert "Option Folders (DOC) is Retired" in flags
    assert "Profile CT is Retired" in flags
    assert not any("Profile DOC" in f for f in flags)


# --------------------------------------------------------------------------- invalid selections


def test_unknown_profile_lists_the_valid_profiles(fw):
    problems = check_annex(fw, annex("DOX:document-source"))
    assert len(problems) == 1 and problems[0].rule == "annex-unknown-profile"
    assert "did you mean 'DOC'?" in problems[0].message
    assert "valid profiles: CT, ATN, DOC, IMG, RPT" in problems[0].message


def test_unknown_actor_lists_the_profiles_actors(fw):
    problems = check_annex(fw, annex("DOC:document-consumer"))
    assert [p.rule for p in problems] == ["annex-unknown-actor"]
    assert "its actors are: document-source, document-recipient" in problems[0].message


def test_unknown_option_lists_the_actors_options(fw):
    problems = check_annex(fw, annex("CT:time-client[sntpp]"))
    assert [p.rule for p in problems] == ["annex-unknown-option"]
    assert "did you mean 'sntp'?" in problems[0].message
    assert "its options are: sntp, secured-ntp" in problems[0].message
    problems = check_annex(fw, annex("ATN:secure-node[x]"))
    assert "its options are: (none)" in problems[0].message


def test_duplicate_selection_is_an_error(fw):
    problems = check_annex(fw, annex("CT:time-client", "CT:time-client[sntp]"))
    assert [p.rule for p in problems] == ["annex-duplicate"]


def test_command_line_selection_syntax(fw):
    a, problems = annex_from_args(["DOC:document-source[folders, document-update]", "CT:time-client"], ["RPT:report-creator"],
                                  title="T", prefix="REQ", buyer="", minimum_status="final-text", revision="", annex_id="x")
    assert problems == []
    assert [(s.profile, s.actor, s.options, s.level) for s in a.selection] == [
        ("DOC", "document-source", ["folders", "document-update"], "SHALL"),
        ("CT", "time-client", [], "SHALL"),
        ("RPT", "report-creator", [], "SHOULD"),
    ]
    _, problems = annex_from_args(["DOC document-source"], [], title="T", prefix="req", buyer="", minimum_status="final-text", revision="", annex_id="x")
    assert {p.rule for p in problems} == {"annex-select-syntax", "annex-prefix"}


# --------------------------------------------------------------------------- facts the volumes state beyond transactions

def test_behaviour_only_rows_are_requirements(tree):
    """A row without a transaction ("record audit events", R) is a requirement, a C row one with its condition."""
    doc = tree["ITX/profiles/DOC.yaml"]
    doc["actors"][1]["requirements"] = [
        {"text": "Keep every received document for  ten years.", "optionality": "R"},
        {"text": "Index images", "optionality": "C", "condition": "When it stores images."},
        {"text": "Print them", "optionality": "O"},
    ]
    result = tree.validate()
    assert not result.errors, show(result.problems)
    e = expand(result.framework, annex("DOC:document-recipient"))
    kept = find(e, "The DOC Document Recipient actor SHALL meet this requirement: Keep every received document for ten years.")
    assert kept.kind == "behaviour" and kept.reference == "ITX TF-1 Table 10.1-1"
    cond = find(e, "The DOC Document Recipient actor SHALL meet this requirement: Index images, when this condition holds: When it stores images.")
    assert cond.kind == "conditional-behaviour" and cond.condition == "When it stores images."
    assert not [r for r in e.requirements if "Print them" in r.text]


def test_grouping_with_an_actor_outside_the_tree_is_stated_not_dropped(tree):
    """Required groupings that cite a profile the tree does not hold are requirements too, never followed."""
    doc = tree["ITX/profiles/DOC.yaml"]
    doc["groupings"].append({"actor": "document-source", "with": [{"external": {"domain": "RAD", "profile": "SWF", "actor": "Order Placer", "reference": "RAD TF-1: 2"}}]})
    doc["groupings"].append({"actor": "document-source", "with": [
        {"profile": "DOC", "actor": "document-recipient"},
        {"external": {"domain": "PCC", "profile": "XPHR", "actor": "Content Creator", "reference": "PCC TF-1: 2"}},
    ], "kind": "recommended"})
    result = tree.validate()
    assert not result.errors, show(result.problems)
    e = expand(result.framework, annex("DOC:document-source[folders]"))
    swf = find(e, "The system SHALL implement the RAD SWF Order Placer actor (RAD TF-1: 2).")
    assert swf.kind == "external-grouping" and swf.met_by == []
    mixed = find(e, "The system SHOULD implement the DOC Document Recipient actor or the PCC XPHR Content Creator actor (PCC TF-1: 2).")
    assert mixed.level == "SHOULD" and [(t.profile, t.actor) for t in mixed.met_by] == [("DOC", "document-recipient")]
    # no alternative is followed: the Document Recipient is not a subject of its own through this grouping
    assert not [r for r in e.requirements if r.subject[0].actor == "document-recipient"]


def test_an_option_adds_a_transaction_to_another_actor_the_system_implements(tree):
    doc = tree["ITX/profiles/DOC.yaml"]
    doc["options"][1]["adds"] = [{"actor": "document-recipient", "transaction": "ITX-3", "optionality": "R"}]
    doc["actors"][1]["transactions"][1] = {"transaction": "ITX-3", "optionality": "O"}
    doc["actors"][1]["options"] = [{"option": "document-update"}]  # claimable, not required: ITX-3 comes only from the effect
    result = tree.validate()
    assert not result.errors, show(result.problems)
    fw = result.framework
    # without the recipient in the system, the effect is another supplier's
    alone = expand(fw, annex("DOC:document-source[folders]"))
    assert not [r for r in alone.requirements if r.subject[0].actor == "document-recipient"]
    both = expand(fw, annex("DOC:document-source[folders]", "SHOULD DOC:document-recipient"))
    folders = find(both, "The DOC Document Source actor SHALL support the Folders Option.")
    added = find(both, "The DOC Document Recipient actor SHOULD support Update Document [ITX-3].")
    assert [(s.from_id, s.via) for s in added.sources] == [(folders.id, "ITX TF-1 Table 10.2-1")]
    # without the option, nothing is added
    plain = expand(fw, annex("DOC:document-source[document-update]", "DOC:document-recipient"))
    assert not [r for r in plain.requirements if r.text.startswith("The DOC Document Recipient actor SHALL support Update")]
