"""Narrative Markdown from the specs, made into safe HTML with its references resolved.

Narrative fields are written by many hands and end up on a public site, so they
are rendered here (not by mkdocs) where the generator controls them: raw HTML in
YAML is shown as text, never passed through; link targets are limited to safe
schemes; the HTML is then sanitised once more with lxml as a second line of
defence. References such as ``[[ITI-18]]`` become links with the entity's IHE
name and number, so prose can never cite a wrong section.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

import markdown
from lxml import html as lxml_html
from markupsafe import Markup

from ..check.references import REF_RE, Ref, RefError, exists, find_refs
from ..model import Framework
from ..problems import Loc
from . import numbering, site_paths

_ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "table", "thead", "tbody", "tr", "th", "td", "h4", "h5", "h6", "dl", "dt", "dd",
    "sup", "sub", "div", "span", "del", "ins", "abbr",
}
_DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "form", "input", "textarea", "select", "button", "svg", "math", "link", "meta", "base"}
_ALLOWED_ATTRS = {"href", "title", "id", "class", "align", "colspan", "rowspan"}
_SAFE_URL = re.compile(r"^(https?:|mailto:|#|\.{0,2}/|[^:/?#]+(?:[/?#]|$))", re.I)
_HEADING_SHIFT = {"h1": "h4", "h2": "h5", "h3": "h6"}
_TOKEN = "\u2063TFPUBREF{}\u2063"
_TOKEN_RE = re.compile("\u2063TFPUBREF(\\d+)\u2063")


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists", "def_list", "footnotes"], output_format="html")
    # Raw HTML in a spec is shown as text: editors write Markdown, and the site is public.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


_MD = _markdown()


class Narrative(Markup):
    """Rendered narrative that also carries the diagrams its author wrote in it.

    The diagrams are rendered later, all in one batch with the model's; their
    place in the HTML is held by a ``<!--tfpub-diagram:KEY-->`` comment.
    """

    diagrams: tuple = ()


_PLACEHOLDER_P = re.compile(r"<p>&lt;!--tfpub-diagram:([0-9A-Za-z_.-]+)--&gt;</p>")


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    title: str = ""


def ref_link(fw: Framework, ref: Ref, page: str) -> Link:
    """The link text IHE would print for a reference, with its number."""
    target = site_paths.url_link(page, site_paths.entity_page(fw, ref.kind, ref.key), site_paths.entity_anchor(ref.kind, ref.key))
    if ref.kind == "transaction":
        tx = fw.transactions[ref.key]
        text, title = tx.label, numbering.transaction_ref(tx)
    elif ref.kind == "profile":
        p = fw.profiles[ref.key]
        text, title = f"{p.acronym} Profile ({numbering.profile_ref(p)})", f"{p.name} ({p.acronym})"
    elif ref.kind == "actor":
        text, title = fw.actors[ref.key].name, fw.actors[ref.key].name
    elif ref.kind == "option":
        acronym, _, oid = ref.key.partition("/")
        p = fw.profiles[acronym]
        option = p.option(oid)
        text = f"{option.name} Option ({numbering.volume_ref(p.domain, 1, numbering.option_section(p, oid))})"
        title = f"{p.acronym}: {option.name} Option"
    elif ref.kind == "content":
        c = fw.content_modules[ref.key]
        text, title = f"{c.name} ({numbering.content_ref(c)})", c.name
    else:
        s = fw.standards[ref.key]
        text, title = s.title, s.id
    return Link(target, ref.label or text, title)


def _sanitise(fragment: str) -> str:
    if not fragment.strip():
        return ""
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for el in list(root.iter()):
        if el is root or not isinstance(el.tag, str):
            if not isinstance(el.tag, str):  # comments, processing instructions
                el.drop_tree()
            continue
        tag = el.tag.lower()
        if tag in _DROP_WITH_CONTENT:
            el.drop_tree()
            continue
        if tag in _HEADING_SHIFT:
            el.tag = _HEADING_SHIFT[tag]
        elif tag not in _ALLOWED_TAGS:
            el.drop_tag()
            continue
        for attr in list(el.attrib):
            value = el.attrib[attr]
            if attr not in _ALLOWED_ATTRS or (attr == "href" and not _SAFE_URL.match(value.strip())):
                del el.attrib[attr]
    out = (root.text and html.escape(root.text, quote=False) or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )
    return out.strip()


def render(text: str, fw: Framework, page: str, loc: Loc | None = None) -> Markup:
    """Narrative Markdown to sanitised HTML, for the page at ``page``.

    Unresolvable references are left as plain text here; the validator has
    already refused to build when any exist. ```plantuml blocks become diagrams,
    reported at ``loc`` (the spec the text comes from) if they fail to render.
    """
    if not text or not text.strip():
        return Markup("")
    diagrams: list = []
    if "```" in text or "~~~" in text:
        from ..diagrams import narrative_diagrams

        # Text from a spec knows its own place in the file: a diagram's problems are then
        # reported at their line of the spec, not counted from the entity's first line.
        locate = getattr(text, "locate", None)
        text, diagrams = narrative_diagrams(text, page, locate or loc or Loc(page))
    links: list[Link] = []

    def replace(m: re.Match) -> str:
        ref = next(iter(find_refs(m.group(0))), None)
        if ref is None or isinstance(ref, RefError) or not exists(fw, ref):
            return m.group(0)
        links.append(ref_link(fw, ref, page))
        return _TOKEN.format(len(links) - 1)

    prepared = REF_RE.sub(replace, text)
    body = _converted(prepared)

    def anchor(m: re.Match) -> str:
        link = links[int(m.group(1))]
        title = f' title="{html.escape(link.title)}"' if link.title else ""
        return f'<a href="{html.escape(link.href)}"{title}>{html.escape(link.text)}</a>'

    body = _TOKEN_RE.sub(anchor, body)
    if not diagrams:
        return Markup(body)
    out = Narrative(_PLACEHOLDER_P.sub(lambda m: f"<!--tfpub-diagram:{m.group(1)}-->", body))
    out.diagrams = tuple(diagrams)
    return out


@lru_cache(maxsize=65536)
def _converted(prepared: str) -> str:
    """Markdown to sanitised HTML. The references are tokens by then, so the result depends
    on the text alone: the same text on many pages (or in the next build of a preview) is
    converted once."""
    _MD.reset()
    return _sanitise(_MD.convert(prepared))


def render_inline(text: str, fw: Framework, page: str) -> Markup:
    """Like :func:`render` for one-line text in table cells: no enclosing paragraph."""
    out = render(text, fw, page)
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = Markup(out[3:-4])
    return out
