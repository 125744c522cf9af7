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
from generator.publish import Published, ensure_source_date_epoch, publish

_STATE: dict[str, Published] = {}


def _settings(config) -> tuple[Path, Path]:
    base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
    own = (config.extra or {}).get("tfpub", {}) or {}
    specs = Path(os.environ.get("TFPUB_SPECS") or base / own.get("specs", "specs"))
    cache = base / own.get("cache", ".tfpub-cache")
    return specs, cache


def on_config(config):
    specs, cache = _settings(config)
    published = publish(specs, cache_dir=cache, docs_dir=Path(config.docs_dir))
    if not published.ok:
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
    for src, content in sorted(source.files.items()):
        files.append(File.generated(config, src, content=content))
    return files
