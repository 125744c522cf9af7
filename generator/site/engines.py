"""The site source for any mkdocs-compatible engine: mkdocs, ProperDocs or Zensical.

mkdocs 1.x is unmaintained; its forks (ProperDocs) and its successor (Zensical, by the
authors of Material for MkDocs) read the same ``mkdocs.yml`` and Markdown, but not
mkdocs' Python hooks, which is where tfpub hands over its pages. So the source is also
written out as plain files: every generated page and download, the hand-written pages
of ``docs/``, and a copy of the project's ``mkdocs.yml`` with the hook replaced by what
the hook would have set (the navigation, stylesheets and scripts, the search separator,
plantuml-markdown routed through tfpub's renderer). Any engine then builds that folder
with its own ``build`` command, and ``tfpub build --engine NAME`` does exactly that.

Written deterministically (sorted, byte-for-byte the generator's output), so two
writes of the same specs are identical and a diff of two folders is a review of the
change.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..load.discovery import walk
from ..problems import Problem

# name -> (the module run as ``python -m MODULE build -f CONFIG``, the pip package that provides it)
ENGINES = {
    "mkdocs": ("mkdocs", "mkdocs"),
    "properdocs": ("properdocs", "properdocs"),
    "zensical": ("zensical", "zensical"),
}
SOURCE_CONFIG = "mkdocs.yml"

# Ids and acronyms are words to a reader. Hyphens, brackets, parentheses, colons, commas,
# middle dots and dashes separate words, so "[ITI-41]" gives "iti" and "41"; a dot ends a
# word only before a space or the end, so "XDS.b" and "3.41" stay whole ("iti41" and "xdsb"
# the pages carry themselves: generator/render/pages.py). The JavaScript regular expression
# Material's search splits the index and the query with.
SEARCH_SEPARATOR = r'[\s\-\u2013\u2014\u00b7\u2192,;:!?=\[\]()"/|+]+|\.(?=[\s)\]"]|$)|&[lg]t;'
MATERIAL_SEPARATOR = r"[\s\-]+"  # Material's default for English, which splits neither "[ITI-41]" nor "XDS.b"


@dataclass
class Source:
    """What ``write_source`` wrote: the folder, its config file, and the validation's problems."""

    ok: bool
    problems: list[Problem] = field(default_factory=list)
    message: str = ""
    folder: Path | None = None
    config: Path | None = None
    env: dict[str, str] = field(default_factory=dict)  # what the engine's process needs (diagram wrapper, build date)


class _Tagged:
    """A YAML value with a tag tfpub does not read (``!ENV``, ``!!python/name:``): written back as it was."""

    def __init__(self, tag: str, node: yaml.Node):
        self.tag, self.node = tag, node


class _ConfigLoader(yaml.SafeLoader):
    pass


class _ConfigDumper(yaml.SafeDumper):
    pass


def _keep_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> _Tagged:
    return _Tagged(node.tag, node)


_ConfigLoader.add_multi_constructor("!", _keep_tag)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _keep_tag)
_ConfigDumper.add_representer(_Tagged, lambda dumper, value: value.node)


def read_config(config_file: Path) -> dict:
    """The project's mkdocs.yml as data; tags mkdocs reads (``!ENV``, ``!!python/name:``) are kept as written."""
    data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_ConfigLoader)  # noqa: S506 - a SafeLoader that keeps tags
    return data if isinstance(data, dict) else {}


def source_config(project: dict, *, nav: list, extra_css: list[str], extra_javascript: list[str], site_dir: str) -> dict:
    """The project's config without tfpub's hook, with what the hook sets written in.

    Pure: the same inputs give the same config. ``site_dir`` is where the engine writes.
    """
    config = {k: v for k, v in project.items() if k not in ("hooks", "watch", "docs_dir", "site_dir", "nav")}
    config["docs_dir"] = "docs"
    config["site_dir"] = site_dir
    config["nav"] = nav
    config["extra_css"] = extra_css + [c for c in project.get("extra_css") or [] if c not in extra_css]
    config["extra_javascript"] = extra_javascript + [j for j in project.get("extra_javascript") or [] if j not in extra_javascript]
    config["plugins"] = _with_search_separator(project.get("plugins") or ["search"], SEARCH_SEPARATOR)
    config["markdown_extensions"] = _with_plantuml(project.get("markdown_extensions") or [])
    return config


def _with_search_separator(plugins: list, separator: str) -> list:
    out = []
    for plugin in plugins:
        if plugin == "search":
            plugin = {"search": {"separator": separator}}
        elif isinstance(plugin, dict) and "search" in plugin:
            options = dict(plugin["search"] or {})
            options.setdefault("separator", separator)  # the project's own separator wins, as with the hook
            plugin = {"search": options}
        out.append(plugin)
    return out


def _with_plantuml(extensions: list) -> list:
    """plantuml-markdown through tfpub's wrapper (what markdown_pages.configure_mkdocs sets in the hook)."""
    from ..diagrams.markdown_pages import plantuml_cmd

    fixed = {"plantuml_cmd": plantuml_cmd(), "format": "svg_inline", "server": "", "kroki_server": False, "cachedir": "", "image_maps": False}
    out, seen = [], False
    for ext in extensions:
        if ext == "plantuml_markdown" or (isinstance(ext, dict) and "plantuml_markdown" in ext):
            options = dict(ext["plantuml_markdown"] or {}) if isinstance(ext, dict) else {}
            options.update(fixed)
            ext, seen = {"plantuml_markdown": options}, True
        out.append(ext)
    if not seen:
        out.append({"plantuml_markdown": fixed})
    return out


def write_source(config_file: Path, out: Path, specs: Path | None = None, *, site_dir: Path | None = None) -> Source:
    """Validate and generate, then write the site source under ``out`` (``docs/`` and ``mkdocs.yml``).

    ``out`` is replaced whole only when everything was generated: a failed run leaves it as it was.
    """
    from .publish import publish, source_date_epoch

    config_file = config_file.resolve()
    base = config_file.parent
    project = read_config(config_file)
    own = ((project.get("extra") or {}).get("tfpub") or {}) if isinstance(project.get("extra"), dict) else {}
    specs_path = (specs or Path(own.get("specs") or "specs"))
    specs_path = specs_path if specs_path.is_absolute() else base / specs_path
    cache = Path(own.get("cache") or ".tfpub-cache")
    cache = cache if cache.is_absolute() else base / cache
    docs_dir = base / (project.get("docs_dir") or "docs")
    published = publish(specs_path, cache_dir=cache, docs_dir=docs_dir)
    if not published.ok:
        return Source(False, published.problems, "the specs have errors; nothing was written")
    source = published.source
    handwritten, clash = _handwritten_nav(docs_dir, set(source.files))
    if clash:
        return Source(False, published.problems, clash)
    out = out.resolve()
    staging = out.with_name(out.name + ".tfpub-writing")
    shutil.rmtree(staging, ignore_errors=True)
    docs_out = staging / "docs"
    if docs_dir.is_dir():
        for path in walk(docs_dir, label="the docs folder")[0]:  # links leaving docs/ are refused (publish reported them)
            target = docs_out / path.relative_to(docs_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    for src, content in sorted(source.files.items()):
        target = docs_out / src
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_bytes(content.encode("utf-8"))
    config = source_config(
        project,
        nav=source.nav + handwritten,
        extra_css=list(source.extra_css),
        extra_javascript=list(source.extra_javascript),
        site_dir=str(site_dir.resolve()) if site_dir else "site",
    )
    text = "# Written by `tfpub source`: the generated site source, for any mkdocs-compatible engine (no hook).\n"
    text += yaml.dump(config, Dumper=_ConfigDumper, sort_keys=False, allow_unicode=True, width=1000)
    (staging / SOURCE_CONFIG).write_text(text, encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)
    from ..diagrams.markdown_pages import environment

    env = dict(environment(out / "docs", cache / "diagrams"), SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", str(source_date_epoch(published))))
    return Source(True, published.problems, "", out, out / SOURCE_CONFIG, env)


def _handwritten_nav(docs_dir: Path, generated: set[str]) -> tuple[list[str], str]:
    """Hand-written pages after the generated framework, in path order (as the hook has them), or why not."""
    pages = []
    if docs_dir.is_dir():
        for path in sorted(docs_dir.rglob("*.md")):
            rel = path.relative_to(docs_dir).as_posix()
            if rel in generated:
                return [], f"{path}: a hand-written page has the same path as a generated one; move or rename it"
            pages.append(rel)
    return pages, ""


def engine_missing(engine: str) -> str | None:
    """Why ``engine`` cannot run here (one line naming the fix), or None."""
    if engine not in ENGINES:
        return f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}"
    module, package = ENGINES[engine]
    if importlib.util.find_spec(module) is None:
        return f"{engine} is not installed in this environment; install it with 'pip install {package}'"
    return None


def run_engine(engine: str, source: Source, *, strict: bool = False, timeout: float | None = None) -> subprocess.CompletedProcess:
    """``ENGINE build`` on the written source, in its own process (engines keep global state)."""
    module, _ = ENGINES[engine]
    cmd = [sys.executable, "-m", module, "build", "-f", str(source.config)]
    if strict:
        cmd.append("--strict" if engine != "zensical" else "-s")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", **source.env)
    return subprocess.run(cmd, cwd=source.folder, env=env, capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=timeout)
