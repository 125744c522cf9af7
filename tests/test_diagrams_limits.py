"""Hostile diagrams: every one renders as a safe SVG or is a located problem, within bounds.

Real PlantUML on real Java throughout. The time and memory bounds are set small
through the environment (``TFPUB_PLANTUML_TIMEOUT``, ``TFPUB_PLANTUML_HEAP``), so the
hostile cases stay quick; the builds are real ``tfpub build`` runs on a copy of the
example project.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from sitebuild import copy_project, tfpub
from test_diagrams_support import EXAMPLE_SPECS, require_renderer

from generator.diagrams import limits, model_diagrams, narrative_diagrams, render
from generator.problems import Loc
from generator.validate import validate

LOCATED = re.compile(r"^\S+:\d+:\d+: (error|warning): .+ \[[a-z-]+\]$")

DITAA = "@startditaa\n+--+\n|A |\n+--+\n@endditaa\n"
# Doubles a string a hundred times: 2^100 characters, were the heap unbounded.
DOUBLING = '!$x = "aaaaaaaaaaaaaaaa"\n!$i = 0\n!while $i < 100\n!$x = $x + $x\n!$i = $i + 1\n!endwhile\nA -> B : $x\n'
# Slow on any machine, and never ended by PlantUML itself: its own guard ("Infinite loop?") stops
# a loop after some thousands of turns, which 20,000 copies of an 8 MB string reached in about the
# 4 s of the test's bound (a race). 9,000 copies of a 32 MB string take PlantUML well over 30 s.
SLOW = ('!$x = "aaaaaaaaaaaaaaaa"\n!$i = 0\n!while $i < 21\n!$x = $x + $x\n!$i = $i + 1\n!endwhile\n'
        '!$i = 0\n!while $i < 9000\n!$y = $x + "b"\n!$i = $i + 1\n!endwhile\nA -> B : done\n')


def _field(*bodies: str) -> str:
    """A Markdown field with one ```plantuml block per body, each after a paragraph."""
    return "".join(f"Paragraph {i}.\n\n```plantuml\n{body}```\n\n" for i, body in enumerate(bodies))


def _fence_lines(text: str, first_line: int) -> list[int]:
    return [first_line + n for n, line in enumerate(text.splitlines()) if line == "```plantuml"]


def _java_running(marker: str) -> bool:
    """Whether any process's command line mentions ``marker`` (the cache folder of a test)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode("utf-8", "replace"):
                    return True
            except OSError:
                continue
    return False


# --------------------------------------------------------------------------- case 5: types that are not SVG

def test_bitmap_and_unsupported_diagram_types_are_refused_at_the_fence(tmp_path):
    require_renderer()
    text = _field(DITAA, "@startjcckit(300,200)\ndata/curves = c\n@endjcckit\n", "@startmath\nf(t)=sum a_n\n@endmath\n",
                  "Alice -> Bob : still drawn\n")
    _, diagrams = narrative_diagrams(text, "X/volume-1/P.md", Loc("specs/X/profiles/P.yaml", 10, 1))
    report = render(diagrams, tmp_path)
    fences = _fence_lines(text, 10)
    refused = [p for p in report.problems if p.rule == "diagram-type"]
    assert [(p.loc.file, p.loc.line) for p in refused] == [("specs/X/profiles/P.yaml", line) for line in fences[:3]]
    assert all(LOCATED.match(str(p)) and "@startuml" in p.message for p in refused)
    assert "@startditaa diagrams are not supported" in refused[0].message
    assert len(report.problems) == 3 and diagrams[3].svg and "still drawn" in diagrams[3].svg
    assert all(d.svg is None and d.error for d in diagrams[:3])


def test_plantuml_output_that_is_not_svg_is_a_located_error_never_decoded(tmp_path, monkeypatch):
    """The second line of defence: with the type check out of the way, ditaa's PNG bytes are a problem, not a crash."""
    require_renderer()
    monkeypatch.setattr(limits, "SUPPORTED_TYPES", limits.SUPPORTED_TYPES + ("ditaa",))
    text = _field(DITAA, "Alice -> Bob : fine\n")
    _, diagrams = narrative_diagrams(text, "p.md", Loc("specs/X/profiles/P.yaml", 3, 1))
    report = render(diagrams, tmp_path)
    [problem] = report.problems
    assert (problem.rule, problem.loc.line) == ("diagram-type", _fence_lines(text, 3)[0])
    assert "not an SVG picture" in problem.message and LOCATED.match(str(problem))
    assert diagrams[0].svg is None and diagrams[1].svg
    assert not list(tmp_path.glob("*.error.json"))  # not remembered: the next build checks again
    _, again = narrative_diagrams(text, "p.md", Loc("specs/X/profiles/P.yaml", 3, 1))
    assert [p.rule for p in render(again, tmp_path).problems] == ["diagram-type"]


# --------------------------------------------------------------------------- case 5: sizes

def test_over_long_lines_and_oversized_diagrams_are_refused_before_plantuml(tmp_path):
    long_line = "Alice -> Bob : " + "word " * 400 + "\n"
    many_lines = "".join(f"A -> B : m{i}\n" for i in range(limits.MAX_LINES + 10))
    crowd = "".join(f"participant P{i}\n" for i in range(20_000)) + "P0 -> P1 : hello\n"
    declared = "".join(f'participant "Actor {i}" as P{i}\n' for i in range(limits.MAX_PARTICIPANTS + 5))
    arrows = "".join(f"P{i} -> P{i + 1} : m\n" for i in range(limits.MAX_PARTICIPANTS + 5))
    text = _field("Alice -> Bob : fine\n" + long_line, many_lines, crowd, declared, arrows)
    _, diagrams = narrative_diagrams(text, "p.md", Loc("specs/X/profiles/P.yaml", 20, 1))
    started = time.perf_counter()
    report = render(diagrams, tmp_path)
    assert report.java_starts == 0 and time.perf_counter() - started < 10  # 20,000 participants never reach Java
    assert [p.rule for p in report.problems] == ["diagram-size"] * 5
    assert all(LOCATED.match(str(p)) for p in report.problems)
    fences = _fence_lines(text, 20)
    long_at, lines_at, crowd_at, declared_at, arrows_at = report.problems
    assert long_at.loc.line == fences[0] + 2 and "1,500" in long_at.message  # the over-long line itself
    assert lines_at.loc.line == fences[1] and "lines; the limit is 1,000" in lines_at.message  # the whole diagram
    assert crowd_at.loc.line == fences[2] and "characters of PlantUML" in crowd_at.message
    assert declared_at.loc.line == fences[3] + limits.MAX_PARTICIPANTS + 1  # the first participant over the limit
    assert arrows_at.loc.line == fences[4] + limits.MAX_PARTICIPANTS and "more than 100 participants" in arrows_at.message
    assert all(d.svg is None and d.error for d in diagrams)


def test_a_long_use_case_step_is_reported_at_the_step(tree, tmp_path):
    steps = tree["ITX/profiles/DOC.yaml"]["use_cases"][0]["steps"]
    steps[1]["text"] = "The recipient stores the document and indexes it. " * 45
    tree["ITX/profiles/DOC.yaml"]["use_cases"][1]["steps"] = [
        {"from": "document-source", "to": "document-recipient", "text": f"Step {i}."} for i in range(limits.MAX_LINES + 1)
    ]
    result = tree.validate()
    assert result.ok
    diagrams = [d for d in model_diagrams(result.framework) if d.kind == "use-case"]
    report = render(diagrams, tmp_path)
    by_key = {d.key: d for d in diagrams}
    assert report.java_starts == 0 and all(d.error and d.svg is None for d in by_key.values())
    long_step, many = sorted(report.problems, key=lambda p: p.loc.line)
    assert long_step.rule == many.rule == "diagram-size"
    rel = "ITX/profiles/DOC.yaml"
    assert long_step.loc.file.endswith(rel) and long_step.loc.line == tree.line_of(rel, "from: document-recipient")
    assert "characters of PlantUML" in long_step.message and "Share a document" in long_step.message
    assert many.loc.line == tree.line_of(rel, "id: update-a-document") and "lines; the limit is 1,000" in many.message


def test_the_example_diagrams_are_far_inside_the_limits():
    """The limits are for hostile input: the IHE example diagrams never come near them."""
    from generator.diagrams.narrative import prepare

    for diagram in model_diagrams(validate(EXAMPLE_SPECS).framework):
        text = prepare(diagram).text
        assert limits.size_problem(text) is None
        assert max(len(line) for line in text.splitlines()) < limits.MAX_LINE_CHARS / 3
        assert len(text.splitlines()) < limits.MAX_LINES / 10


# --------------------------------------------------------------------------- case 9: heap and time bounds

def test_a_string_doubling_loop_exhausts_a_bounded_heap_and_is_named(tmp_path, monkeypatch):
    require_renderer()
    monkeypatch.setenv("TFPUB_PLANTUML_HEAP", "256m")
    text = _field("Alice -> Bob : one\n", DOUBLING, "Alice -> Bob : three\n")
    _, diagrams = narrative_diagrams(text, "p.md", Loc("specs/X/profiles/P.yaml", 1, 1))
    started = time.perf_counter()
    report = render(diagrams, tmp_path)
    assert time.perf_counter() - started < 60
    [problem] = report.problems
    assert (problem.rule, problem.loc.line) == ("diagram-memory", _fence_lines(text, 1)[1])
    assert "256m" in problem.message and LOCATED.match(str(problem))
    assert diagrams[0].svg and diagrams[2].svg and diagrams[1].svg is None
    assert not _java_running(str(tmp_path)) and not list(tmp_path.glob("render-*"))


def test_a_slow_diagram_is_killed_at_the_time_bound_and_named(tmp_path, monkeypatch):
    require_renderer()
    monkeypatch.setenv("TFPUB_PLANTUML_TIMEOUT", "4")
    monkeypatch.setenv("TFPUB_PLANTUML_TIMEOUT_PER_DIAGRAM", "0")
    text = _field("Alice -> Bob : one\n", SLOW, "Alice -> Bob : three\n")
    _, diagrams = narrative_diagrams(text, "p.md", Loc("specs/X/profiles/P.yaml", 1, 1))
    started = time.perf_counter()
    report = render(diagrams, tmp_path)
    elapsed = time.perf_counter() - started
    assert elapsed < 30  # unbounded, this diagram takes PlantUML over a minute
    [problem] = report.problems
    assert (problem.rule, problem.loc.line) == ("diagram-time", _fence_lines(text, 1)[1])
    assert "4 s" in problem.message and LOCATED.match(str(problem))
    assert diagrams[0].svg and diagrams[2].svg and diagrams[1].svg is None
    assert not _java_running(str(tmp_path))  # the whole process group was killed
    assert not list(tmp_path.glob("render-*")) and not list(tmp_path.glob("*.error.json"))


def test_bounds_come_from_the_environment_and_bad_values_fall_back(monkeypatch):
    monkeypatch.setenv("TFPUB_PLANTUML_HEAP", "1g")
    monkeypatch.setenv("TFPUB_PLANTUML_TIMEOUT", "10")
    monkeypatch.setenv("TFPUB_PLANTUML_TIMEOUT_PER_DIAGRAM", "0.5")
    assert limits.bounds() == limits.Bounds("1g", 10.0, 0.5) and limits.bounds().seconds_for(20) == 20.0
    monkeypatch.setenv("TFPUB_PLANTUML_HEAP", "-XX:+Evil 1g")
    monkeypatch.setenv("TFPUB_PLANTUML_TIMEOUT", "nan")
    assert limits.bounds() == limits.Bounds(limits.DEFAULT_HEAP, limits.DEFAULT_TIMEOUT, 0.5)


# --------------------------------------------------------------------------- real builds (cases 5, 9, 10)

def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line)


DOMAIN_END = "  [[profile:ATNA]] and [[profile:CT]], which most other profiles build upon.\n"
CT_END = "  and security tokens that carry validity periods.\n"


def _indented(block: str) -> str:
    return "".join(f"  {line}\n" if line else "\n" for line in block.splitlines())


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    require_renderer()
    return copy_project(tmp_path_factory.mktemp("limits") / "project")


def test_diagrams_in_narrative_fields_and_the_domain_description_build(project):
    """Case 10, passing: a domain description's diagram includes a file relative to domain.yaml, and is drawn."""
    specs = project / "specs" / "ITI"
    (specs / "parts").mkdir(exist_ok=True)
    (specs / "parts" / "seq.puml").write_text('participant "Included Participant" as X\n', encoding="utf-8")
    _edit(specs / "domain.yaml", DOMAIN_END, DOMAIN_END + "\n" + _indented("```plantuml\n!include parts/seq.puml\nX -> Y : from the domain\n```\n"))
    result = tfpub("build", "-d", str(project / "site"), cwd=project, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    home = (project / "site" / "ITI" / "index.html").read_text(encoding="utf-8")
    assert "Included Participant" in home and "from the domain" in home and "<svg" in home


def test_a_build_with_hostile_diagrams_fails_cleanly_with_one_located_line_each(project):
    """Cases 5, 9 and 10 in one real build: each problem at its spec line, nothing else breaks, the site is kept."""
    specs = project / "specs" / "ITI"
    site = project / "site"
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) if site.exists() else []
    ct = specs / "profiles" / "CT.yaml"
    _edit(ct, CT_END, CT_END + "\n" + _indented(f"```plantuml\n{DITAA}```\n\n```plantuml\nAlice -> Bob : ok\nthis is wrong (\n```\n\n"
                                                 f"```plantuml\n{DOUBLING}```\n"))
    _edit(specs / "domain.yaml", "X -> Y : from the domain\n", "X -> Y : from the domain\n  the domain is wrong (\n")
    xds = specs / "profiles" / "XDS.b.yaml"
    _edit(xds, "text: The regional identity service has fed the patient's identity to the registry.",
          "text: " + "The regional identity service feeds the registry. " * 50)
    result = tfpub("build", "-d", str(site), cwd=project, timeout=600, env={"TFPUB_PLANTUML_HEAP": "256m"})
    out = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in out
    problems = [line for line in out.splitlines() if LOCATED.match(line)]
    found = {(line.split(":")[0], int(line.split(":")[1]), line.rsplit("[", 1)[1].rstrip("]")) for line in problems}
    assert found == {
        ("specs/ITI/profiles/CT.yaml", _line_of(ct, "@startditaa") - 1, "diagram-type"),
        ("specs/ITI/profiles/CT.yaml", _line_of(ct, "this is wrong ("), "diagram-error"),
        ("specs/ITI/profiles/CT.yaml", _line_of(ct, '!$x = "aaaa') - 1, "diagram-memory"),
        ("specs/ITI/domain.yaml", _line_of(specs / "domain.yaml", "the domain is wrong ("), "diagram-error"),
        ("specs/ITI/profiles/XDS.b.yaml", _line_of(xds, "The regional identity service feeds") - 3, "diagram-size"),
    }, out
    assert "the previous site was left as it was" in out
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == before


def test_a_participant_declared_with_long_names_is_within_the_limits():
    """A role shared by several long-named actors is declared on one line: PlantUML draws such
    declarations (measured at 20,000 characters), so only message lines keep the 1,500 limit."""
    long_names = " /\\n".join(f"[[../a{n}/ {'Actor <U+005B>x<U+005D> ' * 60}]]" for n in range(3))
    declaration = f'participant "{long_names}" as A'
    assert limits.MAX_LINE_CHARS < len(declaration) < limits.MAX_DECLARATION_CHARS
    assert limits.size_problem(f"@startuml\n{declaration}\nA -> A : ok\n@enduml\n") is None
    message = f"A -> A : {'x' * (limits.MAX_LINE_CHARS + 1)}"
    problem = limits.size_problem(f"@startuml\n{declaration}\n{message}\n@enduml\n")
    assert problem is not None and problem.line == 3
    assert limits.size_problem(f'@startuml\nparticipant "{"y" * (limits.MAX_DECLARATION_CHARS + 1)}" as B\n@enduml\n').line == 2
