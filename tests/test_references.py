"""generator.check.references: finding and resolving [[...]] cross-references in narrative text."""

from __future__ import annotations

import pytest

from generator.check.references import (
    Ref,
    RefError,
    exists,
    find_refs,
    suggestion,
    unresolved_message,
)


@pytest.fixture
def framework(tree):
    return tree.validate().framework


@pytest.mark.parametrize(
    "text, kind, key, label",
    [
        ("[[ITX-18]]", "transaction", "ITX-18", ""),
        ("[[transaction:ITX-18]]", "transaction", "ITX-18", ""),
        ("[[profile:XDS.b]]", "profile", "XDS.b", ""),
        ("[[XDS.b]]", "profile", "XDS.b", ""),
        ("[[actor:document-consumer]]", "actor", "document-consumer", ""),
        ("[[option:XDS.b/on-demand-documents]]", "option", "XDS.b/on-demand-documents", ""),
        ("[[content:bppc-consent]]", "content", "bppc-consent", ""),
        ("[[standard:HL7-FHIR-R4]]", "standard", "HL7-FHIR-R4", ""),
        ("[[ITX-18|the stored query]]", "transaction", "ITX-18", "the stored query"),
        ("[[ actor : time-client | the client ]]", "actor", "time-client", "the client"),
    ],
)
def test_each_form_of_reference(text, kind, key, label):
    (ref,) = find_refs(f"See {text}.")
    assert ref == Ref(kind, key, label, 4, 4 + len(text))


def test_offsets_of_several_references():
    text = "A [[ITX-1]] and [[profile:CT]]\nthen [[actor:x]]"
    refs = list(find_refs(text))
    assert [(r.start, text[r.start : r.end]) for r in refs] == [
        (2, "[[ITX-1]]"),
        (16, "[[profile:CT]]"),
        (36, "[[actor:x]]"),
    ]


def test_unknown_kind_is_an_error_at_its_position():
    (ref,) = find_refs("xx [[glossary:term]]")
    assert isinstance(ref, RefError)
    assert ref.start == 3
    assert "unknown reference kind 'glossary'" in ref.message


@pytest.mark.parametrize("text", ["[ITX-1]", "[[]]", "[[ITX-1", "ITX-1]]", "[[a\nb]]", "[[a|]]x"])
def test_text_that_is_not_a_reference(text):
    assert list(find_refs(text)) == []


def test_exists_for_every_kind(framework):
    for ref, wanted in [
        (Ref("transaction", "ITX-1", "", 0, 0), True),
        (Ref("transaction", "RDX-1", "", 0, 0), True),
        (Ref("transaction", "ITX-9", "", 0, 0), False),
        (Ref("profile", "IMG", "", 0, 0), True),
        (Ref("profile", "img", "", 0, 0), False),
        (Ref("actor", "time-client", "", 0, 0), True),
        (Ref("option", "CT/sntp", "", 0, 0), True),
        (Ref("option", "DOC/sntp", "", 0, 0), False),
        (Ref("option", "CT", "", 0, 0), False),
        (Ref("content", "imaging-report", "", 0, 0), True),
        (Ref("standard", "NTP-4", "", 0, 0), True),
        (Ref("standard", "NTP-5", "", 0, 0), False),
    ]:
        assert exists(framework, ref) is wanted, ref


def test_suggestion_prefers_a_case_insensitive_match():
    assert suggestion("xds.B", ["XDS.b", "XDS-SD"]) == " (did you mean 'XDS.b'?)"
    assert suggestion("document-consumr", ["document-consumer", "document-source"]) == " (did you mean 'document-consumer'?)"
    assert suggestion("zebra", ["document-consumer"]) == ""
    assert suggestion("anything", []) == ""


def test_unresolved_message_suggests_options_by_profile(framework):
    message = unresolved_message(framework, Ref("option", "CT/secure-ntp", "", 0, 0))
    assert message == "reference [[option:CT/secure-ntp]] names no option (did you mean 'CT/secured-ntp'?)"
