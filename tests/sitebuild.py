"""Build the example site once per test session, with the real CLI, for the publishing tests."""

from __future__ import annotations

import functools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from example import EXAMPLE, EXAMPLE_SPECS

REPO = Path(__file__).resolve().parents[1]
SPECS = EXAMPLE_SPECS  # the committed example, never the live specs/ (example.py)


def tfpub(*args: str, cwd: Path = EXAMPLE, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run the real command line, as an editor would."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=timeout, env=full_env
    )


@functools.lru_cache(maxsize=None)
def example_site() -> Path:
    """The example framework built into a temporary folder (shared by all tests of the session)."""
    dest = Path(tempfile.mkdtemp(prefix="tfpub-example-site-")) / "site"
    result = tfpub("build", "-d", str(dest), cwd=EXAMPLE)
    assert result.returncode == 0, result.stderr
    return dest


def copy_project(dest: Path) -> Path:
    """A throw-away copy of the project's inputs (specs, docs, mkdocs.yml) to build and break."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SPECS, dest / "specs")
    shutil.copytree(EXAMPLE / "docs", dest / "docs")
    shutil.copy(EXAMPLE / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(EXAMPLE / "generator", dest / "generator", symlinks=True)  # the hook and the schema lines' target
    return dest


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(root: Path):
    """Serve a folder on localhost for the browser tests; yields the base URL."""
    handler = partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass
