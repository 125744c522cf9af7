"""The figures of a Word document as pictures: each diagram drawn as PNG by the local PlantUML.

Word (through python-docx) cannot show SVG, so the diagrams a selection of pages
shows are drawn a second time, as PNG, by the same renderer as the site's SVG
(:func:`generator.diagrams.render` with ``fmt="png"``): one Java process for the
whole document, the SANDBOX profile, the heap and time bounds, and the diagram cache,
where a PNG has its own entry, so a second Word build starts no Java.

The figures are tied to their pictures through the page HTML: each ``<figure>`` that
has a picture gets ``data-tfpub-picture="N"`` (N indexes the pictures), because
figure ids repeat across the pages of a volume (every transaction has its
``figure-interaction``). A figure without a picture (no Java, or PlantUML refused the
diagram) stays the text box :mod:`.word` writes from its text alternative; when Java
or PlantUML is missing that is said in one warning line.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from ..diagrams import render
from ..diagrams.core import Diagram
from . import views
from .figures import figures_in
from .narrative import Narrative

_UNDRAWN_RULES = {"diagram-renderer-missing", "diagram-renderer-failed"}


@dataclass
class Pictures:
    """The PNG of each figure, by the index put into the HTML, and what could not be drawn."""

    png: dict[str, bytes] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def mark(self, page_html: str, figure_ids: dict[str, bytes]) -> str:
        """``page_html`` with each figure of ``figure_ids`` (id -> PNG) marked by its picture's index."""
        for fid, png in figure_ids.items():
            opening = f'<figure id="{html.escape(fid, quote=True)}" '
            if opening not in page_html:
                continue
            index = str(len(self.png))
            self.png[index] = png
            page_html = page_html.replace(opening, f'{opening}data-tfpub-picture="{index}" ', 1)
        return page_html


def shown_diagrams(page: views.Page, model: dict[str, Diagram]) -> dict[str, Diagram]:
    """The diagrams a page shows, by the id of their ``<figure>`` (as :func:`.figures.add_figures` sets it)."""
    out: dict[str, Diagram] = {}
    for item in figures_in(page.context):
        if isinstance(item, views.Figure) and item.key in model:
            out[item.anchor] = model[item.key]
        elif isinstance(item, Narrative):
            for d in item.diagrams:
                out[f"figure-{d.key}"] = d
            for d, fid, _caption in item.captions.values():  # a captioned one has its author's id
                out[fid] = next((x for x in item.diagrams if x.key == d.key), d)
    return out


def image_pictures(page: views.Page) -> dict[str, bytes]:
    """The PNG images authors put in the page's narrative, by the id of their ``<figure>``."""
    out: dict[str, bytes] = {}
    for item in figures_in(page.context):
        out.update(getattr(item, "pictures", {}))
    return out


def draw_png(diagrams: list[Diagram], cache_dir: Path) -> list[str]:
    """Fill ``.png`` of each diagram PlantUML could draw as SVG; return the warning line, if any.

    Diagrams with an error are not tried again: the site build reports them, and the
    Word document shows their text box.
    """
    todo = list({id(d): d for d in diagrams if not d.error}.values())
    if not todo:
        return []
    report = render(todo, Path(cache_dir) / "diagrams", fmt="png")
    undrawn = [p for p in report.problems if p.rule in _UNDRAWN_RULES]
    if not undrawn:
        return []
    missing = sum(1 for d in todo if d.png is None)
    why = undrawn[0].message.split(":", 1)[0]  # "Java not found", "PlantUML did not run (...)"
    from ..diagrams.runtime import FIX_HINT

    return [f"warning: {why}: {missing} figure(s) are text boxes (their text alternative) in the Word document, "
            f"not pictures; to draw them, {FIX_HINT} [diagram-renderer-missing]"]
