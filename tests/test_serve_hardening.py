"""tfpub serve under bad requests and a taken port: a clear answer, never a traceback or a hang."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from sitebuild import copy_project, free_port


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code
    except OSError:
        return None


def test_a_malformed_url_gets_400_and_the_server_goes_on(tmp_path):
    project = copy_project(tmp_path / "project")
    port = free_port()
    log = open(tmp_path / "serve.log", "w+", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 150
        while _status(f"{base}/ITI/actors/time-client/") != 200:
            assert time.monotonic() < deadline and server.poll() is None, "the preview did not come up"
            time.sleep(0.5)
        for path in ("/ITI/%00/", "/%00", "/ITI/actors/time-client/index.html%00.png", "/a%0Ab/", "/%ff%fe/"):
            assert _status(base + path) == 400, path
        assert _status(f"{base}/ITI/actors/time-client/") == 200  # still serving
        assert _status(f"{base}/no-such-page/") == 404
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.seek(0)
        output = log.read()
        log.close()
    assert "Traceback" not in output and "500 Internal Server Error" not in output, output


def test_a_port_in_use_is_one_line_that_names_the_fix_before_any_build(tmp_path):
    project = copy_project(tmp_path / "project")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "generator", "serve", "-a", f"127.0.0.1:{port}"],
            cwd=project, capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # nothing was built first: no mkdocs output at all
    assert lines[0].startswith(f"tfpub serve: error: port {port} on 127.0.0.1 is in use; pass --dev-addr 127.0.0.1:")
    assert lines[0].endswith(" or stop the other server")
    suggested = int(lines[0].split("--dev-addr 127.0.0.1:")[1].split()[0])
    assert suggested != port
    assert not (project / "site").exists()


def test_a_malformed_address_is_a_usage_error(tmp_path):
    project = copy_project(tmp_path / "project")
    result = subprocess.run([sys.executable, "-m", "generator", "serve", "-a", "127.0.0.1:http"], cwd=project, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "give HOST:PORT" in result.stderr
