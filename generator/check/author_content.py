"""Figures, tables and images authors write in narrative: the syntax, and what makes one wrong.

The publisher numbers figures and tables as IHE does, by the section they stand
in (``Figure 10.4.2-1``), and authors refer to them by an id, so prose never
carries a number that goes stale:

===========================================================  ===============================
````` ```plantuml {#fig-flow caption="Message flow"} `````   a captioned, numbered diagram
``![Deployment](images/deploy.svg){#fig-deploy caption="Deployment"}``  a captioned, numbered image
``![Deployment](images/deploy.png)``                         an image, without a number
``Table: Message fields {#tab-fields}`` (the line above a table)  a captioned, numbered table
``[[figure:fig-flow]]``, ``[[table:tab-fields]]``             "Figure 10.4.2-1", linked
===========================================================  ===============================

Ids start with ``fig-`` or ``tab-`` (so they never meet an id the publisher makes,
``figure-…``/``table-…``) and are unique within their spec file; a reference names
one of its own file (the text of one entity is on one page, where it is numbered).

Images are files under the specs folder, named relative to the spec file: PNG and
JPEG are published as they are; SVG is read by lxml with entities, DTDs and the
network off, and refused when it holds script, event handlers, ``<foreignObject>``
or a reference to anything outside itself (:func:`svg_problem`); what is published is
then cleaned again by :func:`clean_svg`, so a check that was skipped cannot publish
a script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

ID_RE = r"(?:fig|tab)-[a-z0-9]+(?:-[a-z0-9]+)*"
# the attribute block of a fence or an image: {#fig-x caption="..."} (either part may be left out)
ATTRS_RE = re.compile(r"\{\s*(?:#(?P<id>[^\s}]+))?\s*(?:caption\s*=\s*\"(?P<caption>[^\"\n]*)\")?\s*\}\s*$")
# a Markdown image, inline, with its optional attribute block
IMAGE_RE = re.compile(r"!\[(?P<alt>[^\]\n]*)\]\((?P<src>[^)\s]*)(?:\s+\"[^\"\n]*\")?\)(?P<attrs>\{[^}\n]*\})?")
REF_IMAGE_RE = re.compile(r"!\[[^\]\n]*\]\[[^\]\n]*\]")
# the caption line of a table: "Table: caption {#tab-x}", the line right above the table
TABLE_CAPTION_RE = re.compile(r"^Table:[ \t]+(?P<caption>[^\n{]*?)[ \t]*\{#(?P<id>[^\s}]+)\}[ \t]*$", re.MULTILINE)
FENCE_RE = re.compile(r"^(?P<indent>[ ]{0,3})(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[A-Za-z0-9_+-]*)[ \t]*(?P<attrs>\{.*\})?[^`\n]*$")
DIAGRAM_LANGS = {"plantuml", "puml", "uml"}
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
MAX_IMAGE_BYTES = 5 << 20


@dataclass(frozen=True)
class Label:
    """An id an author gave a figure or a table, and where (offset in the text)."""

    kind: str  # "figure" | "table"
    id: str
    caption: str
    start: int


def parse_attrs(block: str | None) -> tuple[str, str] | None:
    """(id, caption) of an attribute block, or None when it is not one tfpub reads."""
    if not block:
        return ("", "")
    m = ATTRS_RE.match(block.strip())
    if not m:
        return None
    return m.group("id") or "", (m.group("caption") or "").strip()


def code_blanked(text: str) -> str:
    """``text`` with the insides of code spans and of fenced blocks other than diagrams blanked
    (same length, so offsets still point into the original); diagram fence lines are kept."""
    out = list(text)
    lines = text.splitlines(keepends=True)
    offset, i = 0, 0
    while i < len(lines):
        m = FENCE_RE.match(lines[i].rstrip("\r\n"))
        if not m:
            offset += len(lines[i])
            i += 1
            continue
        fence = m.group("fence")
        close = re.compile(rf"^[ ]{{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j].rstrip("\r\n")):
            j += 1
        start = offset + (len(lines[i]) if m.group("lang").lower() in DIAGRAM_LANGS else 0)
        end = offset + sum(len(x) for x in lines[i : j + 1])
        for k in range(start, end):
            if out[k] != "\n":
                out[k] = " "
        offset = end
        i = j + 1
    blanked = "".join(out)
    return re.sub(r"(?<!`)`[^`\n]+`(?!`)", lambda m: " " * len(m.group()), blanked)  # a span; never a fence's backticks


def labels(text: str) -> list[Label]:
    """Every figure and table id ``text`` gives (diagram fences, images, table captions), in order."""
    found: list[Label] = []
    plain = code_blanked(text)
    offset = 0
    for line in text.splitlines(keepends=True):
        m = FENCE_RE.match(line.rstrip("\r\n"))
        if m and m.group("lang").lower() in DIAGRAM_LANGS and plain[offset : offset + len(line)] == line:
            attrs = parse_attrs(m.group("attrs"))
            if attrs and attrs[0]:
                found.append(Label("figure", attrs[0], attrs[1], offset + m.start("attrs")))
        offset += len(line)
    for m in IMAGE_RE.finditer(plain):
        attrs = parse_attrs(m.group("attrs"))
        if attrs and attrs[0]:
            found.append(Label("figure", attrs[0], attrs[1], m.start("attrs")))
    for m in TABLE_CAPTION_RE.finditer(plain):
        found.append(Label("table", m.group("id"), m.group("caption").strip(), m.start("id") - 2))
    return sorted(found, key=lambda label: label.start)


def label_problem(label: Label) -> str:
    """What is wrong with a label's id or caption, or ''."""
    prefix = "fig-" if label.kind == "figure" else "tab-"
    if not re.fullmatch(ID_RE, label.id) or not label.id.startswith(prefix):
        return (f"'{label.id}' is not a {label.kind} id: write {prefix} and lower-case words joined by hyphens, "
                f"e.g. {{#{prefix}message-flow}}")
    if label.kind == "figure" and not label.caption:
        return f"figure '{label.id}' has no caption: add caption=\"...\" to its attributes, as IHE captions every numbered figure"
    return ""


def specs_root_of(spec_file: Path) -> Path:
    """The specs folder above a spec file: the parent of the nearest folder holding ``domain.yaml``."""
    here = Path(spec_file).resolve().parent
    for folder in (here, *here.parents):
        if (folder / "domain.yaml").is_file():
            return folder.parent
    return here


def resolve_image(src: str, spec_file: Path) -> tuple[Path | None, str]:
    """The file an image names (relative to the spec file, inside the specs folder), or None and why not."""
    if not src:
        return None, "the image names no file: write ![what it shows](images/name.png) with a path relative to this spec file"
    if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I) or src.startswith("//"):
        return None, f"image '{src}' is not a file of the specs folder: the site is built offline; copy it next to the spec and name it by a relative path"
    if src.startswith(("/", "\\", "~")) or PurePosixPath(src).is_absolute():
        return None, f"image '{src}' is an absolute path: name it relative to this spec file, inside the specs folder"
    suffix = PurePosixPath(src).suffix.lower()
    if suffix not in IMAGE_TYPES:
        return None, f"image '{src}' is not a PNG, JPEG or SVG file; those are the kinds the site publishes"
    root = specs_root_of(spec_file)
    target = (Path(spec_file).resolve().parent / src).resolve()
    if not target.is_relative_to(root):
        return None, f"image '{src}' is outside the specs folder ({root.name}/); copy it into the specs folder"
    if not target.is_file():
        return None, f"image '{src}': no such file (looked for {target.relative_to(root).as_posix()} in {root.name}/)"
    if target.stat().st_size > MAX_IMAGE_BYTES:
        return None, f"image '{src}' is larger than {MAX_IMAGE_BYTES >> 20} MB; make it smaller"
    return target, ""


# --------------------------------------------------------------------------- SVG

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_FORBIDDEN = {"script", "foreignObject", "iframe", "embed", "object", "handler", "listener"}
_URL_RE = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.I)
_BAD_CSS_RE = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.I)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           remove_comments=True, remove_pis=True, huge_tree=False)


def _external(value: str) -> bool:
    value = value.strip()
    return bool(value) and not value.startswith("#") and not re.match(r"^data:image/(png|jpeg|gif|webp);base64,", value, re.I)


def svg_problem(data: bytes) -> str:
    """Why an author's SVG cannot be published, or ''.

    What a browser would act on is refused, not silently cut: script, event
    handlers, ``<foreignObject>`` (HTML inside the picture), links or references
    to anything outside the file (``href``, ``src``, CSS ``url()``, ``@import``),
    and entity or DTD declarations (the billion-laughs kind)."""
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        return "the SVG declares a DOCTYPE or entities; save it without them (plain SVG needs neither)"
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        return f"the SVG is not well-formed XML ({exc.msg}); export it again from the drawing program"
    if etree.QName(root.tag).localname != "svg":
        return "the file is not an SVG picture (its root element is not <svg>)"
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el.tag).localname
        if name in _FORBIDDEN:
            return f"the SVG holds a <{name}> element (line {el.sourceline}), which could run code on the site; remove it"
        for attr, value in el.attrib.items():
            local = etree.QName(attr).localname.lower()
            if local.startswith("on"):
                return f"the SVG has an event handler {local}= (line {el.sourceline}), which could run code on the site; remove it"
            if local in ("href", "src") and _external(value):
                return f"the SVG refers to '{value}' outside itself (line {el.sourceline}); embed what it shows, or remove the reference"
            if local == "style" and (_BAD_CSS_RE.search(value) or any(_external(u) for u in _URL_RE.findall(value))):
                return f"the SVG has a style that loads something from outside (line {el.sourceline}); remove it"
        if name == "style" and el.text and (_BAD_CSS_RE.search(el.text) or any(_external(u) for u in _URL_RE.findall(el.text))):
            return f"the SVG's <style> loads something from outside (line {el.sourceline}); remove it"
    return ""


def clean_svg(data: bytes) -> bytes:
    """The SVG as published: parsed safely and written again without what :func:`svg_problem` refuses
    (a second line of defence), comments, processing instructions and metadata."""
    root = etree.fromstring(data, _parser())
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el.tag).localname
        bad_style = name == "style" and bool(el.text) and bool(_BAD_CSS_RE.search(el.text) or any(_external(u) for u in _URL_RE.findall(el.text)))
        if name in _FORBIDDEN | {"metadata"} or bad_style:
            if el.getparent() is not None:
                el.getparent().remove(el)
            continue
        for attr in list(el.attrib):
            local = etree.QName(attr).localname.lower()
            value = el.attrib[attr]
            if local.startswith("on") or (local in ("href", "src") and _external(value)) or (
                local == "style" and (_BAD_CSS_RE.search(value) or any(_external(u) for u in _URL_RE.findall(value)))
            ):
                del el.attrib[attr]
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)
