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
from . import site_paths, views
from .narrative import Narrative
from .site_source import FIGURE_FILES


def figures_in(value) -> Iterator:
    """Every Figure and Narrative inside a page context."""
    if isinstance(value, (views.Figure, Narrative)):
        yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from figures_in(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from figures_in(v)
    elif isinstance(value, views.Section):
        yield from figures_in(value.body)
        yield from figures_in(value.extra)
    elif isinstance(value, views.Table):
        for row in value.rows:
            for cell in row:
                yield from figures_in(cell.html)


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
    replacements[FIGURE_FILES] = files
    return replacements, list(report.problems)
