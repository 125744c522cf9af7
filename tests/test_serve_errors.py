"""tfpub serve in Chromium: a broken spec shows in the open page at once, and the navigation survives rebuilds.

The real ``tfpub serve`` subprocess on a copy of the example, on a free port; every
wait is bounded. The diagram cache of the repository is copied in (a cache: the
first build then renders no diagram again), so the server comes up sooner.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from browser import browser_page, require_browser
from sitebuild import REPO, copy_project, free_port, serve, tfpub

ACTOR = "ITI/actors/time-client/"
LINE = re.compile(r"^specs/ITI/(actors|profiles)/[\w.-]+\.yaml:\d+:\d+: error: .+ \[[\w-]+\]$")
UP = 240  # the first build of a cold copy on a loaded machine
REBUILD = 90  # an incremental rebuild on a loaded machine (about 1 to 4 s on an idle one)
SHOWN = 20  # a failed rebuild only validates (under a second on an idle machine)


def _project(tmp_path: Path) -> Path:
    project = copy_project(tmp_path / "project")
    cache = REPO / ".tfpub-cache" / "diagrams"
    if cache.is_dir():
        shutil.copytree(cache, project / ".tfpub-cache" / "diagrams")
    return project


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


@contextmanager
def _served(project: Path, log: Path):
    """``tfpub serve`` on a free port until the page of ACTOR answers; yields the base URL."""
    port = free_port()
    with open(log, "w", encoding="utf-8") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "-a", f"127.0.0.1:{port}"],
            cwd=project, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + UP
            while "md-nav" not in (_get(base + ACTOR) or ""):
                assert server.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8")
                time.sleep(0.5)
            yield base
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems_shown(page, timeout: float) -> list[str]:
    """The problem lines of the error page, once the open page shows it (it reloads by itself)."""
    page.wait_for_selector("ol.tfpub-problems li", timeout=timeout * 1000)
    return [li.inner_text() for li in page.query_selector_all("ol.tfpub-problems li")]


def test_a_broken_spec_shows_in_the_open_page_and_the_fix_brings_the_page_back(tmp_path):
    require_browser()
    project = _project(tmp_path)
    log = tmp_path / "serve.log"
    actor = project / "specs/ITI/actors/time-client.yaml"
    profile = project / "specs/ITI/profiles/CT.yaml"
    good_actor, good_profile = actor.read_text(encoding="utf-8"), profile.read_text(encoding="utf-8")
    shown = []
    with _served(project, log) as base, browser_page() as page:
        page.goto(base + ACTOR)
        assert page.title().startswith("Time Client")

        # A YAML syntax error: the open page reloads into the error page, naming file:line:col.
        actor.write_text(good_actor + "oops: [unclosed\n", encoding="utf-8")
        start = time.monotonic()
        lines = _problems_shown(page, SHOWN)
        shown.append(time.monotonic() - start)
        assert len(lines) == 1 and LINE.match(lines[0]), lines
        assert lines[0].startswith(f"specs/ITI/actors/time-client.yaml:{good_actor.count(chr(10)) + 2}:1: error: ")
        assert lines[0].endswith("[yaml-syntax]"), lines[0]
        assert "the '[' at line 7, column 7 is not closed" in lines[0]  # the loader's words, shown as text (the escaping of markup is checked below)
        assert "[yaml-syntax]" in lines[0]

        # Every page answers at once with it while the specs are broken, even one the site lacks.
        for path in ("", "ITI/", "guide/reading/", "no-such-page/"):
            start = time.monotonic()
            with urllib.request.urlopen(base + path, timeout=10) as response:
                body = response.read().decode("utf-8")
            assert time.monotonic() - start < 5, path
            assert response.status == 200 and "ol class=\"tfpub-problems\"" in body and "livereload(" in body, path
            assert 'rel="stylesheet"' not in body and "<script src" not in body, path  # self-contained: it cannot fail on the theme

        # The fix: the error page reloads into the real page.
        actor.write_text(good_actor, encoding="utf-8")
        page.wait_for_selector("nav.md-nav--primary", timeout=REBUILD * 1000)
        assert page.title().startswith("Time Client")

        # A reference error whose text is HTML: shown escaped, nothing runs.
        _edit(profile, "[[actor:time-client]]", "[[actor:<img src=x onerror=alert(1)>]]")
        start = time.monotonic()
        lines = _problems_shown(page, SHOWN)
        shown.append(time.monotonic() - start)
        assert lines == [lines[0]] and LINE.match(lines[0]), lines
        assert lines[0].startswith("specs/ITI/profiles/CT.yaml:")
        assert lines[0].endswith("error: reference [[actor:<img src=x onerror=alert(1)>]] names no actor [unresolved-reference]")
        assert page.query_selector("ol.tfpub-problems img") is None

        profile.write_text(good_profile, encoding="utf-8")
        page.wait_for_selector("nav.md-nav--primary", timeout=REBUILD * 1000)
        assert page.title().startswith("Time Client")
        assert page.problems == [], page.problems  # no dialog opened, no script error
    output = log.read_text(encoding="utf-8")
    assert "Traceback" not in output, output
    # The terminal lists each problem, once per failed rebuild.
    assert output.count("[yaml-syntax]") == 1, output
    assert output.count("names no actor [unresolved-reference]") == 1, output
    assert output.count("the preview shows these problems on every page until they are fixed") == 2, output
    print("error page shown after", [f"{s:.2f} s" for s in shown])


def test_specs_broken_at_the_start_serve_the_error_page_until_fixed(tmp_path):
    project = _project(tmp_path)
    log = tmp_path / "serve.log"
    actor = project / "specs/ITI/actors/time-client.yaml"
    good = actor.read_text(encoding="utf-8")
    actor.write_text(good + "oops: [unclosed\n", encoding="utf-8")
    port = free_port()
    with open(log, "w", encoding="utf-8") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "-a", f"127.0.0.1:{port}"],
            cwd=project, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            deadline = time.monotonic() + UP
            while "tfpub-problems" not in (_get(f"http://127.0.0.1:{port}/{ACTOR}") or ""):
                assert server.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8")
                time.sleep(0.5)
            actor.write_text(good, encoding="utf-8")
            deadline = time.monotonic() + UP
            while "md-nav" not in (_get(f"http://127.0.0.1:{port}/{ACTOR}") or ""):
                assert server.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8")
                time.sleep(0.5)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    output = log.read_text(encoding="utf-8")
    assert "Traceback" not in output and output.count("[yaml-syntax]") == 1, output


NAV_PAGES = ("", ACTOR, "ITI/actors/time-server/", "ITI/volume-1/CT/", "guide/reading/")


def _navigation(page, url: str) -> str:
    page.goto(url)
    return page.locator("nav.md-nav--primary").first.evaluate("n => n.outerHTML")


def test_the_navigation_after_several_rebuilds_equals_a_fresh_builds(tmp_path):
    require_browser()
    project = _project(tmp_path)
    actor = project / "specs/ITI/actors/time-client.yaml"
    with _served(project, tmp_path / "serve.log") as base, browser_page() as page:
        for n in (1, 2, 3):
            _edit(actor, "name: Time Client" + (f" {n - 1}" if n > 1 else ""), f"name: Time Client {n}")
            deadline = time.monotonic() + REBUILD
            while f"Time Client {n}" not in (_get(base + ACTOR) or ""):
                assert time.monotonic() < deadline, f"edit {n} was not served"
                time.sleep(0.5)
        served = {path: _navigation(page, base + path) for path in NAV_PAGES}
    built = tmp_path / "site"
    result = tfpub("build", "-d", str(built), cwd=project)
    assert result.returncode == 0, result.stderr
    with serve(built) as fresh, browser_page() as page:
        expected = {path: _navigation(page, fresh + path) for path in NAV_PAGES}
    for path in NAV_PAGES:
        assert "Reading this framework" in served[path] and ">None<" not in served[path].replace(" ", "").replace("\n", "")
        assert served[path] == expected[path], path
