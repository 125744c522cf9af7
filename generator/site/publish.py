"""The publishing pipeline from a specs folder to site source, with its file I/O.

Both ``tfpub build`` and a plain ``mkdocs build`` (through the hook in
``generator/site/mkdocs_hook.py``) come here, so they produce the same site. The
result is memoised on the specs' file fingerprints: the build command validates
first and the hook then reuses that work instead of doing it twice.
"""

from __future__ import annotations

import copy
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..annex import site as annex_site
from ..fingerprint import fingerprint
from ..load.discovery import walk
from ..model import Framework
from ..problems import Problem
from ..render.figures import add_figures
from ..render.pages import Incremental, default_templates_dir, environment, generate
from ..render.site_source import SiteSource
from ..render.templating import TemplateFailure
from ..supplements import site as supplements_site
from ..validate import Validation, validate

__all__ = ["Published", "fingerprint", "publish", "site_source", "sync_source", "template_dirs"]


@dataclass
class Published:
    validation: Validation
    source: SiteSource | None
    problems: list[Problem] = field(default_factory=list)  # validation problems plus later stages'

    @property
    def ok(self) -> bool:
        return self.source is not None and not any(p.is_error for p in self.problems)


_MEMO: dict[tuple, Published] = {}


def template_dirs(specs: Path) -> list[Path]:
    """A framework overrides templates from ``<specs>/templates``, file by file."""
    return [specs / "templates"]


def source_date_epoch(published: Published) -> int:
    """A fixed build date (the newest domain date), so two builds are byte-identical."""
    from datetime import datetime, timezone

    dates = sorted(d.date for d in published.validation.framework.domains.values())
    if not dates:
        return 0
    return int(datetime.strptime(dates[-1], "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp())


def publish(specs: Path, *, cache_dir: Path | None = None, docs_dir: Path | None = None) -> Published:
    """Validate ``specs`` and generate the site source; ``docs_dir`` holds hand-written pages,
    whose diagrams are rendered in the same batch as the generated ones."""
    specs = specs.resolve()
    cache_dir = (cache_dir or Path(".tfpub-cache")).resolve()
    overrides = template_dirs(specs)
    # The packaged templates count too: editing one while `tfpub serve` runs regenerates.
    folders = [specs, *overrides, default_templates_dir()] + ([docs_dir.resolve()] if docs_dir else [])
    key = (str(specs), str(cache_dir), str(docs_dir), fingerprint(*folders))
    if key in _MEMO:
        return _MEMO[key]
    result = validate(specs)
    problems = list(result.problems)
    # mkdocs copies docs/ as it finds it, following links: one that leaves docs/ would publish outside files.
    problems += walk(docs_dir, label="the docs folder")[1] if docs_dir is not None and docs_dir.is_dir() else []
    source = None
    if result.ok and not any(p.is_error for p in problems):
        incremental = _incremental(specs, cache_dir)
        figures = _figure_stage(cache_dir, docs_dir, problems, only_shown=incremental is not None)
        try:
            source = site_source(result.framework, specs, template_dirs=overrides, figures=figures, incremental=incremental, cache_dir=cache_dir)
        except TemplateFailure as failure:  # a template override is untrusted: its faults are located problems
            problems.extend(failure.problems)
    published = Published(result, source, problems)
    _MEMO.clear()
    _MEMO[key] = published
    return published


def site_source(
    fw: Framework,
    specs_root: Path,
    *,
    template_dirs: list[Path] | None = None,
    figures=None,
    incremental: Incremental | None = None,
    cache_dir: Path | None = None,
) -> SiteSource:
    """The volumes' pages with what the stages above them add: the open supplements'
    documents, notes on the chapters they change and navigation, then the annexes.

    Page generation takes these as data (``site_source.Addition``), so it never
    imports the supplements or annexes that build on it."""
    env = environment(template_dirs)
    additions = [
        supplements_site.addition(fw, specs_root, env, cache_dir),  # the diagram cache draws the supplements' figures
        annex_site.addition(fw, specs_root),
    ]
    return generate(fw, template_dirs=template_dirs, env=env, figures=figures, incremental=incremental, additions=additions)


def _figure_stage(cache_dir: Path, docs_dir: Path | None, problems: list[Problem], *, only_shown: bool = False):
    """Render every diagram of the site in one batch; their problems join the build's.

    ``only_shown``: the preview renders only the diagrams of the pages it computes again."""

    def run(fw, pages, model_diagrams=None):
        replacements, found = add_figures(fw, pages, cache_dir, docs_dir, only_shown=only_shown, model_diagrams=model_diagrams)
        problems.extend(found)
        return replacements

    return run


# --------------------------------------------------------------------------- tfpub serve: rebuild what changed

# Set by ``tfpub serve`` (generator/site/site_build.py): each change recomputes only the pages it
# reaches (pages.Incremental), and the hook builds dirty, from files on disk (sync_source).
SERVE_DIRTY = "TFPUB_SERVE_DIRTY"
_INCREMENTAL: dict[tuple[str, str], Incremental] = {}


def _incremental(specs: Path, cache_dir: Path) -> Incremental | None:
    """The preview's page state, or None outside ``tfpub serve``.

    Supplements' notes on the chapters they change are a page input like the model
    (``pages.Incremental.notes``): a page is computed again when its notes change.
    Templates are tracked by ``pages.generate`` itself (a change recomputes every page).
    """
    if not os.environ.get(SERVE_DIRTY):
        return None
    return _INCREMENTAL.setdefault((str(specs), str(cache_dir)), Incremental())


# The site source as last written for the preview, per folder: its files and navigation.
_SERVED: dict[str, dict] = {}
# The preview's search index entries, per page location (kept by the mkdocs hook across rebuilds).
SERVED_SEARCH: dict = {}


def sync_source(source: SiteSource, folder: Path, nav: list | None = None) -> set[str]:
    """Write ``source`` as files under ``folder``, rewriting only those whose content changed.

    ``tfpub serve`` runs mkdocs' dirty build, which re-renders a page only when its
    source file is newer than its HTML; so after an edit only the pages whose
    generated Markdown changed are rendered again. Every page prints the navigation,
    so when the navigation or the set of files changed, every page counts as changed
    (its file is touched). ``nav`` is the whole navigation when it has more than the
    generated pages' (hand-written pages). Returns the changed paths.
    """
    nav = source.nav if nav is None else nav
    folder = folder.resolve()
    state = _SERVED.get(str(folder))
    if state is None and folder.exists():
        shutil.rmtree(folder)  # left by an earlier session: its files' times mean nothing now
    old = state["files"] if state else {}
    structure = state is None or state["nav"] != nav or old.keys() != source.files.keys()
    changed: set[str] = set()
    for src, content in source.files.items():
        path = folder / src
        same = src in old and old[src] == content
        if same and not (structure and src.endswith(".md")):
            continue
        if same and path.is_file():
            os.utime(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        changed.add(src)
    for src in old.keys() - source.files.keys():
        (folder / src).unlink(missing_ok=True)
    _SERVED[str(folder)] = {"files": dict(source.files), "nav": copy.deepcopy(nav)}
    return changed


def ensure_source_date_epoch(published: Published) -> None:
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(source_date_epoch(published)))
