"""mkdocs hook: hand the generated site source to mkdocs, and nothing more.

mkdocs 1.x is unmaintained, so tfpub keeps it a thin last stage: every page,
number and diagram is made by the generator; this hook only registers the
generated files and navigation using the plain hooks API that the drop-in forks
keep. It is loaded by path from ``mkdocs.yml`` (``hooks:``), so it imports the
installed ``generator`` package absolutely.
"""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from generator.diagrams import markdown_pages
from generator.problems import format_text
from generator.site import preview
from generator.site.engines import MATERIAL_SEPARATOR, SEARCH_SEPARATOR  # noqa: F401 - also read from here
from generator.site.publish import (
    SERVE_DIRTY,
    Published,
    ensure_source_date_epoch,
    publish,
    sync_source,
)

_STATE: dict[str, Published] = {}



def _settings(config) -> tuple[Path, Path]:
    base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
    own = (config.extra or {}).get("tfpub", {}) or {}
    specs = Path(os.environ.get("TFPUB_SPECS") or base / own.get("specs", "specs"))
    cache = base / own.get("cache", ".tfpub-cache")
    return specs, cache


def _search_separator(config) -> None:
    """Use tfpub's separator unless the project's mkdocs.yml sets its own ``search: separator``."""
    for name, plugin in config.plugins.items():
        if not name.endswith("search") or not hasattr(plugin, "config"):
            continue
        if not plugin.config.get("separator"):  # the plugin has not filled in its default yet
            plugin.config["separator"] = SEARCH_SEPARATOR
        index = getattr(plugin, "search_index", None)
        if index is not None and index.config.get("separator") in (None, MATERIAL_SEPARATOR):
            index.config["separator"] = plugin.config["separator"] = SEARCH_SEPARATOR


def on_config(config):
    _search_separator(config)
    specs, cache = _settings(config)
    published = publish(specs, cache_dir=cache, docs_dir=Path(config.docs_dir))
    if not published.ok:
        preview.record(published.problems)  # tfpub serve shows them on every page (site/preview.py)
        raise PluginError("the specs have errors; nothing was built:\n" + format_text(published.problems))
    ensure_source_date_epoch(published)
    # ```plantuml in hand-written pages: plantuml-markdown renders through tfpub's cache and sandbox.
    markdown_pages.configure_mkdocs(config, cache / "diagrams")
    _STATE["published"] = published
    source = published.source
    handwritten = _handwritten_nav(Path(config.docs_dir), set(source.files))
    config.nav = source.nav + handwritten
    config.extra_css = source.extra_css + [c for c in config.extra_css if c not in source.extra_css]
    config.extra_javascript = source.extra_javascript + [j for j in config.extra_javascript if j not in source.extra_javascript]
    return config


def _handwritten_nav(docs_dir: Path, generated: set[str]) -> list:
    """Hand-written pages in docs/ come after the generated framework, in path order."""
    pages = []
    if docs_dir.is_dir():
        for path in sorted(docs_dir.rglob("*.md")):
            rel = path.relative_to(docs_dir).as_posix()
            if rel in generated:
                raise PluginError(f"{path}: a hand-written page has the same path as a generated one; move or rename it")
            pages.append(rel)
    return pages


def on_files(files: Files, config) -> Files:
    source = _STATE["published"].source
    if not os.environ.get(SERVE_DIRTY):
        for src, content in sorted(source.files.items()):
            files.append(File.generated(config, src, content=content))
        return files
    # tfpub serve: the source as files whose times tell mkdocs' dirty build what to render again.
    folder = _settings(config)[1] / "serve-source"
    changed = sync_source(source, folder, nav=config.nav)
    for src in sorted(source.files):
        files.append(File.generated(config, src, abs_src_path=str(folder / src)))
    # Hand-written pages are read on every rebuild: every page prints their titles in the
    # navigation, and a dirty build knows the title only of a page it reads (else "None").
    for file in files.documentation_pages():
        if file.src_uri not in source.files:
            file.is_modified = _always
    _STATE["rebuilt"] = {_page_location(src) for src in changed if src.endswith(".md")}
    _STATE["pages"] = {_page_location(src) for src in source.files if src.endswith(".md")}
    return files


def _always() -> bool:
    return True


def on_env(env, config, files):
    """tfpub serve: when a hand-written page's title changed, every page is rendered again.

    Each page prints the hand-written pages' titles in its navigation, and a dirty build
    renders only the pages whose source changed; so a new title would show on the
    edited page alone. The pages this build did not read are read now (as mkdocs does)."""
    if not os.environ.get(SERVE_DIRTY):
        return env
    from mkdocs.commands.build import _populate_page

    generated = _STATE["published"].source.files
    pages = [f for f in files.documentation_pages() if f.page is not None]
    titles = {f.src_uri: f.page.title for f in pages if f.src_uri not in generated}
    last = preview.STATE.titles.get(config.docs_dir)
    if last is not None and last != titles:
        for file in pages:
            if file.page.markdown is None:  # not read by this dirty build
                _populate_page(file.page, config, files, dirty=False)
                file.is_modified = _always
    preview.STATE.titles[config.docs_dir] = titles
    return env


def on_page_context(context, page, config, nav):
    """Give the theme's ``<title>`` the page title as HTML text, as the navigation has it.

    Without a ``title`` in the page's metadata, Material prints ``page.title|striptags``
    in ``<title>``, and ``striptags`` turns ``&lt;/title&gt;`` from a name back into a
    closing tag; the metadata title is printed as it is. Titles are HTML text already
    (escaped by the generator for the navigation, or taken from the rendered heading).
    """
    if page.title and not page.is_homepage and not (page.meta or {}).get("title"):
        page.meta["title"] = page.title
    return context


def _page_location(src: str) -> str:
    """The search-index location of a page (directory URLs), as the search plugin writes it."""
    if src == "index.md":
        return ""
    if src.endswith("/index.md"):
        return src[: -len("index.md")]
    return src[: -len(".md")] + "/"


def on_serve(server, config, builder):
    """A malformed request path gets 400, not a 500 with a traceback (site_build.reject_malformed_requests);
    while the last build failed, every page request gets the error page at once (site/preview.py)."""
    from generator.site.site_build import reject_malformed_requests

    return reject_malformed_requests(preview.install(server))


def on_post_build(config) -> None:
    """tfpub serve: a dirty build indexes only the pages it rendered; keep the rest of the search index.

    The search plugin's own merge keeps a dirty build's index right only when one page
    was rendered, so the index of every page is kept here and written whole.
    """
    if not os.environ.get(SERVE_DIRTY) or "rebuilt" not in _STATE:
        return
    try:
        _merge_search_index(config)
    except Exception:  # noqa: BLE001 - the preview's search index is a convenience; never fail the build for it
        pass


def _merge_search_index(config) -> None:
    from generator.site.publish import SERVED_SEARCH as known

    plugin = next((pl for pl in config.plugins.values() if hasattr(pl, "search_index_prev") and hasattr(pl, "search_index")), None)
    if plugin is None:
        return
    index = plugin.search_index
    fresh: dict[str, list] = {}
    for entry in index.entries:  # the pages this build rendered (nothing carried over: prev is None)
        fresh.setdefault(entry["location"].split("#", 1)[0], []).append(entry)
    gone = known.pop("\0generated", set()) - _STATE["pages"]
    for page in gone:
        known.pop(page, None)
    known.update(fresh)
    entries = [e for page, page_entries in known.items() for e in page_entries]
    known["\0generated"] = set(_STATE["pages"])
    plugin.search_index_prev = None
    index.entries = entries
    path = Path(config.site_dir) / "search" / "search_index.json"
    if path.parent.is_dir():
        path.write_text(index.generate_search_index(None), encoding="utf-8")
