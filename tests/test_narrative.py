"""Narrative Markdown: references become numbered links; HTML from YAML never runs."""

from __future__ import annotations

import functools

from sitebuild import SPECS

from generator.render.narrative import render
from generator.validate import validate


@functools.lru_cache(maxsize=None)
def example():
    return validate(SPECS).framework


PAGE = "ITI/volume-1/XDS.b.md"


def test_transaction_reference_gets_name_number_and_link():
    out = render("See [[ITI-18]].", example(), PAGE)
    assert out == '<p>See <a href="../../volume-2/ITI-18/" title="ITI TF-2: 3.18">Registry Stored Query [ITI-18]</a>.</p>'


def test_profile_option_actor_and_labelled_references():
    fw = example()
    out = render("[[profile:ATNA]], [[option:XDS.b/reference-id]], [[actor:time-client]], [[ITI-1|the time query]]", fw, PAGE)
    assert 'href="../ATNA/"' in out and "ATNA Profile (ITI TF-1: 9)" in out
    assert 'href="./#option-reference-id"' in out and "Reference ID Option (ITI TF-1: 10.2.10)" in out
    assert 'href="../../actors/time-client/" title="Time Client">Time Client</a>' in out
    assert ">the time query</a>" in out


def test_raw_html_is_shown_as_text():
    out = render('<script>alert(1)</script> <b onclick="x()">b</b>', example(), PAGE)
    assert "<script" not in out and "<b" not in out
    assert "&lt;script&gt;" in out


def test_unsafe_link_schemes_are_dropped():
    out = render("[a](javascript:alert(1)) [b](data:text/html,x) [c](https://example.org/x) [d](../x/)", example(), PAGE)
    assert "javascript:" not in out and "data:" not in out
    assert 'href="https://example.org/x"' in out and 'href="../x/"' in out


def test_narrative_headings_stay_below_the_generated_ones():
    out = render("# Big\n\n## Bigger", example(), PAGE)
    assert "<h4>Big</h4>" in out and "<h5>Bigger</h5>" in out
