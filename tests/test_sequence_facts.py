"""Every generated interaction diagram against the published IHE one (facts.json).

For each transaction of ``ig/*/facts.json`` and ``ig-more/*/facts.json`` that the
example holds (PDQm's from its supplement), the PlantUML tfpub generates is read back
(:mod:`test_sequence_support`) and compared with the published diagram: its title, participants, the
messages in order as (from, to, label), each arrow's style (solid or dashed), whether
PlantUML numbers the arrows, and the structure: groups, dividers, notes,
self-messages and activation bars, each with the messages it spans. A transaction
the example does not hold is skipped, saying so.

Where tfpub knowingly draws something else than the published diagram, the
difference is named in ERRATA, one by one, with the reason; an erratum that no longer
differs fails, so the list cannot go stale.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from example import EXAMPLE_SPECS
from test_sequence_support import parse

from generator.diagrams.sequence import transaction_diagram
from generator.supplements import framework_with_supplements

SHARED = Path(__file__).resolve().parents[2] / "shared" / "ihe-reference"
FACTS = sorted(SHARED.glob("ig/*/facts.json")) + sorted(SHARED.glob("ig-more/*/facts.json"))
STRUCTURE_KINDS = ("group", "alt", "else", "opt", "loop", "divider", "note", "self-message", "activate")

# (transaction, aspect) -> why tfpub differs from the published diagram, one by one.
ERRATA: dict[tuple[str, str], str] = {
    ("ITI-105", "title"): (
        "the published diagram keeps the transaction's earlier name, 'Publish Document Bundle [ITI-105]'; "
        "tfpub titles it with the name the transaction has, 'Simplified Publish [ITI-105]'"
    ),
}


def _published() -> list[tuple[str, str, dict]]:
    out = []
    for path in FACTS:
        facts = json.loads(path.read_text(encoding="utf-8"))
        for tx in facts.get("transactions", []):
            for sd in tx["sequence_diagrams"]:
                out.append((path.parent.name, tx["transaction_id"], sd))
    return out


PUBLISHED = _published()


@pytest.fixture(scope="module")
def framework():
    return framework_with_supplements(EXAMPLE_SPECS)


def _structure(items: list[dict]) -> list[tuple]:
    """The published structure as comparable tuples, in a fixed order (kinds of one diagram may
    interleave differently in source: "== Query ==" before or after "activate")."""
    keep = []
    for s in items:
        if s["kind"] in STRUCTURE_KINDS:
            extra = (s.get("position", ""), tuple(s.get("participants", ()))) if s["kind"] == "note" else ()
            keep.append((s["kind"], s["label"], tuple(s["messages"]), *extra))
    return sorted(keep)


def test_the_reference_facts_are_there():
    if not SHARED.is_dir():
        pytest.skip(f"reference facts not found at {SHARED}; they live beside the repository, in shared/ihe-reference")
    assert len(PUBLISHED) >= 10


@pytest.mark.parametrize("ig,tx_id,published", PUBLISHED, ids=[f"{ig}-{tx}" for ig, tx, _ in PUBLISHED])
def test_generated_diagram_matches_the_published_one(framework, ig, tx_id, published):
    tx = framework.transactions.get(tx_id)
    if tx is None:
        pytest.skip(f"{tx_id} ({ig}) is not in the example yet")
    ours = parse(transaction_diagram(framework, tx).source)
    aspects = {
        "title": (published["title"], ours.title),
        "participants": ([p["display_text"] for p in published["participants"]], ours.participant_names),
        "autonumber": (published["autonumber"], ours.autonumber),
        "messages": ([tuple(m) for m in published["messages"]], ours.messages),
        "arrows": (published["arrows"], ours.arrows),
        "structure": (_structure(published["structure"]), sorted(ours.structure)),
    }
    differing = {aspect: (theirs, mine) for aspect, (theirs, mine) in aspects.items() if theirs != mine}
    for aspect in aspects:
        if (tx_id, aspect) in ERRATA:
            assert aspect in differing, f"{tx_id} {aspect} now matches the published diagram: remove its erratum"
            differing.pop(aspect)
    assert differing == {}, f"{tx_id}: published vs generated"


def test_the_parser_reads_what_the_renderer_writes():
    """The reader used above, on a source with every construct (so a wrong reading cannot pass silently)."""
    source = "\n".join([
        "@startuml", "title T", "hide footbox",
        'participant "[[../a/ A <U+005B>x<U+005D>]] /\\n[[../b/ B]]" as P_a',
        'participant "C" as P_c [[../c/]]',
        "autonumber", "activate P_a", "== Part one ==",
        "P_a -> P_c : [[./#message-1 Ask <U+005B>ITI-1<U+005D>]]\\nHTTP GET",
        "group G", "P_c -> P_c : think", "note right of P_c : n1\\nn2", "end",
        "alt yes", "P_c --> P_a", "else no", "P_c -> P_a : no", "end",
        "deactivate P_a", "@enduml",
    ])
    seq = parse(source)
    assert seq.title == "T" and parse("@startuml\n@enduml\n").title is None
    assert seq.participant_names == ["A [x] / B", "C"]
    assert seq.autonumber is True
    assert seq.messages == [("A [x] / B", "C", "Ask [ITI-1]\nHTTP GET"), ("C", "C", "think"), ("C", "A [x] / B", ""), ("C", "A [x] / B", "no")]
    assert seq.arrows == ["solid", "solid", "dashed", "solid"]
    assert sorted(seq.structure) == sorted([
        ("divider", "Part one", (0, 1, 2, 3)),
        ("activate", "A [x] / B", (0, 1, 2, 3)),
        ("group", "G", (1,)),
        ("self-message", "think", (1,)),
        ("note", "n1\nn2", (1,), "right of", ("C",)),
        ("alt", "yes", (2,)),
        ("else", "no", (3,)),
    ])
