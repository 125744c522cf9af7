"""``tfpub build`` and ``tfpub serve``: run mkdocs on the generated source, safely.

A build writes into a staging folder beside ``site/`` and swaps it in only when
everything succeeded, so a failed build never leaves a half-written site behind
and the previous site keeps working; the swap is atomic and a killed build's
leftovers are removed by the next one (generator/site/site_swap.py).
"""

from __future__ import annotations

import errno
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from ..problems import Problem
from . import site_swap

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # the notice is about mkdocs itself, not this site


@dataclass
class BuildResult:
    ok: bool
    problems: list[Problem]
    message: str = ""
    site_dir: Path | None = None


def _load_config(config_file: Path, site_dir: Path, specs: Path | None, strict: bool):
    from mkdocs.config import load_config

    config = load_config(config_file=str(config_file), site_dir=str(site_dir), strict=strict)
    if specs is not None:
        extra = dict(config.extra or {})
        own = dict(extra.get("tfpub", {}) or {})
        own["specs"] = str(specs.resolve())
        extra["tfpub"] = own
        config.extra = extra
    return config


def build_site(config_file: Path, specs: Path | None = None, site_dir: Path | None = None, *, strict: bool = True) -> BuildResult:
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    from .publish import publish

    config_file = config_file.resolve()
    base = config_file.parent
    target = (site_dir or base / "site").resolve()
    published = None
    with site_swap.staging(target) as tmp:
        try:
            config = _load_config(config_file, tmp, specs, strict)
            own = (config.extra or {}).get("tfpub", {}) or {}
            specs_path = Path(own.get("specs") or base / "specs")
            specs_path = specs_path if specs_path.is_absolute() else base / specs_path
            cache = Path(own.get("cache", ".tfpub-cache"))
            published = publish(specs_path, cache_dir=cache if cache.is_absolute() else base / cache, docs_dir=Path(config.docs_dir))
            if not published.ok:
                return BuildResult(False, published.problems, "the specs have errors; the previous site was left as it was")
            build(config)
        except (MkDocsException, SystemExit) as exc:
            return BuildResult(False, published.problems if published else [], f"mkdocs could not build the site: {exc}")
        site_swap.swap_in(tmp, target)
    return BuildResult(True, published.problems, "", target)


def build_with_engine(config_file: Path, engine: str, specs: Path | None = None, site_dir: Path | None = None, *, strict: bool = True) -> BuildResult:
    """Build with another mkdocs-compatible engine (site/engines.py) from the written site source.

    The same guarantees as :func:`build_site`: the engine writes into the staging folder,
    swapped in only when it succeeded."""
    from .engines import engine_missing, run_engine, write_source

    trouble = engine_missing(engine)
    if trouble:
        return BuildResult(False, [], trouble)
    config_file = config_file.resolve()
    target = (site_dir or config_file.parent / "site").resolve()
    with site_swap.staging(target) as tmp:
        # The source inside the staging folder (removed with it, even after a kill); engines such as
        # Zensical write only inside the project's folder, so the site is built there and moved.
        source = write_source(config_file, tmp.parent / "source", specs)
        if not source.ok:
            return BuildResult(False, source.problems, source.message)
        done = run_engine(engine, source, strict=strict)
        built = source.folder / "site"
        if done.returncode != 0 or not built.is_dir():
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-5:])
            return BuildResult(False, source.problems, f"{engine} could not build the site: {tail}")
        tmp.rmdir()
        built.rename(tmp)
        site_swap.swap_in(tmp, target)
    return BuildResult(True, source.problems, "", target)


class ServeError(Exception):
    """``tfpub serve`` cannot start; the message is one line that names the fix."""


def serve_site(config_file: Path, specs: Path | None, host: str, port: int) -> None:
    """mkdocs' live-reloading server; it rebuilds when a spec or template changes.

    The address is checked before the first build (which takes a while), so a port
    in use is a one-line :class:`ServeError`, not a traceback after a full build."""
    import mkdocs.commands.serve as mkdocs_serve

    from ..render.pages import default_templates_dir
    from ..validate import reuse_unchanged_files
    from .preview import tolerant
    from .publish import SERVE_DIRTY

    trouble = address_problem(host, port)
    if trouble:
        raise ServeError(trouble)
    watch = [str(default_templates_dir())]
    if specs is not None:
        os.environ["TFPUB_SPECS"] = str(specs.resolve())
        watch.append(str(specs.resolve()))
    # After an edit, mkdocs renders again only the pages whose generated Markdown changed
    # (the hook writes the source as files and touches only those; see publish.sync_source).
    os.environ[SERVE_DIRTY] = "1"
    reuse_unchanged_files()  # and files that did not change are not parsed again
    # Specs broken at the start are shown like a failed rebuild: the server starts with the
    # error page (site/preview.py) instead of exiting. mkdocs' serve calls its module's `build`.
    original = mkdocs_serve.build
    mkdocs_serve.build = tolerant(original)
    try:
        mkdocs_serve.serve(config_file=str(config_file.resolve()), livereload=True, build_type="dirty", dev_addr=f"{host}:{port}", watch=watch)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise ServeError(_in_use(host, port)) from None  # taken while the site was being built
    finally:
        mkdocs_serve.build = original


def address_problem(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be served on (one line naming the fix), or None.

    Binds a socket the way mkdocs' server will (IPv6 for an IPv6 literal, address reuse on)."""
    bare = host.strip("[]")
    family = socket.AF_INET6 if ":" in bare else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((bare, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return _in_use(host, port)
            reason = exc.strerror if getattr(exc, "strerror", None) else str(exc)
            return f"cannot serve on {host}:{port}: {reason}; pass --dev-addr with an address of this machine and a free port, e.g. 127.0.0.1:8000"
    return None


def _in_use(host: str, port: int) -> str:
    free = next((p for p in range(port + 1, min(port + 50, 65536)) if address_problem(host, p) is None), port + 1)
    return f"port {port} on {host} is in use; pass --dev-addr {host}:{free} or stop the other server"


def reject_malformed_requests(server):
    """Answer 400 to a request whose path cannot name a file (a NUL byte, control characters, bad UTF-8).

    mkdocs' server would pass such a path to open() and answer 500 with a traceback
    in the log. Installed by the mkdocs hook's ``on_serve``."""
    app = server.get_app()

    def guarded(environ, start_response):
        raw = environ.get("PATH_INFO", "")
        try:
            path = raw.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            path = None
        if path is None or any(ord(c) < 32 or ord(c) == 127 for c in path):
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"400 Bad Request: the path is not a valid file name\n"]
        return app(environ, start_response)

    server.set_app(guarded)
    return server
