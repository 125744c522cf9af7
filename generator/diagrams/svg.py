"""Making PlantUML's SVG safe to inline, readable without sight, and embedding it.

PlantUML draws the picture, but its labels come from YAML and Markdown written by
people, so the SVG is treated as untrusted: it is parsed (no entities, no network),
only drawing elements are kept, event handlers and ``<script>``/``<style>``/
``<foreignObject>`` are dropped, and a link may only go to a relative URL, a fragment,
``http(s):`` or ``mailto:``. Comments and processing instructions go too (PlantUML
puts the encoded diagram source in one).

Every SVG gets ``role="img"``, a ``<title>`` (the diagram's title) and a ``<desc>``
(the text alternative), and :func:`figure_html` adds a visible, collapsible list of
the same steps, so the diagram can be read without seeing it.
"""

from __future__ import annotations

import html
import re

from lxml import etree

from . import fit
from .core import Diagram

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_S = f"{{{SVG_NS}}}"

ALLOWED_ELEMENTS = {
    "svg", "g", "defs", "title", "desc", "a", "rect", "line", "polyline", "polygon", "path", "circle", "ellipse",
    "text", "tspan", "image", "linearGradient", "radialGradient", "stop", "filter", "feGaussianBlur", "feOffset",
    "feColorMatrix", "feBlend", "feFlood", "feComposite", "feMerge", "feMergeNode", "clipPath", "mask", "symbol",
    "use", "marker", "pattern",
}
_SAFE_HREF_RE = re.compile(r"^(?:https?:|mailto:|#|[^:]*$)", re.IGNORECASE)  # no scheme = relative
_SAFE_IMAGE_RE = re.compile(r"^data:image/(?:png|jpeg|gif|webp);base64,", re.IGNORECASE)
_URL_IN_STYLE_RE = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
_BAD_STYLE_RE = re.compile(r"expression\s*\(|javascript:|@import|behavior\s*:|-moz-binding", re.IGNORECASE)
_DROP_ATTRS = {"target", "title", f"{{{XLINK_NS}}}title", f"{{{XLINK_NS}}}show", f"{{{XLINK_NS}}}actuate", f"{{{XLINK_NS}}}type"}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True, huge_tree=False, load_dtd=False)


def parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode("utf-8"), _parser())


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def sanitise(root: etree._Element) -> etree._Element:
    """Drop everything that is not drawing, in place; returns ``root``."""
    for el in list(root.iter()):
        if el is root:
            continue
        if not isinstance(el.tag, str) or etree.QName(el.tag).namespace != SVG_NS or _local(el.tag) not in ALLOWED_ELEMENTS:
            parent = el.getparent()
            if parent is not None:
                parent.remove(el)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name in list(el.attrib):
            value = el.attrib[name]
            local = etree.QName(name).localname.lower()
            if local.startswith("on") or name in _DROP_ATTRS and _local(el.tag) == "a":
                del el.attrib[name]
            elif local == "href":
                ok = _SAFE_IMAGE_RE.match(value) if _local(el.tag) == "image" else (
                    value.startswith("#") if _local(el.tag) == "use" else _SAFE_HREF_RE.match(value.strip()) and not _has_control(value)
                )
                if not ok:
                    del el.attrib[name]
            elif local == "style" and (_URL_IN_STYLE_RE.search(value) or _BAD_STYLE_RE.search(value)):
                del el.attrib[name]
            elif local in {"base", "src"} or name.startswith("{http://www.w3.org/XML/1998/namespace}base"):
                del el.attrib[name]
    # An <a> left without a target is just a group.
    for a in root.iter(f"{_S}a"):
        if "href" not in a.attrib and f"{{{XLINK_NS}}}href" not in a.attrib:
            a.tag = f"{_S}g"
        elif f"{{{XLINK_NS}}}href" in a.attrib and "href" not in a.attrib:
            a.attrib["href"] = a.attrib[f"{{{XLINK_NS}}}href"]
    # PlantUML's own <title>s: raw source on the root, tooltips inside (garbled when a
    # label holds links). Ours replace them.
    for t in list(root.iter(f"{_S}title", f"{_S}desc")):
        t.getparent().remove(t)
    return root


def _has_control(value: str) -> bool:
    return any(ord(c) < 32 for c in value)


def finish(svg: str, title: str, alt_text: list[str]) -> str:
    """Sanitised SVG with ``role="img"``, ``<title>`` and ``<desc>``, serialised without an XML declaration."""
    root = sanitise(parse(svg))
    desc = etree.Element(f"{_S}desc")
    desc.text = "\n".join(line for line in alt_text if line.strip())
    t = etree.Element(f"{_S}title")
    t.text = title
    root.insert(0, desc)
    root.insert(0, t)
    root.attrib["role"] = "img"
    root.attrib["aria-label"] = title
    style = root.attrib.get("style", "")
    style = re.sub(r"\b(?:width|height)\s*:\s*[^;]*;?", "", style)
    # Drawn at its natural size unless a stylesheet fits it (the site's does: fit.py, tfpub.css).
    root.attrib["style"] = "height:auto;" + style
    root.attrib.pop("preserveAspectRatio", None)
    return etree.tostring(root, encoding="unicode")


# --------------------------------------------------------------------------- reading the picture back

def describe(svg: str) -> list[str]:
    """A text alternative read from a rendered picture (for diagrams not made from the model).

    Sequence diagrams (PlantUML marks participants and messages) give one line per
    message, "n. From → To: label"; other diagrams give their texts in order.
    """
    root = parse(svg)
    names: dict[str, str] = {}
    for g in root.iter(f"{_S}g"):
        if "participant-head" in g.attrib.get("class", "").split():
            names.setdefault(g.attrib.get("data-participant", ""), " ".join(_texts(g)))
    out: list[str] = []
    for g in root.iter(f"{_S}g"):
        if g.attrib.get("class") == "message":
            words = _texts(g)
            if words and words[0].isdigit():
                number, words = words[0] + ". ", words[1:]
            else:
                number = f"{len(out) + 1}. "
            src = names.get(g.attrib.get("data-participant-1", ""), g.attrib.get("data-participant-1", ""))
            dst = names.get(g.attrib.get("data-participant-2", ""), g.attrib.get("data-participant-2", ""))
            out.append(f"{number}{src} → {dst}: {' '.join(words)}")
    if out:
        return out
    texts = [" ".join(t.split()) for t in (("".join(el.itertext())) for el in root.iter(f"{_S}text"))]
    return [t for t in texts if t]


def _texts(el: etree._Element) -> list[str]:
    return [w for w in (" ".join("".join(t.itertext()).split()) for t in el.iter(f"{_S}text")) if w]


# --------------------------------------------------------------------------- HTML

def _prefix_ids(root: etree._Element, prefix: str) -> None:
    """Make the ids inside one inlined SVG unique on the page, and their references with them."""
    ids = {el.attrib["id"] for el in root.iter() if isinstance(el.tag, str) and "id" in el.attrib}
    if not ids:
        return
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in list(el.attrib.items()):
            if name == "id" and value in ids:
                el.attrib[name] = f"{prefix}-{value}"
            elif etree.QName(name).localname == "href" and value.startswith("#") and value[1:] in ids:
                el.attrib[name] = f"#{prefix}-{value[1:]}"
            elif "url(#" in value:
                el.attrib[name] = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})" if m.group(1) in ids else m.group(0), value)


def _has_links(root) -> bool:
    return any(_local(el.tag) == "a" for el in root.iter())


def standalone(diagram: Diagram) -> str | None:
    """The picture alone, as an SVG document for the "full size" link (None when not rendered).

    Sanitised as in the page, with its ``<title>`` and ``<desc>``; its links are
    relative to the page's folder, where the file is put (:func:`figure_file_name`), so
    they lead where the page's do."""
    if not diagram.svg:
        return None
    root = sanitise(parse(diagram.svg))
    t = etree.Element(f"{_S}title")
    t.text = diagram.title
    d = etree.Element(f"{_S}desc")
    d.text = "\n".join(line for line in diagram.alt_text if line.strip())
    root.insert(0, d)
    root.insert(0, t)
    root.attrib["role"] = "img" if not _has_links(root) else "group"
    root.attrib["aria-label"] = diagram.title
    return etree.tostring(root, encoding="unicode") + "\n"


def figure_file_name(figure_id: str) -> str:
    """The file name of a figure's standalone SVG, beside its page."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", figure_id) + ".svg"


def figure_html(diagram: Diagram, caption: str, figure_id: str, *, full_size: str | None = None) -> str:
    """The diagram as a ``<figure>``: safe HTML to put into a page as it is.

    With a rendered picture: the inline SVG in a frame that fits it to the column
    (:mod:`.fit`: scaled down to the column's width, never below legible text, else
    the frame scrolls). Inline, not an ``<img>``, so that its names and messages stay
    links to their pages: an ``<img>`` cannot hold links. For the same reason it is
    ``role="group"`` when it has links, not ``role="img"``: an image is one thing with
    no parts, and links inside it are interactive elements nested in it that assistive
    technology cannot reach (axe: nested-interactive); a group keeps the name
    (``aria-labelledby`` its ``<title>`` and the caption) and the description
    (``aria-describedby`` its ``<desc>``) and lets a reader tab to each link. Without
    links it is ``role="img"``, one image with its text alternative. ``full_size``: the
    URL of the picture alone (:func:`standalone`), linked under the caption, outside
    the picture. Without a picture (no Java, or PlantUML refused the diagram): the
    PlantUML source, escaped, in a ``<pre>``, after the error message if there was
    one. Then the ``<figcaption>`` (``caption`` is plain text and is escaped) and a
    ``<details>`` list with the text alternative. ``figure_id`` must be unique on the
    page; ids inside the SVG are prefixed with it.
    """
    fid = html.escape(figure_id, quote=True)
    kind = html.escape(diagram.kind, quote=True)
    parts = [f'<figure id="{fid}" class="tfpub-diagram tfpub-diagram-{kind}">']
    desc_id, cap_id, title_id = f"{fid}-desc", f"{fid}-caption", f"{fid}-title"
    if diagram.svg:
        root = sanitise(parse(diagram.svg))  # again: .svg may have been set by someone else
        _prefix_ids(root, figure_id)
        t = etree.Element(f"{_S}title")
        t.text = diagram.title
        t.attrib["id"] = title_id
        d = etree.Element(f"{_S}desc")
        d.text = "\n".join(line for line in diagram.alt_text if line.strip())
        d.attrib["id"] = desc_id + "-svg"
        root.insert(0, d)
        root.insert(0, t)
        links = _has_links(root)
        root.attrib["role"] = "group" if links else "img"
        root.attrib.pop("aria-label", None)
        root.attrib["aria-labelledby"] = f"{title_id} {cap_id}"
        root.attrib["aria-describedby"] = f"{desc_id}-svg"
        root.attrib["focusable"] = "false"
        size = fit.size_of(root)
        style = f' style="{size.style()}"' if size else ""
        # A frame that may scroll must be reachable by keyboard: its links are, else the frame is.
        focus = "" if links else f' tabindex="0" role="group" aria-labelledby="{cap_id}"'
        parts.append(f'<div class="tfpub-diagram-frame"{style}{focus}>')
        parts.append(etree.tostring(root, encoding="unicode"))
        parts.append("</div>")
    else:
        if diagram.error:
            parts.append(f'<p class="tfpub-diagram-error" role="alert">Diagram error: {html.escape(diagram.error)}</p>')
        else:
            parts.append('<p class="tfpub-diagram-note">Diagram not rendered (no Java or PlantUML on the machine that built this page); its PlantUML source:</p>')
        parts.append(
            f'<pre class="tfpub-diagram-source" aria-label="PlantUML source of {html.escape(diagram.title, quote=True)}">'
            # Newlines as character references: a figure is one raw-HTML block, with no
            # blank line for Markdown to end it at, wherever the publisher puts it.
            f'<code class="language-plantuml">{html.escape(diagram.source).replace(chr(10), "&#10;")}</code></pre>'
        )
    parts.append(f'<figcaption id="{cap_id}">{html.escape(caption)}</figcaption>')
    if diagram.svg and full_size:
        parts.append(
            f'<p class="tfpub-diagram-full"><a href="{html.escape(full_size, quote=True)}" type="image/svg+xml">'
            f'Open {html.escape(caption.split(":", 1)[0])} full size</a></p>'
        )
    if diagram.alt_text:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in diagram.alt_text)
        parts.append(
            f'<details class="tfpub-diagram-text" id="{desc_id}"><summary>Text description of the diagram</summary>'
            f'<ul>{items}</ul></details>'
        )
    parts.append("</figure>")
    return "\n".join(parts)
