"""generator.check.checks: every cross-reference rule, each with a failing case.

The passing case of every rule is the unmodified fixture, which validates with
no problems (test_validate.py). Each test here changes one thing and asserts the
rule id, the file and the line of the problem it causes.
"""

from __future__ import annotations

import pytest
from conftest import expect, make_actor, make_transaction, show, with_rule

ITX1 = "ITX/transactions/ITX-1.yaml"
ITX4 = "ITX/transactions/ITX-4.yaml"
CT = "ITX/profiles/CT.yaml"
ATN = "ITX/profiles/ATN.yaml"
DOC = "ITX/profiles/DOC.yaml"
IMG = "RDX/profiles/IMG.yaml"
RPT = "RDX/profiles/RPT.yaml"
REPORT = "RDX/content/imaging-report.yaml"


def did_you_mean(problem, wanted: str) -> None:
    assert f"(did you mean '{wanted}'?)" in problem.message, problem.message


# --------------------------------------------------------------------------- duplicate-id

def test_actor_defined_in_two_domains(tree):
    tree["RDX/actors/time-client.yaml"] = make_actor("time-client", "Time Client")
    result = tree.validate()
    problem = expect(result, "duplicate-id", "RDX/actors/time-client.yaml", tree.line_of("RDX/actors/time-client.yaml", "id: time-client"))
    assert "ITX/actors/time-client.yaml" in problem.message
    assert with_rule(result, "duplicate-id") == [problem]


def test_option_id_used_twice_in_a_profile(tree):
    tree[DOC]["options"].append({"id": "folders", "name": "Folders again", "description": "Twice."})
    result = tree.validate()
    problem = expect(result, "duplicate-id", DOC, tree.line_of(DOC, "- id: folders", 2))
    assert "option id 'folders'" in problem.message


def test_use_case_id_used_twice(tree):
    tree[DOC]["use_cases"][1]["id"] = "share-a-document"
    result = tree.validate()
    problem = expect(result, "duplicate-id", DOC, tree.line_of(DOC, "- id: share-a-document", 2))
    assert "use case id" in problem.message


def test_standard_defined_in_two_domains(tree):
    tree["RDX/standards.yaml"] = {"standards": [{"id": "NTP-4", "title": "NTP again"}]}
    result = tree.validate()
    expect(result, "duplicate-id", "RDX/standards.yaml", tree.line_of("RDX/standards.yaml", "id: NTP-4"))


def test_standard_listed_twice_in_one_file(tree):
    tree["ITX/standards.yaml"]["standards"].append({"id": "HL7-V2", "title": "HL7 again"})
    result = tree.validate()
    expect(result, "duplicate-id", "ITX/standards.yaml", tree.line_of("ITX/standards.yaml", "id: HL7-V2", 2))


def test_option_ids_may_repeat_across_profiles(tree):
    tree[DOC]["options"][1]["id"] = "sntp"  # CT has an sntp option too
    tree[DOC]["actors"][0]["options"][1]["option"] = "sntp"
    tree[DOC]["actors"][0]["at_least_one_of"][0]["options"] = ["document-update", "sntp"]
    result = tree.validate()
    assert result.problems == [], show(result.problems)


# --------------------------------------------------------------------------- file-name-mismatch

def test_entity_file_named_differently_from_its_id(tree):
    tree["ITX/actors/time-clock.yaml"] = tree.files.pop("ITX/actors/time-client.yaml")
    result = tree.validate()
    problem = expect(result, "file-name-mismatch", "ITX/actors/time-clock.yaml", tree.line_of("ITX/actors/time-clock.yaml", "id: time-client"))
    assert "'time-client.yaml'" in problem.message


def test_profile_file_named_differently_from_its_acronym(tree):
    tree["ITX/profiles/ct.yaml"] = tree.files.pop(CT)
    result = tree.validate()
    expect(result, "file-name-mismatch", "ITX/profiles/ct.yaml", tree.line_of("ITX/profiles/ct.yaml", "acronym: CT"))


def test_domain_folder_named_differently_from_its_acronym(tree):
    tree["RDX/domain.yaml"]["acronym"] = "RDY"
    result = tree.validate()
    problem = expect(result, "file-name-mismatch", "RDX/domain.yaml", tree.line_of("RDX/domain.yaml", "acronym: RDY"))
    assert "'RDX'" in problem.message and "'RDY'" in problem.message


# --------------------------------------------------------------------------- near-duplicate-id

def test_actor_ids_differing_only_by_a_plural(tree):
    tree["ITX/actors/time-clients.yaml"] = make_actor("time-clients", "Time Clients")
    result = tree.validate()
    problem = expect(result, "near-duplicate-id", "ITX/actors/time-clients.yaml", tree.line_of("ITX/actors/time-clients.yaml", "id:"))
    assert not problem.is_error
    assert "'time-client'" in problem.message


def test_profile_acronyms_differing_only_in_punctuation(tree):
    tree["ITX/profiles/C-T.yaml"] = {**tree[CT], "acronym": "C-T", "chapter": 70}
    result = tree.validate()
    # reported on the later of the two in sorted order ("C-T" < "CT")
    problem = expect(result, "near-duplicate-id", CT, tree.line_of(CT, "acronym: CT"))
    assert "'C-T'" in problem.message


# --------------------------------------------------------------------------- transaction-domain

def test_transaction_in_the_wrong_domain(tree):
    tree["ITX/transactions/RDX-9.yaml"] = make_transaction("RDX-9", "Stray", "image-creator", "image-archive", [])
    result = tree.validate()
    problem = expect(result, "transaction-domain", "ITX/transactions/RDX-9.yaml", tree.line_of("ITX/transactions/RDX-9.yaml", "id: RDX-9"))
    assert "'ITX-'" in problem.message


# --------------------------------------------------------------------------- unknown-actor

def test_unknown_actor_in_a_transaction_role(tree):
    tree[ITX1]["roles"][0]["actor"] = "time-clinet"
    result = tree.validate()
    problem = expect(result, "unknown-actor", ITX1, tree.line_of(ITX1, "- actor: time-clinet"))
    did_you_mean(problem, "time-client")


def test_unknown_actor_in_a_profile(tree):
    tree[RPT]["actors"][1]["actor"] = "report-raeder"
    result = tree.validate()
    problem = expect(result, "unknown-actor", RPT, tree.line_of(RPT, "- actor: report-raeder"))
    did_you_mean(problem, "report-reader")


def test_unknown_actor_in_a_use_case_step(tree):
    tree[DOC]["use_cases"][0]["steps"][1]["from"] = "document-recipeint"
    result = tree.validate()
    problem = expect(result, "unknown-actor", DOC, tree.line_of(DOC, "- from: document-recipeint"))
    did_you_mean(problem, "document-recipient")


def test_grouping_for_an_actor_not_in_the_profile(tree):
    tree[DOC]["groupings"][0]["actor"] = "time-client"
    result = tree.validate()
    problem = expect(result, "unknown-actor", DOC, tree.line_of(DOC, "- actor: time-client"))
    assert "not an actor of DOC" in problem.message


def test_grouping_with_an_actor_not_in_the_target_profile(tree):
    tree[IMG]["groupings"][0]["with"][0]["actor"] = "time-clients"
    result = tree.validate()
    problem = expect(result, "unknown-actor", IMG, tree.line_of(IMG, "- profile: CT"))
    did_you_mean(problem, "time-client")
    assert "its actors are time-server, time-client" in problem.message


def test_unknown_actor_far_from_any_has_no_suggestion(tree):
    tree[ITX1]["roles"][0]["actor"] = "zebra"
    result = tree.validate()
    assert "did you mean" not in expect(result, "unknown-actor", ITX1).message


# --------------------------------------------------------------------------- unknown-transaction

def test_unknown_transaction_of_a_profile_actor(tree):
    tree[CT]["actors"][0]["transactions"][0]["transaction"] = "ITX-11"
    result = tree.validate()
    problem = expect(result, "unknown-transaction", CT, tree.line_of(CT, "- transaction: ITX-11"))
    did_you_mean(problem, "ITX-1")


def test_unknown_transaction_of_an_option(tree):
    tree[DOC]["options"][0]["transactions"] = ["ITX-33"]
    result = tree.validate()
    problem = expect(result, "unknown-transaction", DOC, tree.line_of(DOC, "- id: document-update"))
    assert problem.message.startswith("option 'document-update': unknown transaction 'ITX-33'")
    did_you_mean(problem, "ITX-3")


def test_unknown_transaction_in_a_use_case_step(tree):
    tree[DOC]["use_cases"][0]["steps"][0]["transaction"] = "ITX-22"
    result = tree.validate()
    problem = expect(result, "unknown-transaction", DOC, tree.line_of(DOC, "- from: document-source"))
    did_you_mean(problem, "ITX-2")


# --------------------------------------------------------------------------- unknown-profile

def test_grouping_with_an_unknown_profile(tree):
    tree[IMG]["groupings"][0]["with"][0]["profile"] = "CTT"
    result = tree.validate()
    problem = expect(result, "unknown-profile", IMG, tree.line_of(IMG, "- profile: CTT"))
    did_you_mean(problem, "CT")


def test_profile_acronym_in_the_wrong_case_is_suggested(tree):
    tree[IMG]["groupings"][1]["with"][1]["profile"] = "doc"
    result = tree.validate()
    did_you_mean(expect(result, "unknown-profile", IMG, tree.line_of(IMG, "profile: doc")), "DOC")


# --------------------------------------------------------------------------- unknown-option

def test_actor_claims_an_unknown_option(tree):
    tree[CT]["actors"][1]["options"][0]["option"] = "sntpp"
    result = tree.validate()
    problem = expect(result, "unknown-option", CT, tree.line_of(CT, "- option: sntpp"))
    did_you_mean(problem, "sntp")


def test_option_requires_an_unknown_option(tree):
    tree[DOC]["options"][1]["requires"] = ["document-updates"]
    result = tree.validate()
    problem = expect(result, "unknown-option", DOC, tree.line_of(DOC, "- id: folders"))
    assert "requires" in problem.message
    did_you_mean(problem, "document-update")


def test_when_option_not_offered_by_the_grouped_actor(tree):
    tree[DOC]["groupings"][1]["when_option"] = "folders"
    result = tree.validate()
    problem = expect(result, "unknown-option", DOC, tree.line_of(DOC, "- actor: document-recipient", 2))
    assert "when_option 'folders'" in problem.message


def test_grouping_asks_for_an_option_the_target_profile_lacks(tree):
    tree[DOC]["groupings"][1]["with"][0]["options"] = ["secure-ntp"]
    result = tree.validate()
    problem = expect(result, "unknown-option", DOC, tree.line_of(DOC, "- profile: CT"))
    did_you_mean(problem, "secured-ntp")


def test_grouping_asks_for_an_option_the_target_actor_does_not_offer(tree):
    tree[DOC]["groupings"][1]["with"][0].update(actor="time-server", options=["sntp"])
    result = tree.validate()
    problem = expect(result, "unknown-option", DOC, tree.line_of(DOC, "- profile: CT"))
    assert "not offered by 'time-server' in CT" in problem.message


# --------------------------------------------------------------------------- unknown-content

def test_unknown_content_module(tree):
    tree[RPT]["actors"][0]["content_modules"][0]["module"] = "imaging-reports"
    result = tree.validate()
    problem = expect(result, "unknown-content", RPT, tree.line_of(RPT, "- module: imaging-reports"))
    did_you_mean(problem, "imaging-report")


# --------------------------------------------------------------------------- unknown-standard

def test_unknown_standard_of_a_transaction(tree):
    tree[ITX1]["standards"] = ["NTP4"]
    result = tree.validate()
    problem = expect(result, "unknown-standard", ITX1, tree.line_of(ITX1, "- NTP4"))
    did_you_mean(problem, "NTP-4")


def test_unknown_standard_of_a_content_module(tree):
    tree[REPORT]["standards"] = ["HL7-V3"]
    result = tree.validate()
    problem = expect(result, "unknown-standard", REPORT, tree.line_of(REPORT, "- HL7-V3"))
    did_you_mean(problem, "HL7-V2")


# --------------------------------------------------------------------------- duplicate-entry

def test_role_given_twice(tree):
    tree[ITX1]["roles"].append({"actor": "time-server", "role": "responder"})
    result = tree.validate()
    expect(result, "duplicate-entry", ITX1, tree.line_of(ITX1, "- actor: time-server", 2))


def test_actor_listed_twice_in_a_profile(tree):
    tree[IMG]["actors"].append({"actor": "image-archive", "transactions": [{"transaction": "RDX-1", "optionality": "O"}]})
    result = tree.validate()
    expect(result, "duplicate-entry", IMG, tree.line_of(IMG, "- actor: image-archive", 2))


def test_transaction_listed_twice_for_an_actor(tree):
    tree[CT]["actors"][0]["transactions"].append({"transaction": "ITX-1", "optionality": "O"})
    result = tree.validate()
    expect(result, "duplicate-entry", CT, tree.line_of(CT, "- transaction: ITX-1", 2))


# --------------------------------------------------------------------------- roles-incomplete

def test_transaction_without_a_responder(tree):
    tree[ITX4]["roles"].pop()
    result = tree.validate()
    problem = expect(result, "roles-incomplete", ITX4, tree.line_of(ITX4, "id: ITX-4"))
    assert not problem.is_error
    assert "no responder" in problem.message


# --------------------------------------------------------------------------- duplicate-chapter

def test_two_profiles_of_a_domain_with_one_chapter(tree):
    tree[DOC]["chapter"] = 9  # ATN's
    result = tree.validate()
    problem = expect(result, "duplicate-chapter", DOC, tree.line_of(DOC, "chapter: 9"))
    assert "ATN" in problem.message


def test_duplicate_chapter_is_blamed_on_the_newcomer_not_the_file_sorted_first(tree):
    # A public-comment profile "AAA" takes ATN's chapter 9. AAA sorts before ATN, but ATN (final text)
    # had the number first: the error is AAA's, and names where ATN's chapter is.
    tree["ITX/profiles/AAA.yaml"] = {**tree[ATN], "acronym": "AAA", "status": "public-comment", "groupings": []}
    del tree["ITX/profiles/AAA.yaml"]["groupings"]
    result = tree.validate()
    problem = expect(result, "duplicate-chapter", "ITX/profiles/AAA.yaml", tree.line_of("ITX/profiles/AAA.yaml", "chapter: 9"))
    assert "already ATN's (" in problem.message and f"ATN.yaml:{tree.line_of(ATN, 'chapter: 9')}:" in problem.message
    assert "give AAA a free chapter number" in problem.message
    assert len(with_rule(result, "duplicate-chapter")) == 1, show(result.problems)


def test_duplicate_chapter_between_equals_is_blamed_on_the_file_sorted_later(tree):
    tree[ATN]["status"] = "trial-implementation"
    tree["ITX/profiles/AAA.yaml"] = {**tree[ATN], "acronym": "AAA"}
    del tree["ITX/profiles/AAA.yaml"]["groupings"]
    result = tree.validate()
    problem = expect(result, "duplicate-chapter", ATN, tree.line_of(ATN, "chapter: 9"))
    assert "already AAA's (" in problem.message and "AAA.yaml:" in problem.message


def test_same_chapter_in_two_domains_is_fine(tree):
    tree[IMG]["chapter"] = 7  # CT's chapter, but IMG is in RDX
    result = tree.validate()
    assert result.problems == [], show(result.problems)


def test_two_content_modules_with_one_section(tree):
    tree["RDX/content/other-report.yaml"] = {**tree[REPORT], "id": "other-report", "name": "Other Report"}
    result = tree.validate()
    problem = expect(result, "duplicate-chapter", "RDX/content/other-report.yaml", tree.line_of("RDX/content/other-report.yaml", "id: other-report"))
    assert "'imaging-report'" in problem.message and "imaging-report.yaml:" in problem.message


# --------------------------------------------------------------------------- actor-without-role

def test_profile_actor_with_a_transaction_it_has_no_role_in(tree):
    tree[CT]["actors"][0]["transactions"].append({"transaction": "ITX-2", "optionality": "O"})
    result = tree.validate()
    problem = expect(result, "actor-without-role", CT, tree.line_of(CT, "- transaction: ITX-2"))
    assert "'time-server' has no role in ITX-2" in problem.message


def test_misspelled_role_actor_is_reported_once(tree):
    # The README promises one report per typo: not also "time-client has no role in ITX-1; roles are given to time-clinet".
    tree[ITX1]["roles"][0]["actor"] = "time-clinet"
    result = tree.validate()
    problem = expect(result, "unknown-actor", ITX1, tree.line_of(ITX1, "actor: time-clinet"))
    did_you_mean(problem, "time-client")
    assert with_rule(result, "actor-without-role") == [], show(result.problems)
    assert result.errors == [problem], show(result.problems)


# --------------------------------------------------------------------------- empty-actor

def test_profile_actor_with_nothing_to_do(tree):
    del tree[IMG]["actors"][1]["transactions"]
    result = tree.validate()
    problem = expect(result, "empty-actor", IMG, tree.line_of(IMG, "- actor: image-archive"))
    assert not problem.is_error


# --------------------------------------------------------------------------- options

def test_option_adds_a_transaction_the_actor_does_not_list(tree):
    tree[DOC]["actors"][0]["transactions"].pop()  # ITX-3, which document-update adds
    result = tree.validate()
    problem = expect(result, "option-transaction-missing", DOC, tree.line_of(DOC, "- option: document-update"))
    assert "adds ITX-3" in problem.message


def test_option_requires_an_option_the_actor_does_not_offer(tree):
    source = tree[DOC]["actors"][0]
    source["options"] = [{"option": "folders"}]
    del source["at_least_one_of"]
    result = tree.validate()
    problem = expect(result, "option-requires", DOC, tree.line_of(DOC, "- option: folders"))
    assert "requires option 'document-update'" in problem.message


def test_at_least_one_of_names_a_transaction_not_listed(tree):
    tree[DOC]["actors"][1]["at_least_one_of"][0]["transactions"] = ["ITX-2", "ITX-1"]
    result = tree.validate()
    problem = expect(result, "at-least-one-of", DOC, tree.line_of(DOC, "- transactions:"))
    assert "ITX-1" in problem.message


def test_at_least_one_of_names_an_option_not_offered(tree):
    tree[DOC]["actors"][0]["at_least_one_of"][0]["options"] = ["document-update", "sntp"]
    result = tree.validate()
    problem = expect(result, "at-least-one-of", DOC, tree.line_of(DOC, "- options:"))
    assert "'sntp'" in problem.message


def test_option_offered_by_no_actor(tree):
    tree[DOC]["options"].append({"id": "archiving", "name": "Archiving", "description": "Keeps old documents."})
    result = tree.validate()
    problem = expect(result, "unused-option", DOC, tree.line_of(DOC, "- id: archiving"))
    assert not problem.is_error


# --------------------------------------------------------------------------- groupings

def test_actor_grouped_with_itself(tree):
    tree[DOC]["groupings"][0]["with"] = [{"profile": "DOC", "actor": "document-source"}]
    result = tree.validate()
    expect(result, "grouping-self", DOC, tree.line_of(DOC, "- profile: DOC"))


def test_circular_required_grouping(tree):
    # ATN secure-node is grouped with CT time-client; grouping back closes a circle.
    tree[CT]["groupings"] = [{"actor": "time-client", "with": [{"profile": "ATN", "actor": "secure-node"}]}]
    result = tree.validate()
    # Reported at every grouping of the circle, each in its own file: the one just added (CT) among them.
    problem = expect(result, "grouping-cycle", CT, tree.line_of(CT, "- actor: time-client", 2))
    assert "CT time-client -> ATN secure-node -> CT time-client" in problem.message
    other = expect(result, "grouping-cycle", ATN, tree.line_of(ATN, "- actor: secure-node", 2))
    assert "ATN secure-node -> CT time-client -> ATN secure-node" in other.message
    assert len(with_rule(result, "grouping-cycle")) == 2


def test_circular_grouping_across_domains(tree):
    tree[CT]["groupings"] = [{"actor": "time-client", "with": [{"profile": "IMG", "actor": "image-creator"}]}]
    result = tree.validate()
    expect(result, "grouping-cycle", CT, tree.line_of(CT, "- actor: time-client", 2))
    problem = expect(result, "grouping-cycle", IMG, tree.line_of(IMG, "- actor: image-creator", 2))
    assert "IMG image-creator -> CT time-client -> IMG image-creator" in problem.message
    assert len(with_rule(result, "grouping-cycle")) == 2, show(result.problems)


def test_three_step_grouping_cycle_is_reported_in_each_file(tree):
    # CT time-client -> DOC document-source -> ATN secure-node -> CT time-client
    tree[CT]["groupings"] = [{"actor": "time-client", "with": [{"profile": "DOC", "actor": "document-source"}]}]
    result = tree.validate()
    cycles = with_rule(result, "grouping-cycle")
    assert sorted(p.loc.file.rsplit("/", 1)[-1] for p in cycles) == ["ATN.yaml", "CT.yaml", "DOC.yaml"], show(result.problems)
    expect(result, "grouping-cycle", DOC, tree.line_of(DOC, "- actor: document-source", 2))


@pytest.mark.parametrize("condition", [{"kind": "recommended"}, {"when_option": "sntp"}, {"condition": "When audit is needed."}])
def test_conditional_or_recommended_grouping_does_not_close_a_circle(tree, condition):
    grouping = {"actor": "time-client", "with": [{"profile": "ATN", "actor": "secure-node"}], **condition}
    tree[CT]["groupings"] = [grouping]
    result = tree.validate()
    assert result.problems == [], show(result.problems)


def test_use_case_step_by_an_actor_outside_the_profile(tree):
    tree[DOC]["use_cases"][0]["steps"][1]["from"] = "time-client"
    result = tree.validate()
    problem = expect(result, "step-actor", DOC, tree.line_of(DOC, "- from: time-client"))
    assert not problem.is_error


def test_use_case_step_naming_a_transaction_outside_the_profile(tree):
    tree[DOC]["use_cases"][0]["steps"][0]["transaction"] = "ITX-1"  # CT's
    result = tree.validate()
    problem = expect(result, "step-transaction", DOC, tree.line_of(DOC, "- from: document-source"))
    assert not problem.is_error
    assert "names ITX-1, which no actor of DOC uses" in problem.message


def test_grouping_row_given_twice(tree):
    tree[DOC]["groupings"].append({"actor": "document-source", "with": [{"profile": "ATN", "actor": "secure-node"}]})
    result = tree.validate()
    problem = expect(result, "duplicate-entry", DOC, tree.line_of(DOC, "- actor: document-source", 3))
    assert f"DOC.yaml:{tree.line_of(DOC, '- actor: document-source', 2)}:" in problem.message


def test_grouping_alternative_named_twice(tree):
    tree[IMG]["groupings"][1]["with"].append({"profile": "ATN", "actor": "secure-node"})
    result = tree.validate()
    problem = expect(result, "duplicate-entry", IMG, tree.line_of(IMG, "- profile: ATN", 2))
    assert "ATN secure-node is named twice" in problem.message


def test_same_grouping_under_another_condition_is_not_a_duplicate(tree):
    tree[DOC]["groupings"].append({"actor": "document-source", "with": [{"profile": "ATN", "actor": "secure-node"}], "kind": "recommended"})
    result = tree.validate()
    assert result.problems == [], show(result.problems)


def test_leftover_scaffold_text(tree):
    tree[DOC]["use_cases"][1]["description"] = "A correction follows. TODO: describe in your own words."
    result = tree.validate()
    line = tree.line_of(DOC, "TODO: describe")
    problem = expect(result, "todo-text", DOC, line, col=tree.col_of(DOC, "TODO: describe"))
    assert not problem.is_error


def test_other_todo_words_are_not_placeholder_text(tree):
    tree[DOC]["use_cases"][1]["description"] = "TODOS, todo lists and a TODO: list of steps are the author's own."
    result = tree.validate()
    assert result.problems == [], show(result.problems)


def test_markdown_image_in_narrative(tree):
    tree[DOC]["overview"] += "The flow:\n\n![flow](flow.png)\n"
    result = tree.validate()
    line = tree.line_of(DOC, "![flow](flow.png)")
    problem = expect(result, "narrative-image", DOC, line, col=tree.col_of(DOC, "![flow]"))
    assert problem.is_error and "image 'flow.png': no such file" in problem.message  # images are published; this one is missing


def test_image_syntax_in_code_is_not_an_image(tree):
    tree[DOC]["overview"] += "Write `![alt](src)` for an image elsewhere.\n"
    result = tree.validate()
    assert result.problems == [], show(result.problems)


# --------------------------------------------------------------------------- unused-*

def test_actor_in_no_profile(tree):
    tree["ITX/actors/audit-repository.yaml"] = make_actor("audit-repository", "Audit Repository")
    result = tree.validate()
    problem = expect(result, "unused-actor", "ITX/actors/audit-repository.yaml", tree.line_of("ITX/actors/audit-repository.yaml", "id:"))
    assert not problem.is_error


def test_transaction_in_no_profile(tree):
    tree["ITX/transactions/ITX-5.yaml"] = make_transaction("ITX-5", "Spare", "time-client", "time-server", [])
    result = tree.validate()
    problem = expect(result, "unused-transaction", "ITX/transactions/ITX-5.yaml", tree.line_of("ITX/transactions/ITX-5.yaml", "id: ITX-5"))
    assert not problem.is_error


# --------------------------------------------------------------------------- unresolved-reference

def test_unresolved_references_in_a_literal_block_are_located_exactly(tree):
    tree[DOC]["overview"] = "First line, fine: [[ITX-1]].\nThen [[ITX-99]] and\n  indented [[actor:time-clinet]] here.\n"
    result = tree.validate()
    tree.write()
    problems = [p for p in with_rule(result, "unresolved-reference") if p.loc.file.endswith(DOC)]
    where = [(p.loc.line, p.loc.col) for p in problems]
    assert where == [
        (tree.line_of(DOC, "Then [[ITX-99]]"), tree.col_of(DOC, "[[ITX-99]]")),
        (tree.line_of(DOC, "indented [[actor"), tree.col_of(DOC, "[[actor:time-clinet]]")),
    ], show(result.problems)
    assert "[[transaction:ITX-99]] names no transaction" in problems[0].message
    did_you_mean(problems[1], "time-client")


def test_unresolved_reference_in_a_plain_scalar(tree):
    tree[REPORT]["summary"] = "See the [[profile:RPTT]] profile."
    result = tree.validate()
    tree.write()
    problem = expect(result, "unresolved-reference", REPORT, tree.line_of(REPORT, "summary:"), col=tree.col_of(REPORT, "[[profile"))
    did_you_mean(problem, "RPT")


def test_unresolved_reference_in_a_folded_block(tree):
    tree.write()
    text = tree.text(ITX1).replace("scope: Maintain Time, for tests.", "scope: >-\n  Keeps time, for tests,\n  as [[profile:CT]] says, with [[XX]].")
    tree[ITX1] = text
    result = tree.validate()
    expect(result, "unresolved-reference", ITX1, tree.line_of(ITX1, "with [[XX]]"), col=tree.col_of(ITX1, "[[XX]]"))


@pytest.mark.parametrize(
    "ref, words",
    [
        ("[[option:DOC/archiving]]", "names no option"),
        ("[[option:NOPE/folders]]", "names no option"),
        ("[[content:imaging]]", "names no content"),
        ("[[standard:NTP-5]]", "names no standard"),
        ("[[RDX-2|the second]]", "names no transaction"),
        ("[[IMGG]]", "names no profile"),
        ("[[glossary:Affinity Domain]]", "unknown reference kind 'glossary'"),
    ],
)
def test_each_kind_of_reference_is_checked(tree, ref, words):
    tree["ITX/glossary.yaml"]["terms"][1]["definition"] = f"Clocks agree; see {ref}."
    result = tree.validate()
    problem = expect(result, "unresolved-reference", "ITX/glossary.yaml")
    assert words in problem.message


def test_references_in_domain_files_are_checked(tree):
    tree["RDX/domain.yaml"]["description"] = "Built on [[profile:CTX]].\n"
    result = tree.validate()
    tree.write()
    expect(result, "unresolved-reference", "RDX/domain.yaml", tree.line_of("RDX/domain.yaml", "Built on"), col=tree.col_of("RDX/domain.yaml", "[[profile:CTX]]"))


def test_image_syntax_in_a_name_or_step_is_plain_text_not_an_image(tree):
    """Names and step texts are shown as the characters they are (render/plain_text.py): nothing is
    dropped, so image syntax there is no narrative-image error."""
    tree["ITX/actors/time-client.yaml"]["name"] = "Time Client ![i](x.png)"
    result = tree.validate()
    assert not with_rule(result, "narrative-image"), show(result.problems)
