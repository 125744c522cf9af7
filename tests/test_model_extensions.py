"""Model extensions of issue 12: facts of published chapters that the format could not state.

Each test states one such fact in a copy of the small test framework (conftest ``tree``),
validates it with the real validator and reads what the pages and diagrams make of it:
per-profile role bindings and exchanges, interactions within a transaction, option
effects on other actors, external grouping targets, message labels.
"""

from __future__ import annotations

from conftest import expect, make_actor, make_transaction, show, with_rule

from generator.diagrams.from_model import profile_diagram, transaction_diagram
from generator.render import views

DOC = "ITX/profiles/DOC.yaml"
ITX2 = "ITX/transactions/ITX-2.yaml"
MOB = "ITX/profiles/MOB.yaml"


def _clean(tree):
    result = tree.validate()
    assert result.problems == [], show(result.problems)
    return result.framework


def _mobile_profile(tree, **extra) -> None:
    """MOB reuses ITX-2 with an actor the transaction's file does not name."""
    tree["ITX/actors/mobile-source.yaml"] = make_actor("mobile-source", "Mobile Source")
    tree[MOB] = {
        "acronym": "MOB",
        "name": "Mobile Document Sharing",
        "chapter": 11,
        "type": "workflow",
        "status": "trial-implementation",
        "summary": "Shares documents from phones.",
        "actors": [
            {"actor": "mobile-source", "transactions": [{"transaction": "ITX-2", "optionality": "R", "role": "initiator"}]},
            {"actor": "document-recipient", "transactions": [{"transaction": "ITX-2", "optionality": "R"}]},
        ],
        **extra,
    }


def _edges(source: str) -> list[str]:
    return sorted(line.split(" : ")[0] for line in source.splitlines() if " --> " in line)


# --------------------------------------------------------------------------- 1. role bindings

def test_a_profile_binds_its_own_actor_to_a_role_without_changing_other_profiles(tree):
    base = _clean(tree)
    doc_before = profile_diagram(base, base.profiles["DOC"]).source
    _mobile_profile(tree)
    fw = _clean(tree)  # no actor-without-role: the row binds it
    assert profile_diagram(fw, fw.profiles["DOC"]).source == doc_before
    assert "Mobile Source" not in doc_before
    assert _edges(profile_diagram(fw, fw.profiles["MOB"]).source) == ["A_mobile_source --> A_document_recipient"]
    # Volume 2 shows every role, whichever profile binds it
    page = views.transaction_page(fw, fw.transactions["ITX-2"])
    rows = [[c.html for c in row] for row in page.context["roles_table"].rows]
    assert any("Mobile Source" in r[0] and r[1] == "Initiator" and "MOB" in r[2] for r in rows), rows
    assert "Mobile Source" in transaction_diagram(fw, fw.transactions["ITX-2"]).source
    # each profile's table gives its own actor's role
    table = views.profile_page(fw, fw.profiles["MOB"]).context["actors_table"]
    assert [c.html for c in table.rows[0]][2] == "Initiator"


def test_a_row_without_a_role_or_binding_is_still_refused(tree):
    _mobile_profile(tree)
    del tree[MOB]["actors"][0]["transactions"][0]["role"]
    result = tree.validate()
    problem = expect(result, "actor-without-role", MOB, None)
    assert "role: initiator" in problem.message


def _crowded(tree, exchanges=None) -> None:
    """ITX-5 has two initiators and two responders; in XCH each initiator talks to one responder."""
    for actor_id, name in (("alpha", "Alpha"), ("beta", "Beta"), ("gamma", "Gamma"), ("delta", "Delta")):
        tree[f"ITX/actors/{actor_id}.yaml"] = make_actor(actor_id, name)
    tx = make_transaction("ITX-5", "Exchange", "alpha", "gamma", [])
    tx["roles"] += [{"actor": "beta", "role": "initiator"}, {"actor": "delta", "role": "responder"}]
    tree["ITX/transactions/ITX-5.yaml"] = tx
    tree["ITX/profiles/XCH.yaml"] = {
        "acronym": "XCH",
        "name": "Exchanges",
        "chapter": 12,
        "type": "workflow",
        "status": "trial-implementation",
        "summary": "Pairs.",
        "actors": [{"actor": a, "transactions": [{"transaction": "ITX-5", "optionality": "R"}]} for a in ("alpha", "beta", "gamma", "delta")],
        **({"exchanges": exchanges} if exchanges is not None else {}),
    }


def test_stated_exchanges_are_the_only_pairs_drawn(tree):
    _crowded(tree)
    fw = _clean(tree)
    assert len(_edges(profile_diagram(fw, fw.profiles["XCH"]).source)) == 4  # default: every initiator with every responder
    _crowded(tree, [{"transaction": "ITX-5", "initiator": "alpha", "responder": "gamma"}, {"transaction": "ITX-5", "initiator": "beta", "responder": "delta"}])
    fw = _clean(tree)
    diagram = profile_diagram(fw, fw.profiles["XCH"])
    assert _edges(diagram.source) == ["A_alpha --> A_gamma", "A_beta --> A_delta"]
    assert not any("Alpha" in line and "Delta" in line for line in diagram.alt_text), diagram.alt_text


def test_an_exchange_must_join_bound_actors_of_the_profile(tree):
    _crowded(tree, [{"transaction": "ITX-5", "initiator": "gamma", "responder": "alpha"}, {"transaction": "ITX-5", "initiator": "alpha", "responder": "time-server"}])
    result = tree.validate()
    problems = with_rule(result, "exchange-role")
    assert len(problems) == 3, show(result.problems)  # gamma is no initiator, alpha no responder, time-server not in XCH
    rel = "ITX/profiles/XCH.yaml"
    assert {p.loc.line for p in problems} == {tree.line_of(rel, "- transaction: ITX-5", 5), tree.line_of(rel, "- transaction: ITX-5", 6)}
    assert any("'time-server' is not an actor of XCH" in p.message for p in problems)


def test_no_phantom_partner_from_a_role_that_no_profile_uses(tree):
    """DOC's recipient answers ITX-2; an actor the file names as responder but that answers in no profile is not drawn."""
    tree[ITX2]["roles"].append({"actor": "time-server", "role": "responder"})
    tree["ITX/profiles/SRC.yaml"] = {
        "acronym": "SRC", "name": "Sources only", "chapter": 13, "type": "workflow", "status": "trial-implementation",
        "summary": "Only a source.", "actors": [{"actor": "document-source", "transactions": [{"transaction": "ITX-2", "optionality": "R"}]}],
    }
    fw = tree.validate().framework
    source = profile_diagram(fw, fw.profiles["SRC"]).source
    assert "A_document_source --> A_document_recipient" in source  # answers ITX-2 in DOC: a real exchange across profiles
    assert "Time" not in source


# --------------------------------------------------------------------------- 2. interactions

ITX6 = "ITX/transactions/ITX-6.yaml"


def _consent_registry(tree) -> None:
    """ITX-6, as ITI-108: one transaction of several interactions, messages numbered straight through."""
    tx = make_transaction("ITX-6", "Access Consent", "document-source", "document-recipient", [])
    del tx["messages"]
    tx["interactions"] = [
        {"name": "Search", "description": "Finds consents.", "messages": [
            {"name": "Search Request", "type": "request", "trigger": "A consent is needed."},
            {"name": "Search Response", "type": "response"},
        ]},
        {"name": "Create", "messages": [
            {"name": "Create Request", "type": "request"},
            {"name": "Create Response", "type": "response"},
        ]},
    ]
    tree[ITX6] = tx
    for actor in tree[DOC]["actors"]:
        actor["transactions"].append({"transaction": "ITX-6", "optionality": "O"})


def _page_markdown(fw, page) -> str:
    from generator.render import pages

    return pages.render_page(pages.environment(), page)


def test_interactions_group_the_messages_of_a_transaction(tree):
    _consent_registry(tree)
    fw = _clean(tree)
    tx = fw.transactions["ITX-6"]
    assert [m.name for m in tx.messages] == ["Search Request", "Search Response", "Create Request", "Create Response"]
    text = _page_markdown(fw, views.transaction_page(fw, tx))
    headings = [line for line in text.splitlines() if line.startswith("#")]
    search, create = headings.index("### Search { #interaction-1}"), headings.index("### Create { #interaction-2}")
    assert headings[search + 1] == "#### 3.6.4.1 Search Request { #message-1}"
    assert headings[search + 2] == "##### 3.6.4.1.1 Trigger Events { #message-1-trigger}"
    assert headings[create + 1] == "#### 3.6.4.3 Create Request { #message-3}"
    assert "Finds consents." in text
    source = transaction_diagram(fw, tx).source.splitlines()
    assert source.index("group Search") < next(i for i, line in enumerate(source) if "Search Request" in line)
    assert source.count("end") == 2 and source.index("group Create") > source.index("end")


def test_a_transaction_states_messages_or_interactions_not_both(tree):
    _consent_registry(tree)
    tree[ITX6]["messages"] = [{"name": "Loose", "type": "request"}]
    result = tree.validate()
    top_level = next(n for n, line in enumerate(tree.text(ITX6).splitlines(), 1) if line == "messages:")
    problem = expect(result, "messages-and-interactions", ITX6, top_level)
    assert "remove messages" in problem.message
    del tree[ITX6]["messages"], tree[ITX6]["interactions"]
    result = tree.validate()
    assert "missing required key 'messages'" in expect(result, "schema-required", ITX6).message


# --------------------------------------------------------------------------- 7. message labels

def test_an_empty_reply_label_is_allowed_and_drawn_unlabelled(tree):
    tree[ITX2]["messages"][1]["name"] = ""
    fw = _clean(tree)
    tx = fw.transactions["ITX-2"]
    source = transaction_diagram(fw, tx).source
    assert "Responder --> Initiator\n" in source
    text = _page_markdown(fw, views.transaction_page(fw, tx))
    assert "### 3.2.4.2 Response Message { #message-2}" in text


def test_a_newline_in_a_message_name_is_refused_where_it_is(tree):
    tree[ITX2]["messages"][0]["name"] = "Search Value Set Request:\nwith more"
    result = tree.validate()
    problems = [p for p in result.errors if p.loc.file.endswith("ITX-2.yaml")]
    assert len(problems) == 1, show(result.problems)
    assert problems[0].rule.startswith("schema"), problems[0]
    assert problems[0].loc.line == tree.line_of(ITX2, "- name: |-"), problems[0]  # the value, written as a block
    assert "one line" in problems[0].message


# --------------------------------------------------------------------------- 4. external references

IMG = "RDX/profiles/IMG.yaml"
ORDER_PLACER = {"external": {"domain": "PAT", "profile": "SWF", "actor": "Order Placer", "reference": "PAT TF-1: 2"}}


def test_a_grouping_cites_an_actor_of_a_profile_outside_the_tree(tree):
    tree[IMG]["groupings"].append({"actor": "image-creator", "with": [ORDER_PLACER]})
    tree[IMG]["groupings"][1]["with"].append({"external": {"domain": "RDX", "profile": "WFL", "actor": "Image Manager", "reference": "RDX TF-1: 3.2"}})
    fw = _clean(tree)
    table = views.profile_page(fw, fw.profiles["IMG"]).context["groupings_table"]
    rows = [[c.html for c in row] for row in table.rows]
    placer = next(r for r in rows if "Order Placer" in r[2])
    assert "PAT SWF / Order Placer" in placer[2] and "<a" not in placer[2].split("PAT SWF")[1]
    assert placer[3] == "PAT TF-1: 2"
    archive = next(r for r in rows if "Image Manager" in r[2])
    assert "ATN</a> / " in archive[2] and archive[2].endswith("or RDX WFL / Image Manager"), archive[2]
    assert archive[3].endswith(", RDX TF-1: 3.2"), archive[3]
    diagram = profile_diagram(fw, fw.profiles["IMG"])
    assert any("PAT SWF Order Placer" in line for line in diagram.alt_text), diagram.alt_text
    assert "Order Placer (PAT SWF)" in diagram.source


def test_an_external_citation_is_checked_for_form(tree):
    bad = {"external": {"domain": "PAT", "profile": "SWF", "actor": "Order Placer", "reference": "see chapter 2"}}
    tree[IMG]["groupings"].append({"actor": "image-creator", "with": [bad]})
    result = tree.validate()
    expect(result, "schema-pattern", IMG, tree.line_of(IMG, "reference: see chapter 2"))


def test_an_external_citation_names_its_own_domain_and_not_a_profile_the_tree_holds(tree):
    tree[IMG]["groupings"].append({"actor": "image-creator", "with": [
        {"external": {"domain": "PAT", "profile": "SWF", "actor": "Order Placer", "reference": "RAD TF-1: 2"}},
        {"external": {"domain": "ITX", "profile": "CT", "actor": "Time Client", "reference": "ITX TF-1: 7"}},
    ]})
    result = tree.validate()
    problem = expect(result, "external-reference", IMG, tree.line_of(IMG, "domain: PAT"))
    assert "RAD TF-1: 2" in problem.message
    problem = expect(result, "external-in-tree", IMG, tree.line_of(IMG, "domain: ITX"))
    assert "profile: CT" in problem.message and "time-client" in problem.message


def test_a_grouping_target_is_either_in_the_tree_or_external(tree):
    tree[IMG]["groupings"].append({"actor": "image-creator", "with": [{"profile": "CT", **ORDER_PLACER}]})
    result = tree.validate()
    assert "not both (remove profile)" in expect(result, "external-reference", IMG, tree.line_of(IMG, "- profile: CT", 2)).message
    tree[IMG]["groupings"][-1]["with"] = [{"profile": "CT"}]
    result = tree.validate()
    assert "missing required key 'actor'" in expect(result, "schema-required", IMG).message


# --------------------------------------------------------------------------- 3. option effects on other actors

def test_an_option_adds_a_transaction_to_another_actor(tree):
    folders = tree[DOC]["options"][1]
    folders["adds"] = [{"actor": "document-recipient", "transaction": "ITX-3", "optionality": "R"}]
    fw = _clean(tree)  # claimed by the source only, which need not list anything for it
    page = views.profile_page(fw, fw.profiles["DOC"])
    table = page.context["options_table"]
    note = next(i for i, n in enumerate(table.notes, start=1) if n.startswith("With the Folders Option"))
    assert "Update Document [ITX-3]</a> is required for the Document Recipient." in table.notes[note - 1]
    row = next(r for r in table.rows if "Folders" in r[1].html)
    assert f"Note {note}" in row[1].html or f", {note})" in row[1].html, row[1].html
    text = _page_markdown(fw, page)
    assert "<li>Adds to other actors: <a" in text and "Update Document [ITX-3]</a> to <a" in text


def test_an_option_effect_names_an_actor_of_the_profile_with_a_role(tree):
    tree[DOC]["options"][1]["adds"] = [
        {"actor": "time-server", "transaction": "ITX-3", "optionality": "R"},
        {"actor": "document-source", "transaction": "ITX-1", "optionality": "O"},
        {"actor": "document-source", "transaction": "ITX-99", "optionality": "O"},
    ]
    result = tree.validate()
    assert "not an actor of DOC" in expect(result, "unknown-actor", DOC, tree.line_of(DOC, "- actor: time-server")).message
    # each at its entry, which starts on the line before its transaction
    expect(result, "actor-without-role", DOC, tree.line_of(DOC, "transaction: ITX-1") - 1)
    expect(result, "unknown-transaction", DOC, tree.line_of(DOC, "transaction: ITX-99") - 1)


# --------------------------------------------------------------------------- 6. placeholder numbers

def _placeholder_supplement(tree, status: str = "public-comment") -> str:
    """A Public Comment supplement with a new profile at chapter XX and a new transaction ITX-YY1."""
    folder = "ITX/supplements/NEWP"
    tree[f"{folder}/supplement.yaml"] = {
        "id": "NEWP", "title": "New Profile (NEWP)", "revision": "1.0", "status": status, "date": "2024-02-01",
        "applies_to": {"revision": "1.0"},
    }
    tree[f"{folder}/transactions/ITX-YY1.yaml"] = make_transaction("ITX-YY1", "Query Things", "document-source", "document-recipient", [])
    tree[f"{folder}/profiles/NEWP.yaml"] = {
        "acronym": "NEWP", "name": "New Profile", "chapter": "XX", "type": "workflow", "status": status,
        "summary": "Uses [[ITX-YY1]].",
        "actors": [
            {"actor": "document-source", "transactions": [{"transaction": "ITX-YY1", "optionality": "R"}]},
            {"actor": "document-recipient", "transactions": [{"transaction": "ITX-YY1", "optionality": "R"}]},
        ],
    }
    return folder


def test_a_public_comment_supplement_may_carry_placeholder_numbers(tree):
    from generator.render.export import export_model
    from generator.supplements import framework_with_supplements

    _placeholder_supplement(tree)
    _clean(tree)
    fw = framework_with_supplements(tree.root)
    profile, tx = fw.profiles["NEWP"], fw.transactions["ITX-YY1"]
    page = views.profile_page(fw, profile)
    assert page.title == "XX New Profile (NEWP)"
    assert page.context["actors_table"].caption == "Table XX.1-1: NEWP Profile - Actors and Transactions"
    assert views.transaction_page(fw, tx).title == "3.YY1 Query Things [ITX-YY1]"
    assert "ITX TF-2: 3.YY1" in _page_markdown(fw, page)
    assert next(p for p in export_model(fw)["profiles"] if p["acronym"] == "NEWP")["chapter"] == "XX"
    assert views.volume_index(fw, "ITX", 1).context["table"].rows[-1][0].html == "XX"  # after every numbered chapter
    from generator.render import pages
    from generator.supplements import build_document, load_supplements

    supplement = load_supplements(tree.root)[0][0]
    document = build_document(tree.validate().framework, supplement, pages.environment())
    assert [(i.volume, i.kind, i.number) for i in document.instructions] == [(1, "add", "XX"), (2, "add", "3.YY1")]


def test_placeholder_numbers_are_refused_from_trial_implementation_on(tree):
    folder = _placeholder_supplement(tree, "trial-implementation")
    result = tree.validate()
    problems = with_rule(result, "placeholder-number")
    assert len(problems) == 2, show(result.problems)
    assert {(p.loc.file.rsplit("/", 1)[1], p.loc.line) for p in problems} == {
        ("NEWP.yaml", tree.line_of(f"{folder}/profiles/NEWP.yaml", "chapter: XX")),
        ("ITX-YY1.yaml", tree.line_of(f"{folder}/transactions/ITX-YY1.yaml", "id: ITX-YY1")),
    }


def test_placeholder_numbers_are_refused_in_the_volumes(tree):
    tree[DOC]["chapter"] = "XX"
    result = tree.validate()
    expect(result, "placeholder-number", DOC, tree.line_of(DOC, "chapter: XX"))


# --------------------------------------------------------------------------- 5. supplements building on supplements

def _supplement(tree, sid: str, status: str = "trial-implementation", **extra) -> str:
    folder = f"ITX/supplements/{sid}"
    tree[f"{folder}/supplement.yaml"] = {
        "id": sid, "title": f"Supplement {sid}", "revision": "1.0", "status": status, "date": "2024-02-01",
        "applies_to": {"revision": "1.0"}, **extra,
    }
    return folder


def _stacked(tree, depends_on=None) -> str:
    """ZZ-query adds ITX-7; AA-mobile (applied first by id) adds a profile using it."""
    base = _supplement(tree, "ZZ-query")
    tree[f"{base}/transactions/ITX-7.yaml"] = make_transaction("ITX-7", "Query Documents", "document-source", "document-recipient", [])
    tree[f"{base}/amendments.yaml"] = {"amendments": [{"op": "add-transaction", "profile": "DOC", "actor": "document-recipient", "transaction": "ITX-7", "optionality": "O"}]}
    top = _supplement(tree, "AA-mobile", **({"depends_on": depends_on} if depends_on is not None else {}))
    tree[f"{top}/profiles/MOQ.yaml"] = {
        "acronym": "MOQ", "name": "Mobile Query", "chapter": 20, "type": "workflow", "status": "trial-implementation",
        "summary": "Queries with [[ITX-7]].",
        "actors": [
            {"actor": "document-source", "transactions": [{"transaction": "ITX-7", "optionality": "R"}]},
            {"actor": "document-recipient", "transactions": [{"transaction": "ITX-7", "optionality": "R"}]},
        ],
    }
    return top


def test_a_supplement_builds_on_another_open_supplement(tree):
    from generator.render import pages
    from generator.supplements import build_document, framework_with_supplements
    from generator.supplements.check import check_all

    top = _stacked(tree)
    result = tree.validate()
    assert with_rule(result, "unknown-transaction"), show(result.problems)  # without depends_on: ITX-7 is unknown
    _stacked(tree, ["ZZ-query"])
    result = tree.validate()
    assert result.problems == [], show(result.problems)
    fw = framework_with_supplements(tree.root)
    assert {"MOQ"} <= set(fw.profiles) and "ITX-7" in fw.transactions
    checked = {c.supplement.id: c for c in check_all(tree.root, result.framework, result.sources)[0]}
    mobile = checked["AA-mobile"]
    document = build_document(mobile.base, mobile.supplement, pages.environment(), applied=mobile.applied)
    assert [(i.volume, i.kind, i.number) for i in document.instructions] == [(1, "add", "20")]  # ITX-7 is ZZ-query's
    assert top


def test_supplement_dependencies_that_cannot_hold_are_located_errors(tree):
    top = _stacked(tree, ["ZZ-query", "ZZ-qeury", "OLD"])
    _supplement(tree, "OLD", status="final-text")
    tree["ITX/supplements/ZZ-query/supplement.yaml"]["depends_on"] = ["AA-mobile"]
    result = tree.validate()
    problems = with_rule(result, "supplement-dependency")
    meta = f"{top}/supplement.yaml"
    lines = {(p.loc.file.split("supplements/")[1], p.loc.line): p.message for p in problems}
    assert "did you mean 'ZZ-query'" in lines[("AA-mobile/supplement.yaml", tree.line_of(meta, "- ZZ-qeury"))]
    assert "final-text" in lines[("AA-mobile/supplement.yaml", tree.line_of(meta, "- OLD"))]
    cycle = [m for m in lines.values() if m.startswith("circular")]
    assert len(cycle) == 1 and "AA-mobile -> ZZ-query -> AA-mobile" in cycle[0], problems
