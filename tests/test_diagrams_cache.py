"""The diagram cache: a rebuild with nothing changed starts no Java; a change re-renders only its diagrams."""

from __future__ import annotations

import shutil

from test_diagrams_support import EXAMPLE_SPECS, require_renderer

from generator.diagrams import (
    model_diagrams,
    narrative_diagrams,
    render,
    renderer,
    runtime,
)
from generator.problems import Loc
from generator.validate import validate


def test_second_render_of_the_example_starts_no_java(tmp_path):
    require_renderer()
    fw = validate(EXAMPLE_SPECS).framework
    first = model_diagrams(fw)
    starts = renderer.JAVA_STARTS
    cold = render(first, tmp_path)
    assert (cold.java_starts, cold.rendered, cold.cached) == (1, len(first), 0)
    assert renderer.JAVA_STARTS == starts + 1  # one process for all of them

    again = model_diagrams(fw)
    warm = render(again, tmp_path)
    assert (warm.java_starts, warm.rendered, warm.cached) == (0, 0, len(again))
    assert renderer.JAVA_STARTS == starts + 1
    assert [d.svg for d in again] == [d.svg for d in first]
    assert warm.seconds < cold.seconds


def _render_tree(tree, cache):
    fw = tree.validate().framework
    diagrams = model_diagrams(fw)
    return diagrams, render(diagrams, cache)


def test_a_changed_message_re_renders_only_its_transaction(tree, tmp_path):
    require_renderer()
    diagrams, cold = _render_tree(tree, tmp_path)
    assert cold.rendered == len(diagrams) and cold.java_starts == 1

    tree["ITX/transactions/ITX-3.yaml"]["messages"][0]["name"] = "Update Document Request, revised"
    _, changed = _render_tree(tree, tmp_path)
    assert changed.rendered_keys == ["tx-ITX-3"]
    assert (changed.rendered, changed.java_starts, changed.cached) == (1, 1, len(diagrams) - 1)

    _, unchanged = _render_tree(tree, tmp_path)
    assert (unchanged.rendered, unchanged.java_starts) == (0, 0)


def test_a_renamed_transaction_re_renders_every_diagram_that_shows_it(tree, tmp_path):
    require_renderer()
    _render_tree(tree, tmp_path)
    tree["ITX/transactions/ITX-2.yaml"]["name"] = "Provide Document Again"
    _, changed = _render_tree(tree, tmp_path)
    assert sorted(changed.rendered_keys) == ["profile-DOC", "tx-ITX-2", "uc-DOC-share-a-document"]
    assert changed.java_starts == 1


def test_errors_are_cached_too(tmp_path):
    """A broken diagram is reported on every build, but PlantUML runs for it only once."""
    require_renderer()
    text = "Intro.\n\n```plantuml\n@startuml\nA -> B : ok\nthis is not plantuml (\n@enduml\n```\n"
    loc = Loc("specs/X/profiles/P.yaml", 10, 1)
    _, first = narrative_diagrams(text, "X/volume-1/P.md", loc)
    r1 = render(first, tmp_path)
    _, second = narrative_diagrams(text, "X/volume-1/P.md", loc)
    r2 = render(second, tmp_path)
    assert (r1.java_starts, r2.java_starts, r2.cached) == (1, 0, 1)
    for report, diagrams in ((r1, first), (r2, second)):
        [problem] = report.problems
        assert (problem.rule, problem.loc.file, problem.loc.line) == ("diagram-error", "specs/X/profiles/P.yaml", 15)
        assert diagrams[0].svg is None and "Syntax Error" in diagrams[0].error


def test_the_key_follows_the_style_and_the_plantuml_release(tmp_path, monkeypatch):
    require_renderer()
    fw_diagrams = lambda: model_diagrams(validate(EXAMPLE_SPECS).framework)[:3]  # noqa: E731
    render(fw_diagrams(), tmp_path)
    # The same jar elsewhere is the same release: still cached.
    copy = tmp_path / "elsewhere" / "plantuml.jar"
    copy.parent.mkdir()
    shutil.copy(runtime.find_jar().path, copy)
    monkeypatch.setenv("TFPUB_PLANTUML_JAR", str(copy))
    assert render(fw_diagrams(), tmp_path).rendered == 0
    # Another style changes every picture.
    monkeypatch.setattr(runtime, "STYLE", runtime.STYLE + "skinparam shadowing false\n")
    assert render(fw_diagrams(), tmp_path).rendered == 3


def test_a_warm_cache_serves_pictures_without_java(tmp_path, monkeypatch):
    require_renderer()
    fw = validate(EXAMPLE_SPECS).framework
    render(model_diagrams(fw), tmp_path)
    monkeypatch.setenv("TFPUB_JAVA", "/nonexistent")
    diagrams = model_diagrams(fw)
    report = render(diagrams, tmp_path)
    assert report.problems == [] and report.java_starts == 0
    assert all(d.svg for d in diagrams)
