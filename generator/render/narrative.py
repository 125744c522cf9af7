"""Narrative Markdown from the specs, made into safe HTML with its references resolved.

Narrative fields are written by many hands and end up on a public site, so they
are rendered here (not by mkdocs) where the generator controls them: raw HTML in
YAML is shown as text, never passed through; link targets are limited to safe
schemes; the HTML is then sanitised once more with lxml as a second line of
defence. References such as ``[[ITI-18]]`` become links with the entity's IHE
name and number, so prose can never cite a wrong section.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import markdown
from lxml import etree
from lxml import html as lxml_html
from markupsafe import Markup

from ..check import author_content
from ..check.references import LOCAL_KINDS, REF_RE, Ref, RefError, exists, find_refs
from ..model import Framework
from ..problems import Loc
from . import author_figures, numbering, site_paths

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
    """Rendered narrative that also carries the diagrams its author wrote in it, and its images.

    The diagrams are rendered later, all in one batch with the model's; their
    place in the HTML is held by a ``<!--tfpub-diagram:KEY-->`` comment, or
    ``<!--tfpub-diagram:KEY@fig-id-->`` for a captioned one, whose id and caption
    ``captions`` holds (placeholder key -> (diagram, id, caption)). ``images``: the
    site path of each image file it shows -> the bytes to publish there; ``pictures``:
    the id of each image figure that is a PNG -> its bytes (Word shows those).
    """

    diagrams: tuple = ()
    captions: dict = {}
    images: dict = {}
    pictures: dict = {}  # figure id -> PNG, for Word


_PLACEHOLDER_P = re.compile(r"<p>&lt;!--tfpub-diagram:([0-9A-Za-z_.@-]+)--&gt;</p>")
_PLACEHOLDER = re.compile(r"<!--tfpub-diagram:([0-9A-Za-z_.-]+)-->")
_ITEM = "\u2063I{}\u2063"  # an image or a table caption; padded with more U+2063 to the length of what it stands for
_ITEM_P = re.compile("<p>\u2063I(\\d+)\u2063+</p>|\u2063I(\\d+)\u2063+")
IMAGES_DIR = "assets/images"


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
    # Text from a spec knows its own place in the file: a diagram's problems are then
    # reported at their line of the spec, not counted from the entity's first line.
    locate = getattr(text, "locate", None)

    def spec_file(offset: int) -> str:
        return (locate(offset).file if locate else loc.file if loc else "") or ""

    items: list[str] = []
    images: dict[str, bytes] = {}
    pictures: dict[str, bytes] = {}
    if "![" in text:  # first, keeping every offset: each image's file is found next to its own spec
        text = _images(text, page, spec_file, items, images, pictures)
    fences: list[tuple[str, str]] = []
    if "```" in text or "~~~" in text:
        from ..diagrams import narrative_diagrams

        text, fences = _fence_labels(text)
        text, diagrams = narrative_diagrams(text, page, locate or loc or Loc(page))
    captions: dict = {}
    if fences:
        by_key = {d.key: d for d in diagrams}
        at = iter(fences)

        def label(m: re.Match) -> str:
            fid, caption = next(at, ("", ""))
            if not fid or m.group(1) not in by_key:
                return m.group(0)
            captions[f"{m.group(1)}@{fid}"] = (by_key[m.group(1)], fid, caption)
            return f"<!--tfpub-diagram:{m.group(1)}@{fid}-->"

        text = _PLACEHOLDER.sub(label, text)
    if "Table:" in text:
        text = _table_captions(text, items)
    links: list[Link] = []

    def replace(m: re.Match) -> str:
        ref = next(iter(find_refs(m.group(0))), None)
        if ref is not None and not isinstance(ref, RefError) and ref.kind in LOCAL_KINDS:
            links.append(Link("#" + ref.key, ref.label or author_figures.REFERENCE.format(kind=ref.kind, id=ref.key)))
            return _TOKEN.format(len(links) - 1)
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
    if items:
        body = _ITEM_P.sub(lambda m: items[int(m.group(1) or m.group(2))], body)
    if not diagrams and not images:
        return Markup(body)
    out = Narrative(_PLACEHOLDER_P.sub(lambda m: f"<!--tfpub-diagram:{m.group(1)}-->", body))
    out.diagrams = tuple(diagrams)
    out.captions = captions
    out.images = images
    out.pictures = pictures
    return out


def _fence_labels(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The (id, caption) of each diagram fence, in order, and the text with their attribute blocks
    blanked (spaces, so every offset still points to its place in the spec)."""
    plain = author_content.code_blanked(text)
    out, found, offset = [], [], 0
    for line in text.splitlines(keepends=True):
        m = author_content.FENCE_RE.match(line.rstrip("\r\n"))
        if m and m.group("lang").lower() in author_content.DIAGRAM_LANGS and plain[offset : offset + len(line)] == line:
            attrs = author_content.parse_attrs(m.group("attrs")) or ("", "")
            found.append(attrs if attrs[0] else ("", ""))
            if m.group("attrs"):
                line = line[: m.start("attrs")] + " " * len(m.group("attrs")) + line[m.end("attrs") :]
        out.append(line)
        offset += len(line)
    return "".join(out), found


def _images(text: str, page: str, spec_file, items: list[str], images: dict[str, bytes], pictures: dict[str, bytes]) -> str:
    """Images as tokens of their own length, their HTML in ``items`` (made here: no Markdown
    extension of the site's renders an author's image, and its file needs checking); the files
    to publish in ``images``, the PNG ones for Word also in ``pictures``."""
    plain = author_content.code_blanked(text)
    edits: list[tuple[int, int, str]] = []
    for m in author_content.IMAGE_RE.finditer(plain):
        fid, caption = author_content.parse_attrs(m.group("attrs")) or ("", "")
        where = spec_file(m.start())
        target, _why = author_content.resolve_image(m.group("src"), Path(where)) if where and not where.startswith("<") else (None, "")
        alt = m.group("alt").strip()
        try:
            shown = _image_html(target, fid, caption, alt, page, images, pictures) if target is not None else None
        except (OSError, etree.XMLSyntaxError):
            shown = None
        # None: the validator has refused it already; its words, never a broken picture
        items.append(shown if shown is not None else html.escape(alt))
        token = _ITEM.format(len(items) - 1)
        edits.append((m.start(), m.end(), token + "\u2063" * max(0, m.end() - m.start() - len(token))))
    return _edited(text, edits)


def _image_html(target: Path, fid: str, caption: str, alt: str, page: str, images: dict[str, bytes], pictures: dict[str, bytes]) -> str:
    data = target.read_bytes()
    if target.suffix.lower() == ".svg":
        data = author_content.clean_svg(data)
    digest = hashlib.sha256(data).hexdigest()
    path = f"{IMAGES_DIR}/{digest[:16]}{target.suffix.lower().replace('.jpeg', '.jpg')}"  # named by content: deterministic, shared
    images[path] = data
    img = f'<img class="tfpub-image" src="{html.escape(site_paths.url_link(page, path))}" alt="{html.escape(alt)}">'
    # a figure of its own, so Word shows it too (as a picture when it is a PNG: see pictures)
    fig_id = fid or f"image-{digest[:12]}"
    cap = f"<figcaption>{html.escape(author_figures.caption(fid, caption))}</figcaption>" if fid else ""
    if data.startswith(b"\x89PNG"):
        pictures[fig_id] = data
    return f'<figure id="{html.escape(fig_id)}" class="tfpub-figure tfpub-image-figure">{img}{cap}</figure>'  # id first: word_figures.Pictures.mark


def _table_captions(text: str, items: list[str]) -> str:
    plain = author_content.code_blanked(text)
    edits: list[tuple[int, int, str]] = []
    for m in author_content.TABLE_CAPTION_RE.finditer(plain):
        tid, caption = m.group("id"), m.group("caption").strip()
        if not re.fullmatch(author_content.ID_RE, tid):
            continue
        items.append(f'<p class="tfpub-table-caption" id="{html.escape(tid)}"><strong>{html.escape(author_figures.caption(tid, caption))}</strong></p>')
        edits.append((m.start(), m.end(), _ITEM.format(len(items) - 1) + "\n"))
    return _edited(text, edits)


def _edited(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, value in sorted(edits, reverse=True):
        text = text[:start] + value + text[end:]
    return text


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
