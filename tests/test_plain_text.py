"""Names stay plain text in Markdown pages: the escaping helper, through the real Markdown of the site."""

from __future__ import annotations

import markdown
from lxml import html as lxml_html
from markupsafe import Markup

from generator.annex.render import md_escape
from generator.render import plain_text

# The site's Markdown extensions (mkdocs.yml), attr_list and md_in_html included.
_MD = dict(extensions=["attr_list", "tables", "admonition", "md_in_html", "def_list", "toc"])


def _render(line: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(markdown.markdown(line, **_MD), create_parent="div")


HOSTILE = [
    "Time Client [more](javascript:alert(1))",
    "![i](x.png){: onerror=alert(1)}",
    "</title><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "A *b* _c_ `d` **e** ~~f~~ ==g== x|y [^1] [a][b] [c]: javascript:x",
    "Name {: #id .cls onclick=alert(1) }",
    "&lt;b&gt; &amp; \\*",
    "Language C# ##",
]


def test_names_render_as_the_same_text_in_a_heading_a_paragraph_and_a_table_cell():
    for name in HOSTILE:
        escaped = plain_text.inline(name)
        for page in (f"# {escaped} {{ #anchor}}", f"Text {escaped}", f'<table><tr><td>{escaped}</td></tr></table>', f"#### 1.2 {escaped}"):
            root = _render(page)
            assert root.text_content().replace("¶", "").strip().endswith(name), (name, page, markdown.markdown(page, **_MD))
            assert not root.xpath("//a[not(@class='headerlink')] | //img | //script | //em | //strong | //code"), (name, page)
            assert not [a for el in root.iter() for a in el.attrib if a.startswith("on")], (name, page)


def test_one_line_and_markup_safe():
    out = plain_text.inline("A\n\n# B\t  C")
    assert isinstance(out, Markup) and out == "A # B C"
    assert plain_text.inline("C#") == "C&#35;" and plain_text.inline("Use Case #2") == "Use Case #2"


def test_common_names_stay_readable():
    """The escaping touches only what could be syntax: generated Markdown stays legible and diffable."""
    for name in ["Registry Stored Query [ITI-18]", "Cross-Enterprise Document Sharing (XDS.b)", "on_demand", "Annex B: a, b; c."]:
        assert plain_text.inline(name) == name
    assert plain_text.inline("Patient's <name>") == "Patient&#39;s &lt;name&gt;"
    assert plain_text.inline("[x](y)") == "[x&#93;(y)"


def test_finalize_leaves_html_and_numbers_alone():
    assert plain_text.finalize(Markup("<b>x</b>")) == "<b>x</b>"
    assert plain_text.finalize(3) == 3
    assert plain_text.finalize("*x*") == "&#42;x&#42;"


def test_html_text_for_navigation_and_title():
    assert plain_text.html_text('</title><script>"x"</script>') == "&lt;/title&gt;&lt;script&gt;&#34;x&#34;&lt;/script&gt;"


def test_annex_markdown_escape_stops_attr_list():
    root = _render(f"# {md_escape('T ![i](x.png){: onerror=alert(1)}')}")
    assert not root.xpath("//img") and not [a for el in root.iter() for a in el.attrib if a.startswith("on")]
    assert "{: onerror=alert(1)}" in root.text_content()
