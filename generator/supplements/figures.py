"""The figures of a supplement document: new ones, and "replace Figure X with:" for amended ones.

The supplement compares the volume pages as they are with the pages as they will
be (:mod:`.document`), as text. A figure takes part in that comparison as a token,
``<!--tfpub-figure:T-->``, where T is a hash of what the figure shows (its page,
place, number, caption and PlantUML source): an unchanged figure has the same token
on both sides, a changed one a different token, so the section holding it is
amended, and the merged view turns it into ``<!--tfpub-figure-replace:T-->``
(:func:`replaced`). Once the document is assembled, :func:`fill` draws every token
as the volumes draw it: the diagram of the amended framework (one render batch for
the document, through the diagram cache), its number as the volumes will number
it, and, for a replaced one, the editor instruction before it. Tokens stay tokens
through the placing of page text into the supplement (headings, ids, links), so the
SVG's own ids and links are set once, for the supplement page.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from lxml import etree
from markupsafe import Markup

from ..diagrams import figure_html, render
from ..diagrams.core import Diagram
from ..diagrams.from_model import model_diagram
from ..diagrams.svg import XLINK_NS, parse
from ..model import Framework
from ..problems import Problem
from ..render import author_figures, views
from ..render.figures import figures_in, taken_numbers
from ..render.narrative import Narrative

TOKEN = "<!--tfpub-figure:{token}-->"
_REPLACE = "<!--tfpub-figure-replace:{token}-->"
_ANY = re.compile(r"<!--tfpub-figure(-replace)?:([0-9a-f]{20})-->")
_NARRATIVE = re.compile(r"<!--tfpub-diagram(-replace)?:([0-9A-Za-z_.@-]+)-->")
_LINE = re.compile(r"\n?<!--tfpub-figure(?:-replace)?:[0-9a-f]{20}-->\n?")
_SVG_A = "{http://www.w3.org/2000/svg}a"
_SVG_G = "{http://www.w3.org/2000/svg}g"


@dataclass
class DocFigure:
    """One figure of a volume page, as the amended volumes will show it."""

    token: str
    diagram: Diagram
    number: str
    caption: str
    page: str  # the volume page's source path
    anchor: str  # the figure's id on that page

    @property
    def full_caption(self) -> str:
        return f"Figure {self.number}: {self.caption}" if self.number else self.caption


@dataclass
class FigureSet:
    """The figures the pages of one document show, by token; the diagrams of each framework computed once."""

    by_token: dict[str, DocFigure] = field(default_factory=dict)
    _diagrams: dict[int, dict[str, Diagram]] = field(default_factory=dict, repr=False)
    _narrative: dict[str, Diagram] = field(default_factory=dict, repr=False)  # authors' diagrams by key
    _captions: dict[str, tuple] = field(default_factory=dict, repr=False)  # "KEY@fig-id" -> (diagram, id, caption)
    _numbers: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)  # page -> author id -> number
    images: dict[str, bytes] = field(default_factory=dict)  # authors' image files: site path -> bytes
    pictures: dict[str, bytes] = field(default_factory=dict)  # authors' PNG image figures: id on the volume page -> bytes

    def diagram_of(self, fw: Framework, key: str) -> Diagram | None:
        """The model diagram ``key`` of ``fw``, drawn when first asked for: a document shows one
        domain's pages, and drawing every diagram of every domain twice per supplement cost most
        of a build at IHE size (model_diagrams, 61 of 105 s)."""
        by_key = self._diagrams.setdefault(id(fw), {})
        if key not in by_key:
            by_key[key] = model_diagram(fw, key)
        return by_key[key]

    def mark(self, fw: Framework, page: views.Page) -> views.Page:
        """Put each figure's token into ``page`` (in place), remembering what it stands for; returns ``page``."""
        for item in figures_in(page.context):
            if not isinstance(item, views.Figure):
                continue
            d = self.diagram_of(fw, item.key)
            if d is None:
                continue
            token = hashlib.sha1("\x00".join((page.src, item.anchor, item.number, item.caption, d.title, d.source)).encode("utf-8")).hexdigest()[:20]
            item.html = Markup(TOKEN.format(token=token))
            self.by_token.setdefault(token, DocFigure(token, d, item.number, item.caption, page.src, item.anchor))
        return page


    def narrative(self, page: views.Page, text: str, numbers_of: str = "") -> str:
        """The rendered ``page`` with its authors' figures and tables numbered and their diagrams as tokens.

        ``numbers_of``: take the numbers of that page as computed before (a merged,
        marked-up view is numbered as the amended page it shows)."""
        for item in figures_in(page.context):
            if isinstance(item, Narrative):
                self._narrative.update({d.key: d for d in item.diagrams})
                self._captions.update(item.captions)
                self.images.update(item.images)
                self.pictures.update(item.pictures)
        if numbers_of and numbers_of in self._numbers:
            found = self._numbers[numbers_of]
        else:
            found = author_figures.numbers(text, taken_numbers(page.context))
            self._numbers.setdefault(page.src, found)
        text = author_figures.apply(text, found)

        def sub(m: re.Match) -> str:
            key = m.group(2)
            if "@" in key and key in self._captions:
                d, fid, caption = self._captions[key]
                number, anchor = found.get(fid, ""), fid
            elif key in self._narrative:
                d = self._narrative[key]
                number, caption, anchor = "", d.title or "Diagram", f"figure-{key}"
            else:
                return m.group(0)
            token = hashlib.sha1("\x00".join((page.src, anchor, number, caption, d.title, d.source)).encode("utf-8")).hexdigest()[:20]
            self.by_token.setdefault(token, DocFigure(token, d, number, caption, page.src, anchor))
            return (_REPLACE if m.group(1) else TOKEN).format(token=token)

        return _NARRATIVE.sub(sub, text)


def replaced(old: views.Figure | None, new: views.Figure) -> views.Figure:
    """The figure of a merged (marked-up) view: the new one, marked for replacement when it differs from the old."""
    if isinstance(old, views.Figure) and old.html and new.html and old.html != new.html:
        return dataclasses.replace(new, html=Markup(str(new.html).replace("<!--tfpub-figure:", "<!--tfpub-figure-replace:")))
    return new


def replaced_diagrams(old: str, marked: str) -> str:
    """A marked-up narrative (``marked``, from ``old``) whose authors' diagrams that took the place of
    old ones are marked for replacement, in order: word by word, a diagram is a tag, and a changed
    one would otherwise just appear, new, with nothing to say that it replaces the old one."""
    before = [m.group(2) for m in _NARRATIVE.finditer(str(old or ""))]
    after = [m.group(2) for m in _NARRATIVE.finditer(str(marked))]
    gone = [k for k in before if k not in after]
    if not gone:
        return marked
    fresh = iter([k for k in after if k not in before][: len(gone)])
    wanted = set(fresh)
    return Markup(_NARRATIVE.sub(lambda m: f"<!--tfpub-diagram-replace:{m.group(2)}-->" if m.group(2) in wanted and not m.group(1) else m.group(0), str(marked)))


def has_replacement(text: str) -> bool:
    return "<!--tfpub-figure-replace:" in text


def without_tokens(text: str) -> str:
    """The text as the volumes' own pages render it (their figures are filled in later, by the site):
    the ``diagram`` macro writes a figure on a line of its own, and nothing for an empty one."""
    return _LINE.sub("", text)


def tokens_in(text: str) -> list[str]:
    return [m.group(2) for m in _ANY.finditer(text)]


def draw(figures: FigureSet, texts: list[str], cache_dir: Path) -> list[Problem]:
    """Render (SVG) the diagrams of the figures ``texts`` show: one batch, through the cache."""
    wanted = {t for text in texts for t in tokens_in(text)}
    batch = list({id(f.diagram): f.diagram for t, f in figures.by_token.items() if t in wanted}.values())
    if not batch:
        return []
    return list(render(batch, Path(cache_dir) / "diagrams").problems)


def fill(text: str, figures: FigureSet, figure_id: Callable[[DocFigure], str], link: Callable[[str, str], str | None],
         instruction: Callable[[DocFigure], str], shown: dict[str, Diagram]) -> str:
    """``text`` with each token drawn as its ``<figure>`` (a replaced one after its editor instruction).

    ``figure_id`` gives the figure's id on the supplement page; ``link(href, page)`` the
    supplement page's link for a link the diagram has on its volume page (None: not
    there, the link becomes text); ``instruction`` the editor box for a replaced figure.
    ``shown`` collects the diagram of each figure by its id (for Word's pictures).
    """
    used: set[str] = set()

    def sub(m: re.Match) -> str:
        f = figures.by_token.get(m.group(2))
        if f is None:
            return ""
        fid = figure_id(f)
        n = 2
        while fid in used:  # the same figure shown twice: a second id
            fid, n = f"{figure_id(f)}-{n}", n + 1
        used.add(fid)
        d = relinked(f.diagram, lambda href: link(href, f.diagram.page))
        shown[fid] = d
        out = "\n\n" + figure_html(d, f.full_caption, fid) + "\n\n"
        if m.group(1):
            out = "\n\n" + instruction(f) + out
        return out

    return _ANY.sub(sub, text)


def relinked(d: Diagram, link: Callable[[str], str | None]) -> Diagram:
    """A copy of ``d`` whose SVG links point where they lead from the supplement page.

    A diagram's links are written for its volume page (an actor's page, a
    transaction's section); on the supplement page they lead to the supplement's own
    section of the same thing, or to the published page, or, for what only the
    supplement has and does not show, nowhere: such a link becomes its text."""
    if not d.svg:
        return d
    root = parse(d.svg)
    for a in list(root.iter(_SVG_A)):
        href = a.attrib.get("href") or a.attrib.get(f"{{{XLINK_NS}}}href") or ""
        target = link(href) if href else None
        kept = {k: v for k, v in a.attrib.items() if k not in ("href", f"{{{XLINK_NS}}}href")}
        a.attrib.clear()
        if target is None:
            a.tag = _SVG_G
            a.attrib.update(kept)
        else:
            a.attrib["href"] = target  # first, so the print page's link rewriting sees it
            a.attrib.update(kept)
    return dataclasses.replace(d, svg=etree.tostring(root, encoding="unicode"))
