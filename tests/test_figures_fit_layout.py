"""The actor diagrams' layout, measured on the real pictures: width, crossings, straight lines, labels.

The example's largest profiles (XDS.b, ATNA, MHD; PCF when the example has it) are drawn
by the real PlantUML, laid out by Graphviz's dot when it is installed (it is in CI) and
by smetana without it, and read back from the SVG: how wide the picture is, how many
pairs of lines cross, whether every line is straight segments, and how far each
label is from its line. These are the numbers the README's "Diagrams" section gives
for choosing the engine; the test prints them.
"""

from __future__ import annotations

import itertools
import math
import re

import pytest
from lxml import etree
from test_diagrams_support import EXAMPLE_SPECS, require_renderer

from generator.diagrams import render, runtime
from generator.diagrams.actor_diagram import profile_diagram
from generator.validate import validate

SVG = "{http://www.w3.org/2000/svg}"
PROFILES = ["XDS.b", "ATNA", "MHD", "PCF"]
MAX_WIDTH = 800  # px: at most this wide, the picture fits a 688 px column with its text at 10 px or more
MAX_LABEL_DISTANCE = 20  # px between a label (the box around its lines) and its line


def _points(d: str) -> tuple[list[tuple[float, float]], bool]:
    """A path's points (curves sampled) and whether all its segments are straight."""
    tokens = re.findall(r"[MLC]|-?\d+(?:\.\d+)?", d)
    points, straight, cmd, i = [], True, "M", 0
    while i < len(tokens):
        if tokens[i] in "MLC":
            cmd = tokens[i]
            i += 1
            continue
        if cmd in "ML":
            points.append((float(tokens[i]), float(tokens[i + 1])))
            i += 2
        else:
            c = [float(x) for x in tokens[i:i + 6]]
            p0, p3 = points[-1], (c[4], c[5])
            for px, py in ((c[0], c[1]), (c[2], c[3])):  # a straight "curve": its control points on the chord
                chord = math.dist(p0, p3) or 1.0
                off = abs((p3[0] - p0[0]) * (p0[1] - py) - (p0[0] - px) * (p3[1] - p0[1])) / chord
                straight = straight and off < 1.0
            for k in range(1, 9):
                t = k / 8
                a, b, cc, e = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3
                points.append((a * p0[0] + b * c[0] + cc * c[2] + e * p3[0], a * p0[1] + b * c[1] + cc * c[3] + e * p3[1]))
            i += 6
    return points, straight


def _cross(p1, p2, p3, p4) -> bool:
    d = (p2[0] - p1[0]) * (p4[1] - p3[1]) - (p2[1] - p1[1]) * (p4[0] - p3[0])
    if abs(d) < 1e-9:
        return False
    t = ((p3[0] - p1[0]) * (p4[1] - p3[1]) - (p3[1] - p1[1]) * (p4[0] - p3[0])) / d
    u = ((p3[0] - p1[0]) * (p2[1] - p1[1]) - (p3[1] - p1[1]) * (p2[0] - p1[0])) / d
    return 0.001 < t < 0.999 and 0.001 < u < 0.999


def _to_box(a, b, box) -> float:
    """How near the segment a-b comes to the rectangle ``box`` (x0, y0, x1, y1), sampled."""
    x0, y0, x1, y1 = box
    best = math.inf
    for k in range(41):
        px, py = a[0] + (b[0] - a[0]) * k / 40, a[1] + (b[1] - a[1]) * k / 40
        best = min(best, math.hypot(max(x0 - px, 0, px - x1), max(y0 - py, 0, py - y1)))
    return best


def measure(svg: str) -> dict:
    """Width, height, lines, crossing pairs of lines, lines not straight, the farthest label from its line,
    and labels drawn over another label or line."""
    root = etree.fromstring(svg.encode())
    view = [float(x) for x in root.get("viewBox").split()]
    lines, labels = [], []
    far = 0.0
    for g in root.iter(f"{SVG}g"):
        path = g.find(f"{SVG}path")
        if g.get("class") != "link" or path is None:
            continue
        points, straight = _points(path.get("d"))
        lines.append((points, straight))
        texts = [(float(t.get("x")), float(t.get("y")), float(t.get("textLength") or 0)) for t in g.iter(f"{SVG}text")]
        if texts:  # the label: the box around its lines, and how far the line passes from it
            label = (min(x for x, _, _ in texts), min(y for _, y, _ in texts) - 11, max(x + w for x, _, w in texts), max(y for _, y, _ in texts) + 2)
            far = max(far, min(_to_box(a, b, label) for a, b in itertools.pairwise(points)))
            labels.append((len(lines) - 1, label))
    crossings = sum(
        1 for (p, _), (q, _) in itertools.combinations(lines, 2)
        if any(_cross(*s, *t) for s in itertools.pairwise(p) for t in itertools.pairwise(q))
    )
    # a label drawn over another label, or over another line (with 2 px of slack)
    overlaps = sum(1 for (i, a), (j, b) in itertools.combinations(labels, 2) if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
    inset = [(i, (x0 + 2, y0 + 2, x1 - 2, y1 - 2)) for i, (x0, y0, x1, y1) in labels]
    overlaps += sum(1 for i, box in inset for j, (p, _) in enumerate(lines) if j != i and min(_to_box(a, b, box) for a, b in itertools.pairwise(p)) == 0)
    return {"width": view[2], "height": view[3], "lines": len(lines), "crossings": crossings,
            "curved": sum(1 for _, straight in lines if not straight), "label_distance": far, "overlaps": overlaps}


@pytest.fixture(scope="module")
def framework():
    require_renderer()
    return validate(EXAMPLE_SPECS).framework


def _draw(framework, tmp_path, monkeypatch, dot: str | None) -> dict[str, dict]:
    if dot is None:
        monkeypatch.setenv("TFPUB_GRAPHVIZ_DOT", "/nonexistent/dot")
    else:
        monkeypatch.delenv("TFPUB_GRAPHVIZ_DOT", raising=False)
    diagrams = [profile_diagram(framework, framework.profiles[p]) for p in PROFILES if p in framework.profiles]
    report = render(diagrams, tmp_path / "cache")
    assert [p for p in report.problems if p.is_error] == []
    return {d.key.removeprefix("profile-"): measure(d.svg) for d in diagrams}


def _table(engine: str, numbers: dict[str, dict]) -> str:
    return "\n".join(
        f"  {engine:8s} {name:6s} {m['width']:5.0f} x {m['height']:4.0f} px, {m['lines']} lines, {m['crossings']} crossings, "
        f"{m['curved']} curved, labels within {m['label_distance']:.0f} px, {m['overlaps']} label overlaps"
        for name, m in numbers.items()
    )


def test_dot_draws_the_largest_profiles_straight_uncrossed_and_narrow(framework, tmp_path, monkeypatch):
    if runtime.find_dot() is None:
        pytest.skip("Graphviz is not installed (apt-get install graphviz; .ci/run and make do this)")
    numbers = _draw(framework, tmp_path, monkeypatch, dot="found")
    print("\n" + _table("dot", numbers))
    assert {"XDS.b", "ATNA", "MHD"} <= numbers.keys()
    for name, m in numbers.items():
        assert m["lines"] > 0 and m["crossings"] == 0 and m["curved"] == 0 and m["overlaps"] == 0, (name, m)
        assert m["width"] <= MAX_WIDTH and m["label_distance"] <= MAX_LABEL_DISTANCE, (name, m)


def test_without_graphviz_smetana_draws_them_and_the_cache_tells_them_apart(framework, tmp_path, monkeypatch):
    numbers = _draw(framework, tmp_path, monkeypatch, dot=None)
    print("\n" + _table("smetana", numbers))
    for name, m in numbers.items():
        assert m["lines"] > 0 and m["width"] <= MAX_WIDTH, (name, m)
    assert "!pragma layout smetana" in runtime.style()
    without = runtime.engine_id(runtime.find_jar())
    monkeypatch.delenv("TFPUB_GRAPHVIZ_DOT")
    if runtime.find_dot() is not None:
        assert runtime.engine_id(runtime.find_jar()) != without and "smetana" not in runtime.style()


def test_a_figure_is_fitted_with_a_minimum_text_size_and_links_to_its_picture_alone():
    """The frame carries the natural width and the narrowest legible widths (screen and paper);
    the full-size link is outside the picture; a picture with links is a group, one without an image
    in a frame a keyboard can reach."""
    from generator.diagrams import fit
    from generator.diagrams.core import Diagram
    from generator.diagrams.svg import figure_file_name, figure_html, standalone
    from generator.problems import Loc

    def picture(body: str) -> str:
        return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 900 300" width="900px"><g>{body}</g></svg>'

    text = '<text font-size="12" x="1" y="10">Actor</text><text font-size="14" x="1" y="30">Title</text>'
    plain = Diagram("k", "profile", "XDS.b Actor Diagram", "", ["A initiates B."], "", Loc("x"), svg=picture(text))
    out = figure_html(plain, "Figure 1: XDS.b Actor Diagram", "figure-actor-diagram", full_size="figure-actor-diagram.svg")
    assert 'style="--tfpub-diagram-width:900px;--tfpub-diagram-min:675px;--tfpub-diagram-print-min:600px"' in out
    assert 'role="img"' in out and 'tabindex="0"' in out  # no links: one image; its frame takes the focus to scroll
    full = out.index('class="tfpub-diagram-full"')
    assert out.index("</svg>") < full and '<a href="figure-actor-diagram.svg" type="image/svg+xml">Open Figure 1 full size</a>' in out
    linked = Diagram("k", "profile", "T", "", [], "", Loc("x"), svg=picture(f'<a href="../x/">{text}</a>'))
    out = figure_html(linked, "Figure 2: T", "f2")
    assert 'role="group"' in out and 'tabindex' not in out and "tfpub-diagram-full" not in out  # links are focusable; no file given
    alone = standalone(linked)
    assert alone.startswith("<svg") and "<title>T</title>" in alone and 'href="../x/"' in alone
    assert figure_file_name("figure-uc-a b/../c") == "figure-uc-a-b-..-c.svg"
    assert fit.Size(400, 100, 9).min_width() == 400 and fit.Size(400, 100, 0).min_width() == 400
