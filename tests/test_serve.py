"""tfpub serve: the preview rebuilds when a YAML spec changes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from sitebuild import REPO, copy_project, free_port


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_editing_a_spec_updates_the_preview(tmp_path):
    project = copy_project(tmp_path / "project")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/ITI/actors/time-client/"
    try:
        assert _wait_for(lambda: "Time Client" in (_get(url) or ""), 120), "the preview did not come up"
        spec = project / "specs/ITI/actors/time-client.yaml"
        spec.write_text(spec.read_text(encoding="utf-8").replace("name: Time Client", "name: Time Keeper Client"), encoding="utf-8")
        assert _wait_for(lambda: "Time Keeper Client" in (_get(url) or ""), 120), "the preview did not pick up the change"

        # A template is an input of every page: overriding one re-renders pages whose data did not change.
        override = project / "specs/templates"
        override.mkdir()
        original = (REPO / "templates/actor.md.j2").read_text(encoding="utf-8")
        (override / "actor.md.j2").write_text(original + "\n<p>TEMPLATE-OVERRIDE-MARKER</p>\n", encoding="utf-8")
        other = f"http://127.0.0.1:{port}/ITI/actors/time-server/"
        assert _wait_for(lambda: "TEMPLATE-OVERRIDE-MARKER" in (_get(other) or ""), 120), "the preview ignored the template"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
