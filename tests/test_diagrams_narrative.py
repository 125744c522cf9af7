"""Diagrams authors write: ```plantuml in Markdown fields and in hand-written pages."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import markdown
from test_diagrams_support import read_sequence, require_renderer

from generator.diagrams import (
    PLACEHOLDER,
    figure_html,
    markdown_pages,
    narrative_diagrams,
    render,
)
from generator.load.yaml_loader import load_file
from generator.problems import Loc

FIELD = """Some text.

```plantuml
@startuml
title Hand drawn
Alice -> Bob : hello
Bob --> Alice : hi
@enduml
```

```python
print("not a diagram")
```

~~~puml
A -> B : no start line
~~~

More text.
"""


def test_fences_become_placeholders_and_other_code_stays():
    text, diagrams = narrative_diagrams(FIELD, "X/volume-1/P.md", Loc("specs/X/profiles/P.yaml", 10, 3))
    assert [d.kind for d in diagrams] == ["narrative", "narrative"]
    assert all(d.key.startswith("md-") and len(d.key) == 15 for d in diagrams)
    assert diagrams[0].title == "Hand drawn" and diagrams[1].title == "Diagram"
    assert PLACEHOLDER.format(key=diagrams[0].key) in text and PLACEHOLDER.format(key=diagrams[1].key) in text
    assert 'print("not a diagram")' in text and "@startuml" not in text
    assert text.startswith("Some text.\n\n") and text.rstrip().endswith("More text.")
    # The fence lines, counted from the field's first line (10).
    assert [d.loc.line for d in diagrams] == [12, 10 + FIELD[: FIELD.index("~~~puml")].count("\n")]
    # Markdown leaves the placeholder alone, so the publisher can swap in the figure.
    html = markdown.markdown(text)
    assert PLACEHOLDER.format(key=diagrams[0].key) in html


def test_same_diagram_twice_is_one_diagram():
    block = "```plantuml\nA -> B\n```\n"
    text, diagrams = narrative_diagrams(block + "\n" + block, "p.md", Loc("f.yaml"))
    assert len(diagrams) == 1 and text.count(PLACEHOLDER.format(key=diagrams[0].key)) == 2


def test_a_fence_inside_another_code_block_is_not_a_diagram():
    text = "````markdown\n```plantuml\nA -> B\n```\n````\n"
    out, diagrams = narrative_diagrams(text, "p.md", Loc("f.yaml"))
    assert diagrams == [] and out == text


def _spec(tmp_path: Path, overview: str) -> tuple[Path, Path]:
    specs = tmp_path / "specs"
    (specs / "X" / "profiles").mkdir(parents=True)
    (specs / "X" / "domain.yaml").write_text("acronym: X\n", encoding="utf-8")
    spec = specs / "X" / "profiles" / "P.yaml"
    spec.write_text("acronym: P\noverview: |\n" + "".join(f"  {line}\n" if line else "\n" for line in overview.splitlines()), encoding="utf-8")
    return specs, spec


def test_errors_are_reported_at_the_spec_file_and_line(tmp_path):
    require_renderer()
    specs, spec = _spec(tmp_path, "Intro.\n\n```plantuml\n@startuml\nAlice -> Bob : ok\nthis line is wrong (\n@enduml\n```\n")
    doc, problems = load_file(spec, str(spec))
    assert problems == []
    text = doc.data["overview"]
    _, diagrams = narrative_diagrams(text, "X/volume-1/P.md", functools.partial(doc.text_loc, ("overview",)))
    report = render(diagrams, tmp_path / "cache")
    [problem] = report.problems
    wrong = spec.read_text().splitlines().index("  this line is wrong (") + 1
    assert (problem.rule, problem.loc.file, problem.loc.line) == ("diagram-error", str(spec), wrong)
    assert "Syntax Error" in problem.message
    out = figure_html(diagrams[0], "c", "f")
    assert "Diagram error" in out and "this line is wrong (" in out and "<svg" not in out


def test_includes_inside_the_specs_folder_work_and_count_in_the_cache(tmp_path):
    require_renderer()
    specs, spec = _spec(tmp_path, "```plantuml\n@startuml\n!include ../diagrams/actors.iuml\nA -> B : $greeting\n@enduml\n```\n")
    shared = specs / "X" / "diagrams" / "actors.iuml"
    shared.parent.mkdir()
    shared.write_text("@startuml\n!$greeting = \"hello from the include\"\nparticipant \"Alpha\" as A\n@enduml\n", encoding="utf-8")
    loc = Loc(str(spec), 3, 3)
    _, first = narrative_diagrams("```plantuml\n@startuml\n!include ../diagrams/actors.iuml\nA -> B : $greeting\n@enduml\n```\n", "p.md", loc)
    r1 = render(first, tmp_path / "cache")
    assert r1.problems == [] and first[0].svg
    seq = read_sequence(first[0].svg)
    assert seq.participants[0][1] == "Alpha" and seq.messages[0].label == "hello from the include"
    assert first[0].alt_text == ["1. Alpha → B: hello from the include"]

    _, same = narrative_diagrams("```plantuml\n@startuml\n!include ../diagrams/actors.iuml\nA -> B : $greeting\n@enduml\n```\n", "p.md", loc)
    assert render(same, tmp_path / "cache").rendered == 0
    shared.write_text("!$greeting = \"changed\"\nparticipant \"Alpha\" as A\n", encoding="utf-8")
    _, changed = narrative_diagrams("```plantuml\n@startuml\n!include ../diagrams/actors.iuml\nA -> B : $greeting\n@enduml\n```\n", "p.md", loc)
    r3 = render(changed, tmp_path / "cache")
    assert r3.rendered == 1 and read_sequence(changed[0].svg).messages[0].label == "changed"


def test_an_error_inside_an_included_file_points_into_that_file(tmp_path):
    require_renderer()
    specs, spec = _spec(tmp_path, "x")
    shared = specs / "X" / "diagrams" / "broken.iuml"
    shared.parent.mkdir()
    shared.write_text("participant A\nthis is broken (\n", encoding="utf-8")
    _, diagrams = narrative_diagrams("```plantuml\n!include ../diagrams/broken.iuml\nA -> B\n```\n", "p.md", Loc(str(spec), 3, 3))
    [problem] = render(diagrams, tmp_path / "cache").problems
    assert problem.loc.file.endswith("X/diagrams/broken.iuml") and problem.loc.line == 2


# --------------------------------------------------------------------------- hand-written pages (plantuml-markdown)

PAGE = """# A page

```plantuml
@startuml
title On a page
Alice -> Bob : page hello
@enduml
```

```uml
Carol -> Dave : second
```
"""


def test_hand_written_pages_render_through_tfpub_with_one_java_start(tmp_path, monkeypatch):
    """prerender_pages renders every block in one Java; plantuml-markdown's calls then start none."""
    require_renderer()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(PAGE, encoding="utf-8")
    (docs / "sub").mkdir()
    (docs / "sub" / "other.md").write_text("```plantuml\nEve -> Frank : third\n```\n", encoding="utf-8")
    cache = tmp_path / "cache"
    log = tmp_path / "java-starts.log"
    monkeypatch.setenv("TFPUB_JAVA_START_LOG", str(log))
    monkeypatch.chdir(tmp_path)

    report = markdown_pages.prerender_pages(docs, cache)
    assert (report.rendered, report.java_starts, report.problems) == (3, 1, [])
    assert log.read_text() == "java 3\n"

    for key, value in markdown_pages.environment(docs, cache).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    config = {"plantuml_markdown": {"format": "svg_inline", "plantuml_cmd": markdown_pages.plantuml_cmd(), "cachedir": ""}}
    html = markdown.markdown(PAGE, extensions=["plantuml_markdown"], extension_configs=config)
    assert log.read_text() == "java 3\n"  # the wrapper answered from the cache
    assert html.count("<svg") == 2 and "page hello" in html and "second" in html
    assert "<title>On a page</title>" in html and 'role="img"' in html
    assert "plantuml.com" not in html


def test_wrapper_shows_the_source_when_there_is_no_java(tmp_path, monkeypatch):
    import subprocess

    env = {**os.environ, "TFPUB_JAVA": "/nonexistent", "TFPUB_DIAGRAM_CACHE": str(tmp_path / "c"),
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.run([sys.executable, "-m", "generator.diagrams.plantuml_cmd", "-p", "-tsvg", "-charset", "UTF-8"],
                          input="Alice -> Bob : <b>x</b>\n", capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0
    assert proc.stdout.startswith("<svg") and "Alice -&gt; Bob : &lt;b&gt;x&lt;/b&gt;" in proc.stdout
    assert "Java not found" in proc.stderr
    png = subprocess.run([sys.executable, "-m", "generator.diagrams.plantuml_cmd", "-p", "-tpng"], input="A -> B\n",
                         capture_output=True, text=True, env=env, timeout=120)
    assert png.returncode == 2 and "svg_inline" in png.stderr
