"""Without Java (or without the jar) a build still succeeds: one warning that names the fix, sources shown."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO_ROOT
from test_diagrams_support import EXAMPLE_SPECS

from generator.diagrams import figure_html, model_diagrams, narrative_diagrams, render
from generator.problems import Loc
from generator.validate import validate


def test_no_java_gives_one_warning_and_shows_the_source(tmp_path, monkeypatch):
    monkeypatch.setenv("TFPUB_JAVA", "/nonexistent")
    fw = validate(EXAMPLE_SPECS).framework
    diagrams = model_diagrams(fw)
    _, narrative = narrative_diagrams("```plantuml\nA -> B : <b>hi</b>\n```\n", "ITI/volume-1/XDS.b.md", Loc("specs/ITI/profiles/XDS.b.yaml", 5, 3))
    report = render(diagrams + narrative, tmp_path)
    [problem] = report.problems
    assert problem.rule == "diagram-renderer-missing" and not problem.is_error
    assert "Java not found" in problem.message
    assert "generator.diagrams.fetch" in problem.message and "apt-get install default-jre-headless" in problem.message
    assert f"{len(diagrams) + 1} diagram(s)" in problem.message
    assert (report.java_starts, report.rendered, report.skipped) == (0, 0, len(diagrams) + 1)
    assert all(d.svg is None and d.error is None for d in diagrams + narrative)

    html = figure_html(diagrams[0], "Figure 1", "fig-1")
    assert '<pre class="tfpub-diagram-source"' in html and "@startuml" in html
    assert "<svg" not in html and "not rendered" in html
    assert "&lt;U+005B&gt;" in html or "[" in html  # the escaped source, as text
    html = figure_html(narrative[0], "Figure 2", "fig-2")
    assert "A -&gt; B : &lt;b&gt;hi&lt;/b&gt;" in html
    assert "<details" not in html  # nothing to list before rendering


def test_no_jar_gives_the_same_single_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("TFPUB_PLANTUML_JAR", str(tmp_path / "missing.jar"))
    diagrams = model_diagrams(validate(EXAMPLE_SPECS).framework)[:4]
    report = render(diagrams, tmp_path / "cache")
    [problem] = report.problems
    assert "the PlantUML jar not found" in problem.message and "generator.diagrams.fetch" in problem.message


def test_doctor_reports_what_is_missing(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "TFPUB_JAVA": "/nonexistent"}
    proc = subprocess.run([sys.executable, "-m", "generator", "doctor"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    assert "Java        MISSING" in proc.stdout and "fix:" in proc.stdout
    assert "SANDBOX" in proc.stdout


def test_doctor_renders_when_everything_is_there():
    from test_diagrams_support import require_renderer

    require_renderer()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.run([sys.executable, "-m", "generator", "doctor"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "(pinned, sha256 verified)" in proc.stdout and "Render      OK" in proc.stdout


def test_a_java_that_does_not_work_is_one_warning_too(tmp_path, monkeypatch):
    fake = tmp_path / "java"
    fake.write_text("#!/bin/sh\necho 'Error: this is not Java' >&2\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("TFPUB_JAVA", str(fake))
    diagrams = model_diagrams(validate(EXAMPLE_SPECS).framework)[:5]
    report = render(diagrams, tmp_path / "cache")
    [problem] = report.problems
    assert problem.rule == "diagram-renderer-failed" and not problem.is_error
    assert "this is not Java" in problem.message and "generator.diagrams.fetch" in problem.message
    assert report.java_starts == 1 and report.skipped == 5 and all(d.svg is None for d in diagrams)
    assert list((tmp_path / "cache").iterdir()) == []  # nothing cached
