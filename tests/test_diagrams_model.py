"""Diagrams generated from the model, rendered by the real PlantUML and read back from the SVG.

Every transaction of the example framework: its picture names the actors of each role
and every message in the model's order, requests solid from the initiators, responses
dashed back, numbered, under the title "Name [ID]", with links to the actor and
transaction pages. Every profile: each actor and each transaction between them. Every
use case: its steps in order.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_diagrams_support import (
    EXAMPLE_SPECS,
    all_text,
    hrefs,
    read_sequence,
    require_renderer,
)

from generator.diagrams import figure_html, model_diagrams, render
from generator.diagrams.from_model import (
    profile_diagram,
    transaction_diagram,
    use_case_diagram,
)
from generator.model import Actor, Domain, Framework, Message, Role, Transaction
from generator.problems import Loc
from generator.render import site_paths
from generator.supplements import framework_with_supplements

# The published facts live beside the repository (shared/ihe-reference), as for test_example_specs.
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "ihe-reference" / "ig"


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The example framework as published (with its open supplements) and all its model diagrams, rendered once."""
    require_renderer()
    fw = framework_with_supplements(EXAMPLE_SPECS)
    diagrams = model_diagrams(fw)
    report = render(diagrams, tmp_path_factory.mktemp("cache"))
    assert [p for p in report.problems if p.is_error] == []
    return fw, {d.key: d for d in diagrams}


def _names(fw: Framework, tx: Transaction, role: str) -> str:
    from generator.model import bindings

    seen = []
    for r in bindings.all_roles(fw, tx):  # Volume 2 draws every role, also those a profile binds (PIX on ITI-30)
        if r.role == role and r.actor not in seen:
            seen.append(r.actor)
    return " / ".join(fw.actors[a].name for a in seen)


def test_every_model_diagram_of_the_example_is_rendered(example):
    fw, diagrams = example
    assert {f"tx-{t}" for t in fw.transactions} <= set(diagrams)
    assert {f"profile-{p}" for p in fw.profiles} <= set(diagrams)
    missing = [k for k, d in diagrams.items() if not d.svg]
    assert missing == []


def test_each_transaction_svg_names_its_participants_and_messages_in_order(example):
    fw, diagrams = example
    assert fw.transactions, "the example has transactions"
    plain = [tx for tx in fw.transactions.values() if tx.diagram is None]  # stated diagrams: test_sequence_facts.py
    assert len(plain) > 10
    for tx in plain:
        d = diagrams[f"tx-{tx.id}"]
        seq = read_sequence(d.svg)
        assert seq.title == f"{tx.name} [{tx.id}]"
        assert [name for _, name in seq.participants] == [_names(fw, tx, "initiator"), _names(fw, tx, "responder")], tx.id
        initiator, responder = (alias for alias, _ in seq.participants)
        expected = [
            (str(n), m.name, (initiator, responder) if m.type == "request" else (responder, initiator), m.type == "response")
            for n, m in enumerate(tx.messages, start=1)
        ]
        got = [(m.number, m.label, (m.sender, m.receiver), m.dashed) for m in seq.messages]
        assert got == expected, tx.id
        assert d.alt_text and len(d.alt_text) == len(tx.messages) + len(tx.interactions)  # each interaction (ITI-108) heads its messages


def test_transaction_diagram_links_to_the_actor_and_transaction_pages(example):
    fw, diagrams = example
    tx = fw.transactions["ITI-18"]
    d = diagrams["tx-ITI-18"]
    links = set(hrefs(d.svg))
    for role in tx.roles:
        assert site_paths.url_link(d.page, site_paths.actor_page(fw.actors[role.actor].domain, role.actor)) in links
    assert site_paths.url_link(d.page, site_paths.transaction_page(tx.domain, tx.id), "message-1") in links  # "./#message-1"


def test_each_profile_svg_shows_its_actors_and_the_transactions_between_them(example):
    fw, diagrams = example
    for profile in fw.profiles.values():
        d = diagrams[f"profile-{profile.acronym}"]
        text = all_text(d.svg)
        assert f"{profile.acronym} Actor Diagram" in text
        for pa in profile.actors:
            assert fw.actors[pa.actor].name in text, (profile.acronym, pa.actor)
            for use in pa.transactions:
                tx = fw.transactions[use.transaction]
                assert f"{tx.name} [{tx.id}]" in text, (profile.acronym, tx.id)
                assert site_paths.url_link(d.page, site_paths.transaction_page(tx.domain, tx.id)) in hrefs(d.svg)


def test_profile_edge_arrows_point_from_initiator_to_responder(example):
    """Each line is drawn initiator --> responder (the arrowhead at the responder), for every
    transaction on it; in the picture, the arrowhead is a polygon at the responder's end."""
    import re

    from generator.diagrams.puml import alias
    from generator.model import bindings

    fw, diagrams = example
    actor_of = {alias("A_", a): a for a in fw.actors}
    checked = 0
    for profile in fw.profiles.values():
        d = diagrams[f"profile-{profile.acronym}"]
        for line in d.source.splitlines():
            m = re.match(r'^(\w+) (<?--?>?) (\w+) : "(.*)"$', line)
            if not m:
                continue
            assert m.group(2) in ("-->", "<-->"), line
            ini, res = actor_of[m.group(1)], actor_of[m.group(3)]
            for tx_id in re.findall(r"<U\+005B>([A-Z]+-\d+)<U\+005D>", m.group(4)):
                # the roles in this profile: the transaction's, or those the profile binds (PIX on ITI-30)
                roles = {(a, r) for a in (ini, res) for r in bindings.roles_in_profile(fw, profile, a, tx_id)}
                assert (ini, "initiator") in roles and (res, "responder") in roles, (profile.acronym, line)
                if m.group(2) == "<-->":  # both ends: each initiates it with the other
                    assert (res, "initiator") in roles and (ini, "responder") in roles, (profile.acronym, line)
                checked += 1
        assert d.svg.count("<polygon") >= sum(1 for line in d.source.splitlines() if "-> " in line), profile.acronym
    assert checked > 20


def test_conditional_grouping_is_drawn_in_a_frame_named_after_the_option(example):
    fw, diagrams = example
    d = diagrams["profile-MHD"]
    text = all_text(d.svg)
    assert "XDS on FHIR Option" in text
    assert "Document Recipient is grouped with XDS.b Document Source when the XDS on FHIR Option is claimed." in d.alt_text


def test_each_use_case_svg_shows_its_steps_in_order(example):
    fw, diagrams = example
    count = 0
    for profile in fw.profiles.values():
        for uc in profile.use_cases:
            if not uc.steps:
                continue
            count += 1
            seq = read_sequence(diagrams[f"uc-{profile.acronym}-{uc.id}"].svg)
            names = dict(seq.participants)
            assert len(seq.messages) == len(uc.steps)
            for n, (step, msg) in enumerate(zip(uc.steps, seq.messages), start=1):
                assert msg.number == str(n)
                assert names[msg.sender] == fw.actors[step.from_actor].name
                assert names[msg.receiver] == fw.actors[step.to_actor or step.from_actor].name
                first_words = " ".join(step.text.split()[:3])
                assert first_words in msg.label
                if step.transaction:
                    assert msg.label.startswith(f"{fw.transactions[step.transaction].label} ")
    assert count > 0


def test_transactions_agree_with_the_published_ihe_sequence_diagrams(example):
    """Participants and message directions match facts.json for the transactions the example has."""
    fw, diagrams = example
    if not REFERENCE.is_dir():
        pytest.skip(f"reference facts not found at {REFERENCE}; they live beside the repository, in shared/ihe-reference")
    checked, seen = 0, set()
    for facts_file in sorted(REFERENCE.glob("*/facts.json")):
        for published in json.loads(facts_file.read_text(encoding="utf-8"))["transactions"]:
            tx = fw.transactions.get(published["transaction_id"])
            if tx is None:
                continue
            for sd in published["sequence_diagrams"]:
                seq = read_sequence(diagrams[f"tx-{tx.id}"].svg)
                assert [name for _, name in seq.participants] == [p["display_text"] for p in sd["participants"]], tx.id
                theirs = [(a, b) for a, b, _ in sd["messages"]]  # self-messages too (labels, arrows, structure: test_sequence_facts.py)
                ours = [(seq.name_of(m.sender), seq.name_of(m.receiver)) for m in seq.messages]
                assert ours == theirs, tx.id
                checked += 1
                seen.add(tx.id)
    assert checked >= 5
    assert {"ITI-78", "ITI-119"} <= seen  # PDQm's, from its supplement


def test_figure_html_embeds_the_svg_with_a_title_and_text_alternative(example):
    fw, diagrams = example
    d = diagrams["tx-ITI-18"]
    out = figure_html(d, "Figure 3.18.4-1: Registry Stored Query", "figure-interaction")
    assert out.startswith('<figure id="figure-interaction"')
    # its actors and messages are links, so it is a group (an image holding links would hide them)
    assert 'role="group"' in out and 'role="img"' not in out and "<a href=" in out
    assert 'aria-labelledby="figure-interaction-title figure-interaction-caption"' in out
    assert '<title id="figure-interaction-title">Registry Stored Query [ITI-18]</title>' in out
    assert 'aria-describedby="figure-interaction-desc-svg"' in out
    assert "<figcaption id=\"figure-interaction-caption\">Figure 3.18.4-1: Registry Stored Query</figcaption>" in out
    assert "<details" in out and d.alt_text[0] in out


# --------------------------------------------------------------------------- without the example

def _tiny(names: dict[str, str]) -> Framework:
    fw = Framework()
    loc = Loc("specs/T/transactions/T-1.yaml", 2, 1)
    fw.domains["T"] = Domain("T", "T", "1", "2024-01-01", "trial-implementation", loc)
    for actor_id, name in names.items():
        fw.actors[actor_id] = Actor(actor_id, name, "", "T", loc)
    return fw


NASTY = [
    'Quote " and \' and back\\slash',
    "new\nline @enduml\n!include /etc/passwd",
    '%getenv("HOME") $x %date()',
    "[[javascript:alert(1) click]] <script>alert(2)</script>",
    "**bold** //italic// --strike-- __under__ ~~wave~~ \"\"mono\"\"",
    "<img:/etc/hostname> <&star> {{ }} |= table |",
]


@pytest.mark.parametrize("nasty", NASTY)
def test_names_from_yaml_stay_text(nasty, tmp_path):
    """Whatever a name holds, PlantUML draws it as written and it runs nothing."""
    require_renderer()
    fw = _tiny({"a": f"Sender {nasty}", "b": "Receiver"})
    loc = Loc("specs/T/transactions/T-1.yaml", 2, 1)
    tx = Transaction("T-1", f"Tx {nasty}", "", "T", loc, roles=[Role("a", "initiator", "", loc), Role("b", "responder", "", loc)],
                     messages=[Message(f"Msg {nasty}", "request", loc), Message("Done", "response", loc)])
    fw.transactions[tx.id] = tx
    d = transaction_diagram(fw, tx)
    assert len(d.source.splitlines()) == 13  # no line was added by a name
    report = render([d], tmp_path)
    assert report.problems == [] and d.svg
    flat = " ".join(nasty.split())
    seq = read_sequence(d.svg)
    assert seq.title == f"Tx {flat} [T-1]"
    assert seq.participants[0][1] == f"Sender {flat}"
    assert seq.messages[0].label == f"Msg {flat}"
    assert "<script" not in d.svg and not any(h.lower().startswith("javascript") for h in hrefs(d.svg))
    assert "root:x:0:0" not in d.svg
    html = figure_html(d, f"Caption {nasty}", "f1")
    assert "<script" not in html and not any(h.lower().startswith("javascript") for h in hrefs(html))


def test_model_diagrams_are_deterministic_and_keyed(tree):
    fw = tree.validate().framework
    first = model_diagrams(fw)
    second = model_diagrams(fw)
    assert [(d.key, d.source) for d in first] == [(d.key, d.source) for d in second]
    keys = [d.key for d in first]
    assert keys[:6] == ["tx-ITX-1", "tx-ITX-2", "tx-ITX-3", "tx-ITX-4", "tx-RDX-1", "profile-CT"]
    assert "uc-DOC-share-a-document" in keys and "uc-DOC-update-a-document" not in keys  # no steps, no flow
    assert len(keys) == len(set(keys))
    by_key = {d.key: d for d in first}
    assert by_key["tx-ITX-2"].page == "ITX/volume-2/ITX-2.md"
    assert by_key["profile-DOC"].page == "ITX/volume-1/DOC.md"
    assert by_key["tx-ITX-2"].loc.file.endswith("ITX/transactions/ITX-2.yaml")
    assert by_key["uc-DOC-share-a-document"].kind == "use-case"


def test_use_case_step_without_a_receiver_is_an_arrow_to_itself(tree):
    fw = tree.validate().framework
    profile = fw.profiles["DOC"]
    d = use_case_diagram(fw, profile, profile.use_cases[0])
    lines = [line for line in d.source.splitlines() if " -> " in line or " --> " in line]
    assert lines[0].startswith("P_document_source -> P_document_recipient : [[")
    assert lines[1].startswith("P_document_recipient -> P_document_recipient : Store it.")
    assert d.alt_text == [
        "1. Document Source to Document Recipient, Provide Document [ITX-2]: Send it.",
        "2. Document Recipient: Store it.",
    ]


def test_grouping_with_an_option_and_cross_domain_links(tree):
    fw = tree.validate().framework
    d = profile_diagram(fw, fw.profiles["DOC"])
    box = next(line for line in d.source.splitlines() if "with the Document" in line and "agent" in line)
    assert box.endswith("#line.dashed") and "with the Document\\nUpdate Option" in box  # conditional: dashed, named
    assert "Dashed box: required only with the option or condition named in it." in d.source  # and the legend says so
    assert "[[../../actors/time-client/ Time Client]] (CT)" in d.source
    img = profile_diagram(fw, fw.profiles["IMG"])
    # RDX actors grouped with ITX actors: the link crosses domains, relative to the RDX page.
    assert "[[../../../ITX/actors/document-recipient/ Document]]\\n[[../../../ITX/actors/document-recipient/ Recipient]] (DOC)" in img.source


def test_one_diagram_by_its_key_is_the_one_model_diagrams_draws(example):
    """Supplement documents draw only the diagrams their pages show (``model_diagram``): the same ones."""
    from generator.diagrams.from_model import model_diagram

    fw, diagrams = example
    for key, d in diagrams.items():
        one = model_diagram(fw, key)
        assert one is not None and (one.source, one.alt_text, one.page, one.kind) == (d.source, d.alt_text, d.page, d.kind), key
    assert model_diagram(fw, "tx-ITI-9999") is None and model_diagram(fw, "profile-NOPE") is None and model_diagram(fw, "uc-XDS.b-nope") is None
    assert any(k.startswith("uc-XDS-SD-") or k.startswith("uc-XDS.b-") for k in diagrams)  # acronyms with "-" and "." are covered
