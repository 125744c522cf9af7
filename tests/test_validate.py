"""generator.validate and generator.load.discovery: the whole pipeline on the fixture framework."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import expect, make_actor, show, with_rule

from generator.load.discovery import discover, domain_dirs
from generator.validate import validate

ACTOR = "ITX/actors/time-client.yaml"


# --------------------------------------------------------------------------- the passing case of every rule

def test_the_fixture_framework_has_no_problems(tree):
    result = tree.validate()
    assert result.problems == [], show(result.problems)
    assert result.ok
    fw = result.framework
    assert sorted(fw.domains) == ["ITX", "RDX"]
    assert sorted(fw.profiles) == ["ATN", "CT", "DOC", "IMG", "RPT"]
    assert len(fw.actors) == 9 and len(fw.transactions) == 5
    assert sorted(fw.standards) == ["HL7-V2", "NTP-4"]
    assert [t.term for t in fw.glossary] == ["Affinity Domain", "Consistent Time"]
    assert len(result.files) == len(tree.files)


def test_cross_domain_groupings_and_references_resolve(tree):
    fw = tree.validate().framework
    img = fw.profiles["IMG"]
    assert img.domain == "RDX"
    targets = [(t.profile, t.actor, fw.profiles[t.profile].domain) for g in img.groupings for t in g.targets]
    assert targets == [("CT", "time-client", "ITX"), ("ATN", "secure-node", "ITX"), ("DOC", "document-recipient", "ITX")]
    assert img.groupings[1].is_alternative
    # RDX content uses an ITX standard; an ITX overview names an RDX transaction
    assert fw.content_modules["imaging-report"].standards == ["HL7-V2"]
    assert fw.standards["HL7-V2"].domain == "ITX"
    assert "[[transaction:RDX-1|storing images]]" in fw.profiles["DOC"].overview


def test_entities_know_their_domain_and_location(tree):
    result = tree.validate()
    fw = result.framework
    assert fw.transactions["RDX-1"].domain == "RDX"
    assert fw.actors["time-client"].domain == "ITX"
    assert Path(fw.actors["time-client"].loc.file).as_posix().endswith(ACTOR)
    ct = fw.profiles["CT"]
    assert ct.actor("time-client").options[0].option == "sntp"
    assert fw.status_of(fw.actors["time-client"]) == "trial-implementation"  # the domain's
    assert fw.status_of(ct) == "final-text"  # its own


def test_a_broken_reference_in_a_cross_domain_grouping_is_found(tree):
    tree["RDX/profiles/IMG.yaml"]["groupings"][0]["with"][0]["actor"] = "time-server-x"
    result = tree.validate()
    expect(result, "unknown-actor", "RDX/profiles/IMG.yaml")


# --------------------------------------------------------------------------- no cascades from broken files

def unknown_id_problems(result):
    return [p for p in result.problems if p.rule.startswith("unknown-") or p.rule in ("unresolved-reference", "unused-actor", "unused-transaction", "unused-option")]


def test_actor_with_schema_errors_causes_no_unknown_actor_errors(tree):
    tree[ACTOR]["nmae"] = tree[ACTOR].pop("name")
    result = tree.validate()
    expect(result, "schema-additionalProperties", ACTOR, tree.line_of(ACTOR, "nmae:"))
    expect(result, "schema-required", ACTOR, tree.line_of(ACTOR, "id: time-client"))
    # CT lists the actor, ITX-1 gives it a role, ATN, DOC and IMG group with it
    assert unknown_id_problems(result) == [], show(result.problems)
    assert len(result.problems) == 2, show(result.problems)


def test_actor_that_fails_to_load_causes_no_unknown_actor_errors(tree):
    tree[ACTOR] = "id: time-client\nname:\n\tTime Client\n"
    result = tree.validate()
    expect(result, "yaml-tab", ACTOR, 3)
    assert unknown_id_problems(result) == [], show(result.problems)


def test_actor_without_its_id_key_counts_by_file_name(tree):
    tree[ACTOR]["ident"] = tree[ACTOR].pop("id")
    result = tree.validate()
    assert sorted(p.rule for p in result.problems) == ["schema-additionalProperties", "schema-required"], show(result.problems)


def test_profile_with_schema_errors_causes_no_cascade(tree):
    tree["ITX/profiles/CT.yaml"]["chapter"] = "seven"
    result = tree.validate()
    expect(result, "schema-type", "ITX/profiles/CT.yaml")
    # ATN, DOC and IMG group with CT actors; domains, the glossary and DOC's overview cite [[profile:CT]]
    assert unknown_id_problems(result) == [], show(result.problems)
    assert len(result.problems) == 1, show(result.problems)


def test_transaction_and_content_with_schema_errors_cause_no_cascade(tree):
    tree["ITX/transactions/ITX-1.yaml"]["messages"] = []
    tree["RDX/content/imaging-report.yaml"]["section"] = "five"
    result = tree.validate()
    assert sorted(p.rule for p in result.problems) == ["schema-minItems", "schema-pattern"], show(result.problems)


def test_standards_file_with_schema_errors_causes_no_unknown_standard_errors(tree):
    tree["ITX/standards.yaml"]["standards"][0]["url"] = "ftp://example.org"
    result = tree.validate()
    assert [p.rule for p in result.problems] == ["schema-pattern"], show(result.problems)


def test_a_schema_error_does_not_hide_unknown_names_in_the_rest_of_the_file(tree):
    doc = tree["ITX/profiles/DOC.yaml"]
    doc["actors"][0]["transactions"][0]["optionality"] = "Required"  # schema-enum, in the first actor
    doc["actors"][1]["transactions"][0]["transaction"] = "ITX-22"  # a typo, in the second
    doc["use_cases"][0]["steps"][1]["from"] = "document-recipeint"  # and another, further down
    doc["overview"] += "See [[ITX-9]].\n"
    result = tree.validate()
    DOCP = "ITX/profiles/DOC.yaml"
    expect(result, "schema-enum", DOCP, tree.line_of(DOCP, "optionality: Required"))
    problem = expect(result, "unknown-transaction", DOCP, tree.line_of(DOCP, "- transaction: ITX-22"))
    assert "(did you mean 'ITX-2'?)" in problem.message
    expect(result, "unknown-actor", DOCP, tree.line_of(DOCP, "- from: document-recipeint"))
    expect(result, "unresolved-reference", DOCP, tree.line_of(DOCP, "[[ITX-9]]"))
    # the cut-away row leaves no echo (no at-least-one-of, option or grouping complaint), and DOC still counts as defined
    assert sorted(p.rule for p in result.problems) == ["schema-enum", "unknown-actor", "unknown-transaction", "unresolved-reference"], show(result.problems)


def test_after_a_cut_the_rows_below_keep_their_own_lines(tree):
    rows = tree["ITX/profiles/DOC.yaml"]["actors"][1]["transactions"]
    rows[0]["optionality"] = "Required"  # cut away: the row below becomes row 0 of what is checked
    rows[1]["transaction"] = "ITX-33"
    result = tree.validate()
    rel = "ITX/profiles/DOC.yaml"
    expect(result, "unknown-transaction", rel, tree.line_of(rel, "- transaction: ITX-33"), col=tree.col_of(rel, "transaction: ITX-33"))
    assert len(result.problems) == 2, show(result.problems)


def test_names_in_a_cut_away_part_are_not_checked(tree):
    # the whole first actor entry is at fault (no 'actor' key): nothing of it is reported but that
    entry = tree["ITX/profiles/DOC.yaml"]["actors"][0]
    entry["actr"] = entry.pop("actor")
    entry["transactions"].append({"transaction": "ITX-77", "optionality": "O"})
    result = tree.validate()
    assert sorted(p.rule for p in result.problems) == ["schema-additionalProperties", "schema-required"], show(result.problems)


def test_a_schema_error_in_a_transaction_does_not_hide_an_unknown_role_actor(tree):
    t = tree["ITX/transactions/ITX-2.yaml"]
    t["messages"][0]["type"] = "query"
    t["roles"][1]["actor"] = "document-recipent"
    result = tree.validate()
    rel = "ITX/transactions/ITX-2.yaml"
    expect(result, "schema-enum", rel, tree.line_of(rel, "type: query"))
    expect(result, "unknown-actor", rel, tree.line_of(rel, "actor: document-recipent"))
    assert len(result.problems) == 2, show(result.problems)


def test_a_missing_actor_is_still_unknown(tree):
    """The cascade guard only covers files that exist but are broken."""
    del tree[ACTOR]
    result = tree.validate()
    assert with_rule(result, "unknown-actor"), show(result.problems)


# --------------------------------------------------------------------------- discovery

def test_no_such_folder(tmp_path):
    result = validate(tmp_path / "nowhere")
    assert [p.rule for p in result.problems] == ["no-specs"]
    assert "no such folder" in result.problems[0].message


def test_a_file_instead_of_a_folder(tmp_path):
    (tmp_path / "specs.yaml").write_text("id: a\n", encoding="utf-8")
    result = validate(tmp_path / "specs.yaml")
    assert [p.rule for p in result.problems] == ["no-specs"]


def test_a_folder_without_any_domain(tmp_path):
    (tmp_path / "specs" / "ITX" / "actors").mkdir(parents=True)
    (tmp_path / "specs" / "ITX" / "actors" / "a.yaml").write_text("id: a\n", encoding="utf-8")
    result = validate(tmp_path / "specs")
    assert [p.rule for p in result.problems] == ["no-specs"]
    assert "domain.yaml" in result.problems[0].message


def test_the_root_may_itself_be_a_domain(tree):
    tree.write()
    assert domain_dirs(tree.root / "ITX") == [tree.root / "ITX"]
    files, problems = discover(tree.root / "ITX")
    assert problems == []
    assert {f.kind for f in files} == {"domain", "glossary", "standards", "actor", "transaction", "profile"}
    assert all("RDX" not in f.path.parts for f in files)


@pytest.mark.parametrize(
    "rel",
    ["ITX/notes.yaml", "ITX/actors/extra/deep.yaml", "ITX/widgets/w.yaml", "ITX/actors/time-server.yml"],
)
def test_unrecognised_yaml_files_are_warned_about(tree, rel):
    tree[rel] = "id: x\n"
    result = tree.validate()
    problem = expect(result, "unknown-file", rel, 1)
    assert not problem.is_error
    assert len(result.problems) == 1, show(result.problems)


@pytest.mark.parametrize("rel", ["ITX/README.md", "ITX/.hidden.yaml", "ITX/.drafts/actor.yaml", "ITX/pages/intro.yaml"])
def test_other_files_are_left_alone(tree, rel):
    tree[rel] = "::: not yaml at all :::\n\t"
    result = tree.validate()
    assert result.problems == [], show(result.problems)


@pytest.mark.parametrize("rel", ["ITX/annexes/a.yaml", "ITX/statements/s.yaml"])
def test_annexes_and_statements_are_checked_by_their_own_stage(tree, rel):
    """Discovery leaves them to the annex stage, which still reports a malformed file, located."""
    tree[rel] = "::: not yaml at all :::\n\t"
    result = tree.validate()
    rules = [p.rule for p in result.problems if p.loc.file.endswith(rel.split("/", 1)[1])]
    assert len(rules) == 1 and rules[0] in ("yaml-syntax", "yaml-tab"), show(result.problems)


def test_kinds_follow_from_the_folders(tree):
    tree.write()
    files, _ = discover(tree.root)
    kinds = {f.path.relative_to(tree.root).as_posix(): f.kind for f in files}
    assert kinds["ITX/domain.yaml"] == "domain"
    assert kinds["ITX/glossary.yaml"] == "glossary"
    assert kinds["ITX/standards.yaml"] == "standards"
    assert kinds["ITX/actors/time-client.yaml"] == "actor"
    assert kinds["RDX/transactions/RDX-1.yaml"] == "transaction"
    assert kinds["RDX/profiles/IMG.yaml"] == "profile"
    assert kinds["RDX/content/imaging-report.yaml"] == "content"


# --------------------------------------------------------------------------- reporting

def test_all_problems_of_a_run_are_reported_and_sorted(tree):
    tree["RDX/actors/image-archive.yaml"] = "id: image-archive\nname: Image Archive\nname: again\ndefinition: d\n"
    tree["ITX/transactions/ITX-1.yaml"]["roles"][0]["actor"] = "nobody"
    tree["ITX/profiles/DOC.yaml"]["options"].append({"id": "spare", "name": "Spare", "description": "Unused."})
    tree["ITX/profiles/DOC.yaml"]["chapter"] = 9
    tree["ITX/profiles/CT.yaml"]["actors"][0]["transactions"].append({"transaction": "ITX-2", "optionality": "O"})
    result = tree.validate()
    rules = {p.rule for p in result.problems}
    assert rules == {"yaml-duplicate-key", "unknown-actor", "actor-without-role", "unused-option", "duplicate-chapter"}, show(result.problems)
    keys = [(p.loc.file, p.loc.line, p.loc.col) for p in result.problems]
    assert keys == sorted(keys)
    assert len(result.errors) == 4 and len(result.warnings) == 1


def test_a_file_with_a_duplicate_key_is_kept_out_of_the_model(tree):
    tree["RDX/actors/image-archive.yaml"] = "id: image-archive\nname: Image Archive\nname: again\ndefinition: d\n"
    result = tree.validate()
    expect(result, "yaml-duplicate-key", "RDX/actors/image-archive.yaml", 3)
    assert "image-archive" not in result.framework.actors
    assert len(result.problems) == 1, show(result.problems)


def test_a_second_file_for_an_id_is_not_used(tree):
    tree["ITX/actors/time-clock.yaml"] = make_actor("time-client", "Second Time Client")
    result = tree.validate()
    assert result.framework.actors["time-client"].name == "Time Client"
    expect(result, "duplicate-id", "ITX/actors/time-clock.yaml")
