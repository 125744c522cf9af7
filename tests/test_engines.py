"""One generated source, any engine: `tfpub source` and `tfpub build --engine`, with real mkdocs and Zensical builds."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sitebuild import copy_project, example_site, tfpub, tree_bytes

from generator.validate import validate

pytestmark = pytest.mark.skipif(importlib.util.find_spec("zensical") is None, reason="zensical is a test dependency (pyproject [test])")


def _pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("index.html")}


def _entity_pages(project: Path) -> set[str]:
    fw = validate(project / "specs").framework
    pages = {f"{p.domain}/volume-1/{p.acronym}/index.html" for p in fw.profiles.values()}
    pages |= {f"{t.domain}/volume-2/{t.id}/index.html" for t in fw.transactions.values()}
    pages |= {f"{a.domain}/actors/{a.id}/index.html" for a in fw.actors.values()}
    pages |= {f"{c.domain}/volume-3/{c.id}/index.html" for c in fw.content_modules.values()}
    return pages


def test_zensical_builds_every_page_of_the_example(tmp_path):
    project = copy_project(tmp_path / "project")
    done = tfpub("build", "--engine", "zensical", cwd=project, timeout=900)
    assert done.returncode == 0, done.stderr
    site = project / "site"
    pages = _pages(site)
    assert _entity_pages(project) <= pages
    assert pages == _pages(example_site())  # every page the mkdocs build has, and no other
    reading = (site / "guide" / "reading" / "index.html").read_text(encoding="utf-8")
    assert 'class="tfpub-diagram"' in reading  # the hand-written page's ```plantuml block, rendered through tfpub
    search = (site / "search.json") if (site / "search.json").is_file() else None
    assert search is None or search.stat().st_size > 0


def test_mkdocs_builds_the_same_source_without_the_hook(tmp_path):
    project = copy_project(tmp_path / "project")
    out = tmp_path / "source"
    done = tfpub("source", str(out), cwd=project, timeout=900)
    assert done.returncode == 0, done.stderr
    config = yaml.safe_load((out / "mkdocs.yml").read_text(encoding="utf-8"))
    assert "hooks" not in config and config["docs_dir"] == "docs"
    assert config["plugins"][0]["search"]["separator"]  # what the hook sets, written in
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", TFPUB_DIAGRAM_CACHE=str(project / ".tfpub-cache" / "diagrams"))
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(out / "mkdocs.yml"), "-d", str(tmp_path / "site")],
        cwd=out, env=env, capture_output=True, text=True, timeout=900,
    )
    assert built.returncode == 0, built.stderr
    assert _pages(tmp_path / "site") == _pages(example_site())


def test_the_source_is_written_deterministically(tmp_path):
    project = copy_project(tmp_path / "project")
    first, second = tmp_path / "one", tmp_path / "two"
    assert tfpub("source", str(first), cwd=project, timeout=900).returncode == 0
    assert tfpub("source", str(second), cwd=project, timeout=900).returncode == 0
    assert tree_bytes(first) == tree_bytes(second)


def test_broken_specs_write_no_source_and_keep_the_old_one(tmp_path):
    project = copy_project(tmp_path / "project")
    out = tmp_path / "source"
    assert tfpub("source", str(out), cwd=project, timeout=900).returncode == 0
    before = tree_bytes(out)
    profile = next((project / "specs").glob("*/profiles/*.yaml"))
    profile.write_text(profile.read_text(encoding="utf-8") + "\nnot_a_key: 1\n", encoding="utf-8")
    done = tfpub("source", str(out), cwd=project, timeout=900)
    assert done.returncode == 1
    assert "unknown key 'not_a_key'" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert tree_bytes(out) == before


def test_an_engine_that_is_not_installed_is_one_line(tmp_path):
    if importlib.util.find_spec("properdocs") is not None:
        pytest.skip("properdocs is installed here")
    project = copy_project(tmp_path / "project")
    done = tfpub("build", "--engine", "properdocs", cwd=project, timeout=300)
    assert done.returncode == 1
    assert "properdocs is not installed in this environment; install it with 'pip install properdocs'" in done.stderr
    assert "Traceback" not in done.stderr and not (project / "site").exists()
