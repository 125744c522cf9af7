"""``tfpub init``: start a new framework project that validates and builds at once.

The project is everything an editor needs on day one, outside this repository:
the specs of one domain (a first profile with two actors and a transaction, so
every page kind has something on it and ``tfpub validate`` reports nothing),
the schemas its ``$schema`` lines name (copied in, so completion works wherever
the project is checked out), ``mkdocs.yml`` with a two-line hook file, a
``.gitignore``, a GitHub Actions workflow that validates, builds and publishes to
GitHub Pages, and a pre-commit hook running ``tfpub validate``.

Why a hook file in the project (``tfpub_hook.py``) and not a plugin entry point
or a path into the installed package: mkdocs.yml then names only a file of the
project, so a plain ``mkdocs build`` (or a drop-in mkdocs 1.x successor, which
keep the by-path ``hooks:`` API that tfpub's hook is written against) works from
any checkout on any machine where tfpub is importable; an entry point needs a
plugin class and the package's installed metadata (stale in a source checkout),
and a computed path would write this machine's install location into the file.
The hook file only re-exports tfpub's hook, so upgrading tfpub upgrades it.

Files are produced as text by :func:`project_files` (pure); :func:`init_project`
is the I/O edge and never replaces a file that exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from . import __version__
from .scaffold import PROJECT_SCHEMAS, schema_dir, schema_kinds

ACRONYM = r"^[A-Z][A-Z0-9]{1,11}$"  # the domain schema's pattern
HOOK_FILE = "tfpub_hook.py"
WORKFLOW = ".github/workflows/tfpub.yml"
PRE_COMMIT = ".pre-commit-config.yaml"
# A folder holding only these still counts as empty: `git init x && tfpub init x` is the usual start.
IGNORED_WHEN_EMPTY = {".git"}


class InitError(Exception):
    """The project cannot be created as asked; the message says what to do."""


@dataclass
class InitResult:
    root: Path
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # existing files left as they were (--force)


def _yaml(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _spec(rel: str, kind: str, data: dict) -> tuple[str, str]:
    depth = len(Path(rel).parts) - 1  # folders between the project root and the file
    line = f"# yaml-language-server: $schema={'../' * depth}{PROJECT_SCHEMAS}/{kind}.schema.json\n"
    return rel, line + _yaml(data)


def spec_files(acronym: str, title: str, today: str) -> dict[str, str]:
    """The first domain: a profile whose two actors exchange one transaction, valid as written."""
    d = f"specs/{acronym}"
    tx = f"{acronym}-1"
    todo = "Describe it in your own words."  # not the TODO of `tfpub new`: the starter validates clean as written
    files = [
        _spec(f"{d}/domain.yaml", "domain", {
            "acronym": acronym,
            "title": title,
            "revision": "0.1",
            "date": today,
            "status": "public-comment",
            "description": f"The {title}. Start with [[profile:FIRST]].\n",
        }),
        _spec(f"{d}/actors/sender.yaml", "actor", {"id": "sender", "name": "Sender", "definition": "The actor that sends the first message. " + todo}),
        _spec(f"{d}/actors/receiver.yaml", "actor", {"id": "receiver", "name": "Receiver", "definition": "The actor that receives it. " + todo}),
        _spec(f"{d}/transactions/{tx}.yaml", "transaction", {
            "id": tx,
            "name": "Send Message",
            "scope": "The Sender sends a message to the Receiver. " + todo,
            "roles": [
                {"actor": "sender", "role": "initiator", "description": "Sends the message."},
                {"actor": "receiver", "role": "responder", "description": "Receives the message and acknowledges it."},
            ],
            "standards": ["RFC-9110"],
            "messages": [
                {"name": "Send Message Request", "type": "request", "trigger": "The Sender has something to send.", "semantics": todo, "expected_actions": "The Receiver stores the message."},
                {"name": "Send Message Response", "type": "response", "trigger": "The Receiver has stored the message.", "semantics": todo, "expected_actions": "The Sender records the outcome."},
            ],
        }),
        _spec(f"{d}/profiles/FIRST.yaml", "profile", {
            "acronym": "FIRST",
            "name": "First Profile",
            "chapter": 1,
            "type": "workflow",
            "status": "public-comment",
            "summary": f"A first profile to start from: the [[actor:sender]] sends a message to the [[actor:receiver]] with [[{tx}]]. Rename it and make it yours.",
            "actors": [
                {"actor": "sender", "transactions": [{"transaction": tx, "optionality": "R"}]},
                {"actor": "receiver", "transactions": [{"transaction": tx, "optionality": "R"}]},
            ],
        }),
        _spec(f"{d}/glossary.yaml", "glossary", {"terms": [{"term": "Profile", "definition": "A set of actors and the transactions between them that solves one integration problem."}]}),
        _spec(f"{d}/standards.yaml", "standards", {"standards": [{"id": "RFC-9110", "title": "HTTP Semantics", "publisher": "IETF", "url": "https://www.rfc-editor.org/rfc/rfc9110"}]}),
    ]
    return dict(files)


def mkdocs_yml(title: str) -> str:
    return f"""\
# The framework's site. `tfpub build` builds it into site/ (validating first, and
# keeping the previous site/ if anything is wrong); a plain `mkdocs build` gives the same site.
site_name: {_quote(title)}
docs_dir: docs        # hand-written pages; the framework's pages are generated from specs/
site_dir: site
use_directory_urls: true

theme:
  name: material
  language: en
  features:
    - navigation.indexes
    - navigation.prune
    - navigation.top
    - navigation.tracking
    - search.suggest
    - search.highlight
    - content.code.copy
    - toc.follow
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      primary: indigo
      toggle:
        icon: material/brightness-7
        name: Switch to dark mode
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      primary: indigo
      toggle:
        icon: material/brightness-4
        name: Switch to light mode
  font: false          # no web fonts: the site works offline and loads nothing from outside

plugins:
  - search

hooks:
  - {HOOK_FILE}      # hands the pages tfpub generates to mkdocs

markdown_extensions:
  - attr_list
  - tables
  - admonition
  - md_in_html
  - def_list
  - toc:
      permalink: true
  - pymdownx.superfences
  # ```plantuml blocks in hand-written pages, rendered locally by tfpub (the hook sets it up).
  - plantuml_markdown:
      format: svg_inline
      server: ""
      cachedir: ""
      image_maps: false
      classes: tfpub-diagram

validation:
  omitted_files: warn
  absolute_links: warn
  unrecognized_links: warn
  anchors: warn

watch:
  - specs

extra:
  tfpub:
    specs: specs
    cache: .tfpub-cache
"""


def _quote(text: str) -> str:
    """A YAML scalar for any title (quotes, colons and all)."""
    return yaml.safe_dump(text, default_style='"', width=10_000).strip().removesuffix("...").strip()


HOOK = """\
# The mkdocs hook of tfpub: it hands the pages tfpub generates from specs/ to mkdocs.
# Written by `tfpub init`; it only re-exports the installed tfpub's hook, so keep it as is.
from generator.site.mkdocs_hook import *  # noqa: F401,F403
"""

GITIGNORE = """\
site/
.tfpub-cache/
.venv/
__pycache__/
"""


def workflow(install: str) -> str:
    """Validate (annotations on the pull request), build, and publish main to GitHub Pages."""
    return f"""\
# Checks the specs on every push and pull request, and publishes the site from main
# to GitHub Pages (Settings > Pages > Source: GitHub Actions).
name: tfpub

on:
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

concurrency:
  group: pages-${{{{ github.ref }}}}
  cancel-in-progress: true

env:
  # Where tfpub is installed from: a version on your package index, or a git URL
  # such as "tfpub @ git+https://github.com/OWNER/tfpub@v{__version__}".
  TFPUB: "{install}"

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: Check out
        uses: actions/checkout@v4
      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install tfpub
        run: |
          python -m pip install "$TFPUB"
          python -m generator.diagrams.fetch
      - name: Validate
        run: tfpub validate --format github specs
      - name: Build the site
        run: tfpub build
      - name: Upload the site
        uses: actions/upload-pages-artifact@v3
        with:
          path: site

  deploy:
    if: github.event_name == 'push' && github.ref == 'refs/heads/main'
    needs: build
    runs-on: ubuntu-latest
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - name: Publish to GitHub Pages
        id: deployment
        uses: actions/deploy-pages@v4
"""


PRE_COMMIT_CONFIG = """\
# `pre-commit install` once; then every commit that touches specs/ is validated first.
repos:
  - repo: local
    hooks:
      - id: tfpub-validate
        name: tfpub validate
        entry: tfpub validate specs
        language: system
        pass_filenames: false
        files: ^specs/
"""


def readme(acronym: str, title: str) -> str:
    return f"""\
# {title}

A Technical Framework written as YAML data and published with tfpub.

```sh
tfpub validate            # check every spec; problems as file:line:col
tfpub serve               # preview at http://127.0.0.1:8000, rebuilt on every change
tfpub build               # the site, into site/
tfpub new actor my-actor --domain specs/{acronym}
tfpub new supplement MY-SUPPLEMENT --domain specs/{acronym}
```

Each spec file's first line names its schema in `schemas/`, so editors with the
YAML language server (VS Code: the Red Hat *YAML* extension) complete keys and
values as you type. `tfpub schema --write` refreshes `schemas/` after upgrading tfpub.
"""


HOME_PAGE = """\
# About this framework

This site is generated from the YAML specifications in `specs/` by tfpub.
Hand-written pages like this one live in `docs/` and follow the framework in the navigation.
"""


def project_files(acronym: str, title: str, *, today: str, install: str) -> dict[str, str]:
    """Every text file of a new project, by path relative to its root (schemas apart)."""
    if not re.match(ACRONYM, acronym):
        raise InitError(f"'{acronym}' is not a domain acronym: 2 to 12 capital letters or digits, starting with a letter (e.g. ITI)")
    files = {
        "mkdocs.yml": mkdocs_yml(title),
        HOOK_FILE: HOOK,
        ".gitignore": GITIGNORE,
        WORKFLOW: workflow(install),
        PRE_COMMIT: PRE_COMMIT_CONFIG,
        "README.md": readme(acronym, title),
        "docs/about.md": HOME_PAGE,
    }
    files.update(spec_files(acronym, title, today))
    return files


def _is_empty(folder: Path) -> bool:
    return not any(p.name not in IGNORED_WHEN_EMPTY for p in folder.iterdir())


def init_project(
    root: Path,
    acronym: str,
    title: str = "",
    *,
    force: bool = False,
    install: str = f"tfpub=={__version__}",
    today: str | None = None,
) -> InitResult:
    """Create the project in ``root``; with ``force`` into a non-empty folder, keeping every file there."""
    title = title or f"{acronym} Technical Framework"
    files = project_files(acronym, title, today=today or date.today().isoformat(), install=install)
    files.update({f"{PROJECT_SCHEMAS}/{k}.schema.json": (schema_dir() / f"{k}.schema.json").read_text(encoding="utf-8") for k in schema_kinds()})
    if root.exists() and not root.is_dir():
        raise InitError(f"{root} is a file; name a folder to create the project in")
    if root.is_dir() and not _is_empty(root) and not force:
        raise InitError(f"{root} is not empty; use an empty folder, or --force to add the project's files there (existing files are kept)")
    result = InitResult(root)
    for rel, text in sorted(files.items()):
        target = root / rel
        if target.exists():
            result.kept.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        result.written.append(target)
    return result
