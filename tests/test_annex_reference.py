"""The example annex (a regional document-sharing network) against the published IHE groupings.

The expectations come from ../shared/ihe-reference/tf/*.json, the published
Volume 1 tables: for each selected actor, the required-groupings table says which
CT and ATNA actors it must be grouped with, and the CT and ATNA tables say which
transactions those actors require. The expansion must state each of them once,
traced back to every selected actor that requires it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import REPO_ROOT, show
from example import EXAMPLE_SPECS

from generator.annex.expand import expand
from generator.annex.selection import check_annex, read_annex
from generator.annex.site import validate_annexes

SPECS = EXAMPLE_SPECS
ANNEX = SPECS / "ITI" / "annexes" / "regional-document-sharing.yaml"
REFERENCE = Path(os.environ.get("TFPUB_IHE_REFERENCE", REPO_ROOT.parent / "shared" / "ihe-reference"))


@pytest.fixture(scope="module")
def fw(example_framework):
    return example_framework


@pytest.fixture(scope="module")
def expansion(fw):
    annex, problems = read_annex(ANNEX, "ITI")
    assert annex is not None and problems == [], show(problems)
    assert check_annex(fw, annex) == []
    return expand(fw, annex)


@pytest.fixture(scope="module")
def reference():
    folder = REFERENCE / "tf"
    if not folder.is_dir():
        pytest.skip(f"the IHE reference facts are not at {folder} (set TFPUB_IHE_REFERENCE to the ihe-reference folder)")
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}


def _clean(name: str) -> str:
    return name.split("(Note")[0].strip()


def _published_groupings(reference, profile: str, actor_name: str) -> list[str]:
    rows = reference[profile]["required_groupings"]["rows"]
    return [_clean(r["grouped_with"]) for r in rows if _clean(r["actor"]) == actor_name]


def _published_required(reference, profile: str, actor_name: str) -> set[str]:
    rows = reference[profile]["actors_and_transactions"]["rows"]
    return {r["transaction_id"] for r in rows if _clean(r["actor"]) == actor_name and r["optionality"].startswith("R")}


def test_example_annexes_and_statements_validate(fw):
    assert validate_annexes(SPECS, fw) == []


def test_selection_is_the_regional_network(expansion):
    selected = {(t.profile, t.actor) for t, _ in expansion.selection}
    assert selected == {
        ("XDS.b", "document-source"),
        ("XDS.b", "document-consumer"),
        ("PIX", "patient-identifier-cross-reference-consumer"),
        ("PDQ", "patient-demographics-consumer"),
        ("XUA", "x-service-user"),
        ("BPPC", "content-creator"),
        ("BPPC", "content-consumer"),
    }


def test_ct_time_client_and_maintain_time_once_traced_to_every_actor_that_requires_it(fw, expansion, reference):
    reqs = expansion.requirements
    root_of = {(r.subject[0].profile, r.subject[0].actor): r for r in reqs if r.kind == "actor"}
    tc = [r for r in reqs if r.kind == "actor" and (r.subject[0].profile, r.subject[0].actor) == ("CT", "time-client")]
    assert len(tc) == 1, "\n".join(r.text for r in reqs)
    tc = tc[0]
    assert tc.level == "SHALL"
    maintain = [r for r in reqs if "Maintain Time [ITI-1]" in r.text]
    assert len(maintain) == 1
    assert maintain[0].text == "The CT Time Client actor SHALL support Maintain Time [ITI-1]."
    assert [(s.from_id, s.via) for s in maintain[0].sources] == [(tc.id, "ITI TF-1 Table 7.1-1")]
    assert "ITI-1" in _published_required(reference, "CT", "Time Client")

    sources = {(s.from_id, s.via) for s in tc.sources}
    expected_from = set()
    for (profile, actor), root in root_of.items():
        if profile not in reference or (profile, actor) not in {(t.profile, t.actor) for t, _ in expansion.selection}:
            continue
        published = _published_groupings(reference, profile, fw.actors[actor].name)
        wants_ct = any(g.startswith(("CT /", "Consistent Time /")) for g in published)
        via = f"ITI TF-1 Table {reference[profile]['chapter']}.3-1"
        assert ((root.id, via) in sources) == wants_ct, f"{profile} {actor}: published groupings {published}; CT sources {sorted(sources)}"
        if wants_ct:
            expected_from.add(root.id)
    assert expected_from, "the published tables require CT of at least one selected actor"
    assert "derived from" in tc.provenance.lower()


def test_atna_secure_node_or_secure_application_once_with_authenticate_node_and_record_audit_event(fw, expansion, reference):
    reqs = expansion.requirements
    atna = [r for r in reqs if r.kind == "alternatives" and {(t.profile, t.actor) for t in r.subject} == {("ATNA", "secure-node"), ("ATNA", "secure-application")}]
    assert len(atna) == 1
    atna = atna[0]
    assert atna.text == "The system SHALL implement the ATNA Secure Node or Secure Application actor."
    for tx, name in (("ITI-19", "Authenticate Node"), ("ITI-20", "Record Audit Event")):
        found = [r for r in reqs if f"[{tx}]" in r.text]
        assert len(found) == 1, [r.text for r in found]
        assert found[0].text == f"The ATNA Secure Node or Secure Application actor SHALL support {name} [{tx}]."
        assert [(s.from_id, s.via) for s in found[0].sources] == [(atna.id, "ITI TF-1 Table 9.1-1")]
        for actor in ("Secure Node", "Secure Application"):
            assert tx in _published_required(reference, "ATNA", actor)
    # traced to each selected actor whose published table requires ATNA
    sources = {(s.from_id, s.via) for s in atna.sources}
    selected = {(t.profile, t.actor) for t, _ in expansion.selection}
    for r in reqs:
        key = (r.subject[0].profile, r.subject[0].actor)
        if r.kind != "actor" or key not in selected or key[0] not in reference:
            continue
        published = _published_groupings(reference, key[0], fw.actors[key[1]].name)
        wants = "ATNA / Secure Node or Secure Application" in published
        via = f"ITI TF-1 Table {reference[key[0]]['chapter']}.3-1"
        assert ((r.id, via) in sources) == wants, f"{key}: published {published}; ATNA sources {sorted(sources)}"
    # the Time Client the secure actors need is the same, single requirement
    tc = next(r for r in reqs if r.text == "The system SHALL implement the CT Time Client actor.")
    assert (atna.id, "ITI TF-1 Table 9.3-1") in {(s.from_id, s.via) for s in tc.sources}


def test_selected_actors_transactions_match_the_published_tables(fw, expansion, reference):
    for t, level in expansion.selection:
        if t.profile not in reference:
            continue
        published = {tx for tx in _published_required(reference, t.profile, fw.actors[t.actor].name) if tx}
        stated = {
            r.text.rsplit("[", 1)[1].rstrip("].")
            for r in expansion.requirements
            if r.kind == "transaction" and (r.subject[0].profile, r.subject[0].actor) == (t.profile, t.actor)
        }
        assert stated == published, f"{t.profile} {t.actor}"


def test_bppc_document_sharing_alternatives_are_met_by_the_selected_xds_actors(expansion):
    reqs = expansion.requirements
    ids = {r.text: r.id for r in reqs}
    source = ids["The system SHALL implement the XDS.b Document Source actor."]
    consumer = ids["The system SHALL implement the XDS.b Document Consumer actor."]
    met = [r.text for r in reqs if r.kind == "alternatives" and "This is met by" in r.text]
    assert any(t.endswith(f"This is met by {source}.") and "XDM Portable Media Creator" in t for t in met), met
    assert any(t.endswith(f"This is met by {consumer}.") and "XDM Portable Media Importer" in t for t in met), met


def test_should_selection_in_the_example(expansion):
    pdq = [r for r in expansion.requirements if r.subject[0].profile == "PDQ"]
    assert pdq and {r.level for r in pdq} == {"SHOULD"}
