"""A transaction's stated ``diagram``: bad structure is refused where it is written.

Each test writes one mistake into a copy of the small test framework (conftest
``tree``), runs the real validator, and expects one located error with its rule and
a message that says what to do: a step that is two kinds at once or none, a key that
does not fit its step, an unknown actor or one that is not a lifeline, a message the
transaction does not have or one never drawn, several lifelines in one role with no
``from``, an empty fragment, an ``else`` outside an ``alt``, a bar ended that was
never started. A correct diagram with every construct validates clean.
"""

from __future__ import annotations

from conftest import expect, make_actor, show

ITX2 = "ITX/transactions/ITX-2.yaml"


def _diagram(tree, steps, **extra):
    tree[ITX2]["diagram"] = {"steps": steps, **extra}


def test_a_diagram_with_every_construct_validates_clean(tree):
    _diagram(tree, [
        {"divider": "Publish"},
        {"note": "Starts when a document is ready", "over": ["document-source", "document-recipient"]},
        {"message": 1, "second_line": "HTTP POST <Base>/Bundle"},
        {"activate": "document-recipient"},
        {"self": "document-recipient", "text": "validate", "optional": True},
        {"deactivate": "document-recipient"},
        {"alt": "accepted", "steps": [{"message": 2, "arrow": "solid"}]},
        {"else": "refused", "steps": [{"message": 2, "text": "Error"}]},
        {"opt": "when asked", "steps": [{"note": "logs it", "right_of": "document-recipient"}]},
        {"loop": "each document", "steps": [{"group": "inner", "steps": [{"self": "document-source", "text": "check"}]}]},
    ], autonumber=False, activate=["document-source"])
    result = tree.validate()
    assert result.problems == [], show(result.problems)


def test_a_step_of_two_kinds(tree):
    _diagram(tree, [{"message": 1, "divider": "X"}, {"message": 2}])
    result = tree.validate()
    line = tree.line_of(ITX2, "- message: 1")
    problem = expect(result, "sequence-step", ITX2, line)
    assert "both message and divider" in problem.message and "two steps" in problem.message


def test_a_key_that_does_not_fit_its_step(tree):
    _diagram(tree, [{"message": 1, "steps": [{"message": 2}]}, {"divider": "D", "arrow": "dashed"}])
    result = tree.validate()
    problems = [p for p in result.problems if p.rule == "sequence-step"]
    assert len(problems) == 2, show(result.problems)
    assert problems[0].loc.line == tree.line_of(ITX2, "steps:", 2)
    assert "'steps' does not belong on a message step" in problems[0].message
    assert problems[1].loc.line == tree.line_of(ITX2, "arrow: dashed")
    assert "'arrow' does not belong on a divider step" in problems[1].message


def test_an_unknown_actor_and_one_that_is_not_a_lifeline(tree):
    tree["ITX/actors/bystander.yaml"] = make_actor("bystander", "Bystander")
    _diagram(tree, [{"message": 1}, {"self": "document-recipent", "text": "x"}, {"note": "n", "left_of": "bystander"}, {"message": 2}])
    result = tree.validate()
    unknown = expect(result, "unknown-actor", ITX2, tree.line_of(ITX2, "self: document-recipent"))
    assert "did you mean 'document-recipient'" in unknown.message
    stranger = expect(result, "sequence-participant", ITX2, tree.line_of(ITX2, "left_of: bystander"))
    assert "'bystander' is not a participant" in stranger.message


def test_a_participant_without_a_role(tree):
    tree["ITX/actors/bystander.yaml"] = make_actor("bystander", "Bystander")
    _diagram(tree, [{"message": 1}, {"message": 2}], participants=["document-source", "document-recipient", "bystander"])
    problem = expect(tree.validate(), "sequence-participant", ITX2, tree.line_of(ITX2, "- bystander"))
    assert "has no role in ITX-2" in problem.message


def test_an_actor_with_a_role_needs_a_lifeline(tree):
    _diagram(tree, [{"message": 1, "to": "document-source"}, {"message": 2}], participants=["document-source"])
    result = tree.validate()
    problems = [p for p in result.problems if p.rule == "sequence-participant"]
    missing = next(p for p in problems if "has no lifeline" in p.message)
    assert missing.loc.line == tree.line_of(ITX2, "participants:")
    assert "'document-recipient' plays the responder of ITX-2" in missing.message


def test_a_message_the_transaction_does_not_have_and_one_never_drawn(tree):
    _diagram(tree, [{"message": 1}, {"message": 3}])
    result = tree.validate()
    problems = [p for p in result.problems if p.rule == "sequence-message"]
    assert len(problems) == 2, show(result.problems)
    absent = next(p for p in problems if "no message 3" in p.message)
    assert absent.loc.line == tree.line_of(ITX2, "- message: 3")
    undrawn = next(p for p in problems if p is not absent)
    assert undrawn.loc.line == tree.line_of(ITX2, "  steps:")
    assert "message 2 of ITX-2 (Provide Document Response) is not in the diagram; add '- message: 2'" in undrawn.message


def test_several_lifelines_in_one_role_need_from(tree):
    tree["ITX/actors/mobile-source.yaml"] = make_actor("mobile-source", "Mobile Source")
    tree[ITX2]["roles"].append({"actor": "mobile-source", "role": "initiator"})
    _diagram(tree, [{"message": 1, "from": "mobile-source"}, {"message": 1}, {"message": 2, "to": "document-source"}],
             participants=["document-source", "document-recipient", "mobile-source"])
    result = tree.validate()
    problem = expect(result, "sequence-message", ITX2, tree.line_of(ITX2, "- message: 1", 2))
    assert "say which with 'from:'" in problem.message


def test_an_empty_fragment_and_an_else_outside_an_alt(tree):
    _diagram(tree, [{"message": 1}, {"opt": "maybe"}, {"else": "otherwise", "steps": [{"message": 2}]}, {"loop": "again", "steps": []}])
    result = tree.validate()
    problems = [p for p in result.problems if p.rule == "sequence-fragment"]
    assert [p.loc.line for p in problems] == [tree.line_of(ITX2, "opt: maybe"), tree.line_of(ITX2, "else: otherwise"), tree.line_of(ITX2, "loop: again")], show(result.problems)
    assert "this opt holds no steps" in problems[0].message
    assert "an else step must follow an alt step" in problems[1].message
    assert "this loop holds no steps" in problems[2].message


def test_a_note_needs_one_position_and_a_bar_must_be_started(tree):
    _diagram(tree, [{"message": 1}, {"note": "where?"}, {"deactivate": "document-source"}, {"message": 2}], activate=False)
    result = tree.validate()
    note = expect(result, "sequence-note", ITX2, tree.line_of(ITX2, "note: where?"))
    assert "exactly one of over, left_of or right_of" in note.message
    bar = expect(result, "sequence-activation", ITX2, tree.line_of(ITX2, "deactivate: document-source"))
    assert "activate it first" in bar.message


def test_schema_refuses_a_misspelt_step_key_and_a_bad_arrow(tree):
    _diagram(tree, [{"mesage": 1}, {"message": 2, "arrow": "dotted"}, {"message": 1}])
    result = tree.validate()
    typo = expect(result, "schema-additionalProperties", ITX2, tree.line_of(ITX2, "mesage: 1"))
    assert "did you mean 'message'" in typo.message
    arrow = expect(result, "schema-enum", ITX2, tree.line_of(ITX2, "arrow: dotted"))
    assert "solid, dashed" in arrow.message


DOC = "ITX/profiles/DOC.yaml"


def test_a_use_case_diagram_is_checked_too(tree):
    tree["ITX/actors/bystander.yaml"] = make_actor("bystander", "Bystander")
    tree[DOC]["use_cases"][0]["diagram"] = {
        "participants": ["document-source", "bystander"],
        "steps": [{"message": 1}, {"message": 3}, {"else": "x", "steps": [{"message": 2}]}],
    }
    result = tree.validate()
    stranger = next(p for p in result.problems if p.rule == "sequence-participant" and "bystander" in p.message)
    assert stranger.loc.line == tree.line_of(DOC, "- bystander") and "is not an actor of DOC" in stranger.message
    receiver = next(p for p in result.problems if p.rule == "sequence-participant" and "names 'document-recipient'" in p.message)
    assert receiver.loc.line == tree.line_of(DOC, "- message: 1") and "step 1 of use case 'share-a-document'" in receiver.message
    absent = expect(result, "sequence-message", DOC, tree.line_of(DOC, "- message: 3"))
    assert "use case 'share-a-document' has no message 3; its messages are numbered 1 to 2" in absent.message
    expect(result, "sequence-fragment", DOC, tree.line_of(DOC, "else: x"))


def test_use_cases_and_transactions_share_one_diagram_grammar():
    """profile.schema.json holds a copy of the transaction's diagram definitions (schemas do not refer across files here)."""
    import json
    from importlib import resources

    def defs(name: str) -> dict:
        return json.loads(resources.files("generator.schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8"))["$defs"]

    profile, transaction = defs("profile"), defs("transaction")
    for name in ("sequence", "sequenceStep"):
        assert profile[name] == transaction[name], f"{name} differs between profile.schema.json and transaction.schema.json"
