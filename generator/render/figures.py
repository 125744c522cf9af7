"""Put the diagrams into the pages: one render batch for the whole site.

The views leave a numbered :class:`~generator.render.views.Figure` wherever a model
diagram belongs, and narrative text leaves a placeholder where its author wrote
PlantUML. This stage collects every diagram of every page, renders them all in
one batch (one Java process for the cache misses, none when nothing changed),
and fills in the figures; placeholders are replaced after the templates ran.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from markupsafe import Markup

from ..diagrams import PLACEHOLDER, figure_html, markdown_pages, render
from ..diagrams import model_diagrams as all_model_diagrams
from ..diagrams.svg import figure_file_name, standalone
from ..model import Framework
from ..problems import Problem
from . import author_figures, site_paths, views
from .narrative import Narrative
from .site_source import FIGURE_FILES
from .tables import Table


def figures_in(value) -> Iterator:
    """Every Figure and Narrative inside a page context."""
    return (v for v in _walk(value) if isinstance(v, (views.Figure, Narrative)))


def add_figures(
    fw: Framework, pages: list[views.Page], cache_dir: Path, docs_dir: Path | None = None, *, only_shown: bool = False,
    model_diagrams: list | None = None,
) -> tuple[dict[str, dict[str, Markup]], list[Problem]]:
    """Fill each page's figures; return, per page, the HTML for its narrative placeholders.

    Each rendered figure links to its picture alone, a file beside its page (the
    "full size" link); those files are returned under the key ``FIGURE_FILES``, as
    page source -> {site path: SVG}, for the page generation to put into the site.

    Diagrams of the hand-written pages in ``docs_dir`` join the batch, so that
    plantuml-markdown finds them all in the cache when mkdocs renders those pages.
    ``only_shown`` (``tfpub serve``, which passes only the pages a change reached)
    renders only the model diagrams those pages show. ``model_diagrams``: ``model_diagrams(fw)``,
    when the caller computed them already (the preview's change check does).
    """
    if model_diagrams is None:
        model_diagrams = all_model_diagrams(fw)
    model = {d.key: d for d in model_diagrams}
    if only_shown:
        shown = {item.key for page in pages for item in figures_in(page.context) if isinstance(item, views.Figure)}
        model = {key: d for key, d in model.items() if key in shown}
    narrative: dict[str, dict[str, object]] = {}
    for page in pages:
        for item in figures_in(page.context):
            if isinstance(item, Narrative):
                for d in item.diagrams:
                    narrative.setdefault(page.src, {})[d.key] = d
    batch = list(model.values()) + [d for by_key in narrative.values() for d in by_key.values()]
    if docs_dir is not None and docs_dir.is_dir():
        batch += markdown_pages.page_diagrams(docs_dir)
    report = render(batch, Path(cache_dir) / "diagrams")

    files: dict[str, dict[str, str]] = {}

    def full_size(src: str, d, figure_id: str) -> str | None:
        picture = standalone(d)
        if picture is None:
            return None
        name = figure_file_name(figure_id)
        files.setdefault(src, {})[site_paths.page_url(src) + name] = picture
        return name  # beside the page: relative to its URL

    for page in pages:
        for item in figures_in(page.context):
            if isinstance(item, views.Figure) and item.key in model:
                d = model[item.key]
                item.html = Markup(figure_html(d, f"Figure {item.number}: {item.caption}", item.anchor, full_size=full_size(page.src, d, item.anchor)))
    replacements: dict = {}
    for src, by_key in narrative.items():
        for key, d in by_key.items():
            figure_id = f"figure-{key}"
            html = figure_html(d, d.title or "Diagram", figure_id, full_size=full_size(src, d, figure_id))
            replacements.setdefault(src, {})[PLACEHOLDER.format(key=key)] = Markup(html)
    for page in pages:  # captioned ones: the author's id, and the caption whose number the page pass writes in
        for item in figures_in(page.context):
            for at, (d, fid, caption) in getattr(item, "captions", {}).items():
                drawn = narrative.get(page.src, {}).get(d.key, d)
                html = figure_html(drawn, author_figures.caption(fid, caption), fid, full_size=full_size(page.src, drawn, fid))
                replacements.setdefault(page.src, {})[PLACEHOLDER.format(key=at)] = Markup(html)
    replacements[FIGURE_FILES] = files
    return replacements, list(report.problems)


def taken_numbers(context) -> set[str]:
    """The numbers a page's own figures and tables have ("figure:10.1-1", "table:10.1-1"), which
    its authors' figures and tables skip (:mod:`.author_figures`)."""
    out: set[str] = set()
    for value in _walk(context):
        if isinstance(value, views.Figure) and value.number:
            out.add(f"figure:{value.number}")
        elif isinstance(value, Table) and value.number:
            out.add(f"table:{value.number}")
    return out


def _walk(value, _seen: set[int] | None = None) -> Iterator:
    """Every value inside a page context, each section once.

    Sections may point at each other (a message of ITI-108 names its interaction, whose
    section lists its messages), so a section already walked is not walked again."""
    seen = set() if _seen is None else _seen
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v, seen)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _walk(v, seen)
    elif isinstance(value, views.Section):
        if id(value) in seen:
            return
        seen.add(id(value))
        yield from _walk(value.body, seen)
        yield from _walk(value.extra, seen)
    elif isinstance(value, views.Table):
        for row in value.rows:
            for cell in row:
                yield from _walk(cell.html, seen)


def images_of(page: views.Page) -> dict[str, bytes]:
    """The image files the page's narrative shows, by their site path (the site publishes them beside the pages)."""
    out: dict[str, bytes] = {}
    for item in figures_in(page.context):
        out.update(getattr(item, "images", {}))
    return out
