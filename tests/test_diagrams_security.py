"""Diagrams cannot read files, reach the network, or put script into a page.

Two layers are tested separately: tfpub's own include check (which refuses, with the
spec's file and line, before PlantUML runs), and PlantUML's SANDBOX security profile
underneath it (tested by handing PlantUML the hostile text directly). A listener on
loopback stands in for "the network": nothing may connect to it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from test_diagrams_support import hrefs, require_renderer

from generator.diagrams import (
    Diagram,
    figure_html,
    narrative_diagrams,
    render,
    runtime,
    svg,
)
from generator.problems import Loc

SECRET_MARK = "tfpub-secret-7f3a9"


@pytest.fixture
def listener():
    """A TCP server on loopback that records every connection made to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    hits: list[str] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except (socket.timeout, OSError):
                continue
            with conn:
                conn.settimeout(1)
                try:
                    hits.append(conn.recv(2048).decode("latin-1"))
                except OSError:
                    hits.append("")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.getsockname()[1]}", hits
    stop.set()
    thread.join(timeout=2)
    server.close()


@pytest.fixture
def secret(tmp_path):
    """A file outside the specs folder with recognisable content."""
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(f"{SECRET_MARK}\nroot:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    return path


def _spec(tmp_path: Path, body: str) -> tuple[str, Loc, Path]:
    """A profile spec file whose overview holds ``body`` in a ```plantuml fence; returns text, its Loc, the specs root."""
    specs = tmp_path / "specs"
    (specs / "X" / "profiles").mkdir(parents=True)
    (specs / "X" / "domain.yaml").write_text("acronym: X\n", encoding="utf-8")
    text = "Before.\n\n```plantuml\n@startuml\n" + body + "\n@enduml\n```\n"
    spec = specs / "X" / "profiles" / "P.yaml"
    spec.write_text("overview: |\n" + "".join("  " + line + "\n" for line in text.splitlines()), encoding="utf-8")
    return text, Loc(str(spec), 2, 3), specs


def _leaked(*texts: str | None) -> bool:
    return any(t and (SECRET_MARK in t or "root:x:0:0" in t) for t in texts)


# --------------------------------------------------------------------------- tfpub's include check

@pytest.mark.parametrize(
    "directive, why",
    [
        ("!include {secret}", "absolute path"),
        ("!include ../../../outside/secret.txt", "leaves the specs folder"),
        ("!include_many ../../../outside/secret.txt", "leaves the specs folder"),
        ("!include /etc/passwd", "absolute path"),
        ("!includeurl http://{addr}/x.puml", "!includeurl is not allowed"),
        ("!include http://{addr}/x.puml", "of a URL is not allowed"),
        ("!includesub ../../../outside/secret.txt!PART", "!includesub is not allowed"),
        ("!import ../../../outside/secret.zip", "!import is not allowed"),
    ],
)
def test_includes_outside_the_specs_are_refused_at_the_spec_line(directive, why, tmp_path, secret, listener):
    addr, hits = listener
    text, loc, specs = _spec(tmp_path, "A -> B : hello\n" + directive.format(secret=secret, addr=addr))
    markdown, diagrams = narrative_diagrams(text, "X/volume-1/P.md", loc)
    report = render(diagrams, tmp_path / "cache")
    [d] = diagrams
    [problem] = report.problems
    assert problem.rule == "diagram-include" and why in problem.message
    # The directive is on the 6th line of the text; the text starts on line 2 of the spec.
    assert (problem.loc.file, problem.loc.line) == (str(Path(loc.file)), 7)
    assert d.svg is None and report.java_starts == 0
    html = figure_html(d, "caption", "f")
    assert not _leaked(d.error, html, str(problem))
    assert "Diagram error" in html and "<pre" in html
    assert hits == []


# --------------------------------------------------------------------------- PlantUML's sandbox, on its own

HOSTILE = [
    ("!include {secret}", True),
    ("!include /etc/passwd", True),
    ("!includeurl http://{addr}/inc.puml", True),
    ("!include http://{addr}/inc2.puml", True),
    ("!theme spacelab from {secret_dir}", True),
    ("A -> B : <img:http://{addr}/img.png>", False),
    ("A -> B : <img:{secret}>", False),
    ("A -> B : [[http://{addr}/link a link]]", False),
    ('!$x = %load_json("{secret}")\nA -> B : $x', False),
    ('A -> B : %getenv("HOME") %getenv("PATH")', False),
]


@pytest.mark.parametrize("line, refused", HOSTILE)
def test_plantuml_sandbox_reads_no_file_and_opens_no_connection(line, refused, tmp_path, secret, listener):
    """Text handed straight to PlantUML (as a model diagram, which tfpub does not pre-check)."""
    require_renderer()
    addr, hits = listener
    body = line.format(secret=secret, secret_dir=secret.parent, addr=addr)
    d = Diagram("hostile", "transaction", "Hostile", f"@startuml\nA -> B : first\n{body}\n@enduml\n", [], "",
                Loc("specs/X/transactions/X-1.yaml", 2, 1))
    report = render([d], tmp_path / "cache")
    assert report.java_starts == 1
    assert not _leaked(d.svg, d.error, *(str(p) for p in report.problems))
    if refused:
        [problem] = report.problems
        assert problem.rule == "diagram-error" and problem.loc == d.loc
    else:
        assert d.svg and report.problems == []
    home = os.environ.get("HOME", "")
    if d.svg and len(home) > 3:
        assert f">{home}" not in d.svg and f"{home}<" not in d.svg  # %getenv gave nothing
    assert hits == [], f"PlantUML connected to the network: {hits}"


def test_the_listener_sees_an_unsandboxed_plantuml(tmp_path, listener):
    """The control for the test above: without the sandbox, PlantUML does connect."""
    require_renderer()
    addr, hits = listener
    source = tmp_path / "net.puml"
    source.write_text(f"@startuml\n!includeurl http://{addr}/inc.puml\n@enduml\n", encoding="utf-8")
    java, jar = runtime.find_java().path, runtime.find_jar().path
    subprocess.run([str(java), "-DPLANTUML_SECURITY_PROFILE=UNSECURE", "-jar", str(jar), "-tsvg", str(source)],
                   capture_output=True, timeout=120, env={k: v for k, v in os.environ.items() if not k.startswith("PLANTUML")})
    deadline = time.monotonic() + 5
    while not hits and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hits and hits[0].startswith("GET /inc.puml")


def test_plantuml_runs_under_the_sandbox_profile_with_no_network(tmp_path, monkeypatch):
    """The command and environment that render() really uses."""
    require_renderer()
    seen = {}
    original = runtime.java_command

    def spy(*args, **kwargs):
        seen["command"] = original(*args, **kwargs)
        return seen["command"]

    monkeypatch.setattr(runtime, "java_command", spy)
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "-DPLANTUML_SECURITY_PROFILE=UNSECURE")
    monkeypatch.setenv("_JAVA_OPTIONS", "-DPLANTUML_SECURITY_PROFILE=UNSECURE")
    monkeypatch.setenv("PLANTUML_SECURITY_PROFILE", "UNSECURE")
    d = Diagram("k", "transaction", "T", "@startuml\nA -> B\n@enduml\n", [], "", Loc("x.yaml"))
    render([d], tmp_path)
    command = seen["command"]
    assert "-DPLANTUML_SECURITY_PROFILE=SANDBOX" in command
    assert command.index("-DPLANTUML_SECURITY_PROFILE=SANDBOX") < command.index("-jar")
    assert {"-Dhttp.proxyHost=127.0.0.1", "-Dhttps.proxyHost=127.0.0.1", "-Dhttp.proxyPort=9"} <= set(command)
    env = runtime.java_environment()
    assert env["PLANTUML_SECURITY_PROFILE"] == "SANDBOX"
    assert "JAVA_TOOL_OPTIONS" not in env and "_JAVA_OPTIONS" not in env
    assert d.svg


# --------------------------------------------------------------------------- SVG that reaches a page

EVIL_SVG = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10" onload="alert(1)">
<script>alert(2)</script>
<style>body { display: none }</style>
<foreignObject><iframe src="javascript:alert(3)"/></foreignObject>
<g onclick="alert(4)" id="g1">
  <a href="javascript:alert(5)" xlink:href="javascript:alert(5)"><text>j</text></a>
  <a href=" JaVaScRiPt:alert(6)"><text>k</text></a>
  <a xlink:href="data:text/html,&lt;script&gt;alert(7)&lt;/script&gt;"><text>d</text></a>
  <a href="../ok/"><text>fine</text></a>
  <a href="https://example.org/"><text>web</text></a>
  <image href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" width="1" height="1"/>
  <image href="http://127.0.0.1:9/x.png" width="1" height="1"/>
  <use href="http://127.0.0.1:9/x.svg#a"/>
  <rect style="fill:url(http://127.0.0.1:9/x)" width="1" height="1"/>
  <rect style="fill:url(#grad)" width="1" height="1"/>
</g>
<!--SRC=[secret]-->
</svg>"""


def test_sanitiser_keeps_drawing_and_drops_everything_active():
    out = svg.finish(EVIL_SVG, "T", ["step"])
    lowered = out.lower()
    for bad in ("<script", "<style", "foreignobject", "iframe", "onload", "onclick", "javascript", "data:text", "image/svg", "127.0.0.1", "src=["):
        assert bad not in lowered, bad
    assert 'href="../ok/"' in out and 'href="https://example.org/"' in out
    assert "url(#grad)" in out
    assert out.count("<title>") == 1 and "<desc>step</desc>" in out and 'role="img"' in out


def test_figure_html_sanitises_an_svg_set_by_anyone_and_escapes_text():
    d = Diagram("k", "narrative", 'Title <b>"x"</b>', "@startuml\nA -> B : <script>\n@enduml\n", ["<img src=x onerror=alert(1)>"], "", Loc("x"))
    d.svg = EVIL_SVG
    out = figure_html(d, "<script>caption</script>", 'id"><script>')
    assert "<script" not in out.lower().replace("&lt;script", "")
    assert "onerror=alert" not in out.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert not any(h.lower().strip().startswith(("javascript", "data:text")) for h in hrefs(out))
    d.svg = None
    d.error = "bad <thing>"
    out = figure_html(d, "c", "f")
    assert "&lt;script&gt;" in out and "bad &lt;thing&gt;" in out and "<script>" not in out
