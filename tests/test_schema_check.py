"""generator.load.schema_check: each kind of schema error becomes one located, readable problem.

Each test breaks one field of the valid fixture framework (see conftest.py) and
checks the rule id, the file and the line of the problem.
"""

from __future__ import annotations

import pytest
from conftest import expect, show, with_rule

DOC = "ITX/profiles/DOC.yaml"
CT = "ITX/profiles/CT.yaml"
ACTOR = "ITX/actors/time-client.yaml"


def test_misspelt_key_is_reported_at_the_key_with_a_suggestion(tree):
    actor = tree[ACTOR]
    actor["definiton"] = actor.pop("definition")
    result = tree.validate()
    problem = expect(result, "schema-additionalProperties", ACTOR, tree.line_of(ACTOR, "definiton:"), col=1)
    assert "unknown key 'definiton'" in problem.message
    assert "did you mean 'definition'?" in problem.message


def test_unknown_key_far_from_any_lists_the_allowed_keys(tree):
    tree[DOC]["actors"][0]["colour"] = "blue"
    result = tree.validate()
    problem = expect(result, "schema-additionalProperties", DOC, tree.line_of(DOC, "colour: blue"), col=3)
    assert "did you mean" not in problem.message
    assert "allowed here:" in problem.message and "transactions" in problem.message


def test_missing_required_key(tree):
    del tree[DOC]["use_cases"][1]["title"]
    result = tree.validate()
    problem = expect(result, "schema-required", DOC, tree.line_of(DOC, "- id: update-a-document"))
    assert problem.message == "missing required key 'title'"


def test_condition_is_required_for_conditional_optionality(tree):
    """The if/then in the schema: optionality C needs a condition."""
    row = tree[DOC]["actors"][1]["transactions"][1]
    del row["condition"]
    result = tree.validate()
    problem = expect(result, "schema-required", DOC, tree.line_of(DOC, "- transaction: ITX-3", 2))
    assert "'condition'" in problem.message


def test_condition_is_optional_for_required_optionality(tree):
    tree[DOC]["actors"][1]["transactions"][1]["optionality"] = "R"
    del tree[DOC]["actors"][1]["transactions"][1]["condition"]
    result = tree.validate()
    assert result.problems == [], show(result.problems)


@pytest.mark.parametrize(
    "rel, change, needle, words",
    [
        (CT, lambda d: d.update(chapter="seven"), "chapter: seven", "expected a whole number here, found text"),
        (ACTOR, lambda d: d.update(name=["Time", "Client"]), "- Time", "expected text here, found a list"),
        (DOC, lambda d: d["actors"][0].update(options={"option": "folders"}), "    option: folders", "expected a list"),
        (DOC, lambda d: d["actors"][1]["options"][0].update(required="yes"), "required: 'yes'", "expected true or false"),
    ],
)
def test_wrong_type(tree, rel, change, needle, words):
    change(tree[rel])
    result = tree.validate()
    problem = expect(result, "schema-type", rel, None)
    tree.write()
    assert problem.loc.line == tree.line_of(rel, needle), show(result.problems)
    assert words in problem.message


def test_mapping_expected_but_list_given(tree):
    tree[ACTOR] = "- id: time-client\n- name: Time Client\n"
    result = tree.validate()
    problem = expect(result, "schema-type", ACTOR, 1)
    assert "expected a mapping" in problem.message and "found a list" in problem.message


def test_enum(tree):
    tree[DOC]["actors"][0]["transactions"][0]["optionality"] = "M"
    result = tree.validate()
    problem = expect(result, "schema-enum", DOC, tree.line_of(DOC, "optionality: M"))
    assert "'M' is not allowed here; use one of: R, O, C" == problem.message


def test_pattern_with_its_description(tree):
    tree[ACTOR]["id"] = "Time_Client"
    result = tree.validate()
    problem = expect(result, "schema-pattern", ACTOR, tree.line_of(ACTOR, "id: Time_Client"))
    assert "'Time_Client' is not in the expected form" in problem.message
    assert "lower-case words joined by hyphens" in problem.message


def test_pattern_refuses_an_id_with_a_path(tree):
    tree[DOC]["actors"][0]["actor"] = "../../etc/passwd"
    result = tree.validate()
    expect(result, "schema-pattern", DOC, tree.line_of(DOC, "actor: ../../etc/passwd"))


def test_min_items(tree):
    tree[DOC]["groupings"][0]["with"] = []
    result = tree.validate()
    problem = expect(result, "schema-minItems", DOC, tree.line_of(DOC, "with: []"))
    assert "at least 1 item" in problem.message


def test_unique_items(tree):
    tree[DOC]["options"][0]["transactions"] = ["ITX-3", "ITX-3"]
    result = tree.validate()
    expect(result, "schema-uniqueItems", DOC, tree.line_of(DOC, "  transactions:", 3) + 1)


def test_at_least_one_of_with_both_transactions_and_options(tree):
    tree[DOC]["actors"][0]["at_least_one_of"][0]["transactions"] = ["ITX-2", "ITX-3"]
    result = tree.validate()
    problem = expect(result, "schema-oneOf", DOC, tree.line_of(DOC, "at_least_one_of:") + 1)
    assert "either 'transactions' or 'options'" in problem.message


def test_at_least_one_of_with_neither(tree):
    tree[DOC]["actors"][0]["at_least_one_of"] = [{"note": "nothing to choose from"}]
    result = tree.validate()
    expect(result, "schema-oneOf", DOC, tree.line_of(DOC, "note: nothing to choose from"))


def test_min_length(tree):
    tree[ACTOR]["definition"] = ""
    result = tree.validate()
    problem = expect(result, "schema-minLength", ACTOR, tree.line_of(ACTOR, "definition:"))
    assert problem.message == "this text must not be empty"


def test_maximum(tree):
    tree[CT]["chapter"] = 1000
    result = tree.validate()
    expect(result, "schema-maximum", CT, tree.line_of(CT, "chapter: 1000"))


def test_every_schema_error_of_a_file_is_reported(tree):
    actor = tree[ACTOR]
    actor["id"] = "Bad Id"
    actor["status"] = "draft"
    del actor["name"]
    result = tree.validate()
    rules = sorted(p.rule for p in result.problems if p.loc.file.endswith(ACTOR))
    assert rules == ["schema-enum", "schema-pattern", "schema-required"], show(result.problems)


@pytest.mark.parametrize(
    "rel, value",
    [
        ("ITX/domain.yaml", {"acronym": "ITX"}),
        ("ITX/glossary.yaml", {"terms": [{"term": "x"}]}),
        ("ITX/standards.yaml", {"standards": [{"id": "x y", "title": "T"}]}),
        ("ITX/transactions/ITX-1.yaml", {"id": "ITX-1"}),
        ("RDX/content/imaging-report.yaml", {"id": "imaging-report", "name": "X", "section": "five", "summary": "s"}),
    ],
)
def test_each_kind_of_file_is_checked_against_its_own_schema(tree, rel, value):
    tree[rel] = value
    result = tree.validate()
    assert any(p.rule.startswith("schema-") and p.loc.file.endswith(rel) for p in result.problems), show(result.problems)
    assert with_rule(result, "schema-additionalProperties") == []


def test_every_unknown_key_of_a_mapping_is_reported(tree):
    actor = tree[ACTOR]
    actor["nmae"] = actor.pop("name")
    actor["colour"] = "blue"
    result = tree.validate()
    problems = [p for p in result.problems if p.rule == "schema-additionalProperties"]
    assert [(p.loc.line, p.message.split(";")[0]) for p in problems] == [
        (tree.line_of(ACTOR, "nmae:"), "unknown key 'nmae'"),
        (tree.line_of(ACTOR, "colour:"), "unknown key 'colour'"),
    ], show(result.problems)


def test_a_multi_line_value_in_a_message_stays_on_one_line(tree):
    tree[DOC]["status"] = "trial\nimplementation"
    result = tree.validate()
    problem = expect(result, "schema-enum", DOC, tree.line_of(DOC, "status:"))
    assert "\n" not in problem.message and "trial" in problem.message
