"""Each construct of a stated transaction diagram, drawn by the real PlantUML and read back.

The small test framework (conftest ``tree``) gets one transaction diagram with every
construct: divider, notes (over two lifelines, right of one, on two lines), a second
label line, an activation bar on part of a lifeline and one for the whole diagram, an
optional self-message, ``alt``/``else``, ``opt``, ``loop`` with a ``group`` nested in
it, a reply drawn solid and one dashed. PlantUML renders it (real Java, real jar); the
SVG is read for the texts in order, the arrows (who to whom, solid or dashed), the
activation bars and the fragment frames, and the text alternative for the structure.
Then: a shared role drawn one lifeline per actor with ``from``, and a profile's own
view of a transaction another profile shares (only its actors).
"""

from __future__ import annotations

import re

import pytest
from conftest import make_actor, show
from test_diagrams_support import all_text, read_sequence, require_renderer

from generator.diagrams import render
from generator.diagrams.sequence import transaction_diagram

ITX2 = "ITX/transactions/ITX-2.yaml"

EVERY_CONSTRUCT = {
    "autonumber": False,
    "activate": ["document-source"],
    "steps": [
        {"divider": "Publish"},
        {"note": "Starts when ready", "over": ["document-source", "document-recipient"]},
        {"message": 1, "second_line": "HTTP POST <Base>/Bundle"},
        {"activate": "document-recipient"},
        {"self": "document-recipient", "text": "validate content", "optional": True},
        {"deactivate": "document-recipient"},
        {"alt": "accepted", "steps": [{"message": 2, "arrow": "solid"}]},
        {"else": "refused", "steps": [{"message": 2, "text": "Error"}]},
        {"opt": "when asked", "steps": [{"note": "logs it\nand keeps it", "right_of": "document-recipient"}]},
        {"loop": "each document", "steps": [{"group": "inner", "steps": [{"self": "document-source", "text": "check", "arrow": "dashed"}]}]},
    ],
}


@pytest.fixture
def drawn(tree, tmp_path):
    """Validate ``tree``, draw ``tx`` (optionally as ``profile`` sees it), render it with PlantUML."""
    require_renderer()

    def draw(tx_id: str = "ITX-2", profile: str | None = None):
        result = tree.validate()
        assert result.problems == [], show(result.problems)
        fw = result.framework
        d = transaction_diagram(fw, fw.transactions[tx_id], profile=fw.profiles[profile] if profile else None)
        report = render([d], tmp_path / "cache")
        assert report.problems == [] and d.error is None and d.svg, (report.problems, d.error, d.source)
        return d

    return draw


def _bars(svg: str) -> list[float]:
    """Heights of the activation bars (white, 10 wide), in drawing order (PlantUML writes each bar twice)."""
    found = re.findall(r'<rect fill="#FFFFFF" height="([\d.]+)" style="[^"]*" width="10" x="([\d.]+)" y="([\d.]+)"', svg)
    return [float(h) for h, _, _ in dict.fromkeys(found)]


def _frames(svg: str) -> int:
    """Fragment frames (group, alt, opt, loop): unfilled rectangles with a heavier line (each written twice)."""
    return len(set(re.findall(r'<rect fill="none" height="[\d.]+" style="stroke:#000000;stroke-width:1.5;"[^>]*>', svg)))


def test_every_construct_is_drawn_as_stated(tree, drawn):
    tree[ITX2]["diagram"] = EVERY_CONSTRUCT
    d = drawn()
    text = all_text(d.svg)
    expected = ["Publish", "Starts when ready", "Provide Document Request", "HTTP POST <Base>/Bundle", "validate content (optional)",
                "alt", "[accepted]", "Provide Document Response", "[refused]", "Error", "opt", "[when asked]", "logs it", "and keeps it",
                "loop", "[each document]", "inner", "check"]
    at = 0
    for piece in expected:  # each in the picture, in this order
        found = text.find(piece, at)
        assert found >= 0, (piece, text[at:])
        at = found + len(piece)
    seq = read_sequence(d.svg)
    assert [(m.sender, m.receiver, m.dashed) for m in seq.messages] == [
        ("Initiator", "Responder", False),  # the request
        ("Responder", "Responder", False),  # self-message, solid
        ("Responder", "Initiator", False),  # a reply drawn solid, as stated
        ("Responder", "Initiator", True),  # a reply, dashed by default
        ("Initiator", "Initiator", True),  # self-message, dashed as stated
    ]
    assert all(not m.number for m in seq.messages)  # autonumber: false
    bars = _bars(d.svg)
    assert len(bars) == 2 and bars[1] < bars[0] / 4  # the source's for the whole diagram, the recipient's around one step
    assert _frames(d.svg) == 4
    assert d.alt_text == [
        "Section: Publish",
        "Note over Document Source and Document Recipient: Starts when ready",
        "1. Document Source sends Provide Document Request (HTTP POST <Base>/Bundle) to Document Recipient (request).",
        "2. Document Recipient, to itself: validate content. Optional.",
        "Alternative: accepted",
        "3. Document Recipient returns Provide Document Response to Document Source (response).",
        "Else: refused",
        "4. Document Recipient returns Error to Document Source (response).",
        "End of alternatives.",
        "Optional: when asked",
        "Note right of Document Recipient: logs it and keeps it",
        "End of optional steps.",
        "Loop: each document",
        "inner:",
        "5. Document Source, to itself: check.",
        "End of loop.",
    ]
    assert "<desc>" in d.svg and "Alternative: accepted" in d.svg  # the text alternative travels with the picture


def test_the_source_is_deterministic_and_located(tree):
    tree[ITX2]["diagram"] = EVERY_CONSTRUCT
    fw = tree.validate().framework
    first, again = (transaction_diagram(fw, fw.transactions["ITX-2"]) for _ in range(2))
    assert first.source == again.source and first.alt_text == again.alt_text
    lines = first.source.splitlines()
    alt = lines.index("alt accepted") + 1
    assert first.line_locs[alt].line == tree.line_of(ITX2, "alt: accepted")  # a PlantUML error lands on its spec line


def test_an_empty_label_and_the_default_activation(tree, drawn):
    tree[ITX2]["diagram"] = {"steps": [{"message": 1, "text": "1. Provide [ITX-2]"}, {"message": 2, "text": ""}], "autonumber": False}
    d = drawn()
    seq = read_sequence(d.svg)
    assert [(m.label, m.dashed) for m in seq.messages] == [("1. Provide [ITX-2]", False), ("", True)]
    assert len(_bars(d.svg)) == 2  # activate: true (the default), both lifelines for the whole diagram
    assert "Responder --> Initiator\n" in d.source


def _consent(tree) -> None:
    """A PCF-like transaction: two initiators on their own lifelines, each interaction a group."""
    for actor, name in (("consent-recorder", "Consent Recorder"), ("consent-registry", "Consent Registry"), ("consent-server", "Consent Authorization Server")):
        tree[f"ITX/actors/{actor}.yaml"] = make_actor(actor, name)
    tree["ITX/transactions/ITX-7.yaml"] = {
        "id": "ITX-7", "name": "Access Consent", "scope": "Consents.",
        "roles": [{"actor": "consent-recorder", "role": "initiator"}, {"actor": "consent-registry", "role": "responder"},
                  {"actor": "consent-server", "role": "initiator"}],
        "interactions": [{"name": "Search", "messages": [{"name": "Search Request", "type": "request"}, {"name": "Search Response", "type": "response"}]}],
        "diagram": {"participants": ["consent-recorder", "consent-registry", "consent-server"], "activate": False, "autonumber": False, "title": False, "steps": [
            {"group": "Access Consent - Search (ITX-7)", "steps": [
                {"message": 1, "from": "consent-recorder"}, {"message": 2, "to": "consent-recorder"},
                {"message": 1, "from": "consent-server"}, {"message": 2, "to": "consent-server"}]}]},
    }
    tree["ITX/profiles/PCF.yaml"] = {
        "acronym": "PCF", "name": "Privacy Consent", "chapter": 12, "type": "workflow", "status": "trial-implementation", "summary": "Consents.",
        "actors": [{"actor": a, "transactions": [{"transaction": "ITX-7", "optionality": "R"}]} for a in ("consent-recorder", "consent-registry", "consent-server")],
    }


def test_one_lifeline_per_actor_with_from_and_to(tree, drawn):
    _consent(tree)
    d = drawn("ITX-7")
    seq = read_sequence(d.svg)
    assert [name for _, name in seq.participants] == ["Consent Recorder", "Consent Registry", "Consent Authorization Server"]
    names = [(seq.name_of(m.sender), seq.name_of(m.receiver), m.label) for m in seq.messages]
    assert names == [
        ("Consent Recorder", "Consent Registry", "Search Request"),
        ("Consent Registry", "Consent Recorder", "Search Response"),
        ("Consent Authorization Server", "Consent Registry", "Search Request"),
        ("Consent Registry", "Consent Authorization Server", "Search Response"),
    ]
    assert "Access Consent - Search (ITX-7)" in all_text(d.svg) and _frames(d.svg) == 1 and _bars(d.svg) == []
    assert "Access Consent [ITX-7]" not in all_text(d.svg)  # title: false (the figure caption names it)
    assert "<title>Access Consent [ITX-7]</title>" in d.svg  # the picture's accessible name stays


def test_a_profile_sees_only_its_actors_in_a_shared_transaction(tree, drawn):
    """MOB binds its own Mobile Source to ITX-2: Volume 2 draws both sources, DOC's view only its own, MOB's only Mobile Source."""
    tree["ITX/actors/mobile-source.yaml"] = make_actor("mobile-source", "Mobile Source")
    tree["ITX/profiles/MOB.yaml"] = {
        "acronym": "MOB", "name": "Mobile Document Sharing", "chapter": 11, "type": "workflow", "status": "trial-implementation", "summary": "Phones.",
        "actors": [
            {"actor": "mobile-source", "transactions": [{"transaction": "ITX-2", "optionality": "R", "role": "initiator"}]},
            {"actor": "document-recipient", "transactions": [{"transaction": "ITX-2", "optionality": "R"}]},
        ],
    }
    tree[ITX2]["diagram"] = {"steps": [{"message": 1}, {"note": "only the source's", "left_of": "document-source"}, {"message": 2}]}
    whole = read_sequence(drawn().svg)
    assert [name for _, name in whole.participants] == ["Document Source / Mobile Source", "Document Recipient"]
    doc = drawn(profile="DOC")
    assert doc.key == "tx-ITX-2-DOC"
    assert [name for _, name in read_sequence(doc.svg).participants] == ["Document Source", "Document Recipient"]
    mob = drawn(profile="MOB")
    assert [name for _, name in read_sequence(mob.svg).participants] == ["Mobile Source", "Document Recipient"]
    assert "only the source's" in all_text(doc.svg) and "only the source" not in all_text(mob.svg)  # a note on an actor MOB lacks is left out
    assert len(read_sequence(mob.svg).messages) == 2


# --------------------------------------------------------------------------- use-case flows

DOC = "ITX/profiles/DOC.yaml"


def test_a_use_case_flow_states_its_structure(tree, tmp_path):
    require_renderer()
    tree[DOC]["use_cases"][0]["diagram"] = {"steps": [
        {"divider": "Sharing"},
        {"message": 1, "second_line": "over a secure link"},
        {"note": "Keeps a copy", "left_of": "document-source"},
        {"opt": "when complete", "steps": [{"message": 2, "arrow": "dashed"}]},
    ]}
    result = tree.validate()
    assert result.problems == [], show(result.problems)
    fw = result.framework
    from generator.diagrams.from_model import use_case_diagram

    profile = fw.profiles["DOC"]
    d = use_case_diagram(fw, profile, profile.use_cases[0])
    report = render([d], tmp_path)
    assert report.problems == [] and d.svg, (report.problems, d.source)
    text = all_text(d.svg)
    at = 0
    for piece in ["Share a document: Process Flow", "Sharing", "Provide Document [ITX-2]", "Send it.", "over a secure link", "Keeps a copy", "opt", "[when complete]", "Store it."]:
        found = text.find(piece, at)
        assert found >= 0, (piece, text[at:])
        at = found + len(piece)
    seq = read_sequence(d.svg)
    assert [(m.number, m.sender, m.receiver, m.dashed) for m in seq.messages] == [
        ("1", "P_document_source", "P_document_recipient", False),
        ("2", "P_document_recipient", "P_document_recipient", True),  # no receiver: to itself; dashed as stated
    ]
    assert d.alt_text == [
        "Section: Sharing",
        "1. Document Source to Document Recipient, Provide Document [ITX-2]: Send it. (over a secure link)",
        "Note left of Document Source: Keeps a copy",
        "Optional: when complete",
        "2. Document Recipient: Store it.",
        "End of optional steps.",
    ]


def test_a_use_case_with_an_empty_diagram_is_drawn_as_its_plain_flow(example_framework):
    """``diagram: {}`` changes nothing: the sequence path draws every example flow byte for byte as before."""
    from generator.diagrams.from_model import use_case_diagram
    from generator.model.sequence import Sequence

    checked = 0
    for profile in example_framework.profiles.values():
        for uc in profile.use_cases:
            if not uc.steps or uc.diagram is not None:
                continue
            plain = use_case_diagram(example_framework, profile, uc)
            uc.diagram = Sequence(uc.loc)
            try:
                stated = use_case_diagram(example_framework, profile, uc)
            finally:
                uc.diagram = None
            assert (stated.source, stated.alt_text, stated.line_locs) == (plain.source, plain.alt_text, plain.line_locs), uc.id
            checked += 1
    assert checked > 10


def test_a_transaction_without_steps_is_drawn_as_its_plain_diagram(example_framework):
    """``diagram:`` with no steps draws every message in order, with its settings (here: no numbering)."""
    from generator.model.sequence import Sequence

    tx = example_framework.transactions["ITI-18"]
    assert tx.diagram is None
    plain = transaction_diagram(example_framework, tx).source
    tx.diagram = Sequence(tx.loc, autonumber=False)
    try:
        stated = transaction_diagram(example_framework, tx).source
    finally:
        tx.diagram = None
    assert stated == plain.replace("autonumber\n", "")
