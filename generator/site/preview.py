"""``tfpub serve``: the page the preview shows while the specs are broken, and what it remembers.

mkdocs' live-reload server, left to itself, hurts an editor whose spec is broken:
a rebuild that raises leaves the epoch it wanted ahead of the one it shows, and
every page request waits for the two to meet, so the browser hangs until the
file is fixed, the open page never learns of the problem, and the terminal
shows a traceback. Here a failed build is caught (:func:`tolerant`): its
problems are remembered and the build returns, so the server publishes a new
epoch (open pages reload) and every page request is answered at once with the
error page (:func:`install`) until a build succeeds, which publishes another
epoch, and the error page (which carries mkdocs' live-reload script) reloads
into the real page.

Why answer requests rather than write an error site: the last good site stays
on disk untouched, so the dirty build after the fix renders only what changed
(fast); any page address, even one the broken build would not have, gets the
error page; and the theme's assets keep being served.

The state lives in this module, not in the mkdocs hook, because mkdocs loads
the hook file afresh for every build; this module is imported once.
"""

from __future__ import annotations

import html
import logging
import threading
from dataclasses import dataclass, field

from ..problems import Loc, Problem, Severity, format_text

log = logging.getLogger("mkdocs.tfpub")


@dataclass
class PreviewState:
    """What the preview knows across rebuilds."""

    problems: list[Problem] | None = None  # the last build's, while it failed; None once one succeeds
    pending: list[Problem] | None = None  # recorded by the hook during the build that is running
    titles: dict[str, dict[str, str | None]] = field(default_factory=dict)  # docs folder -> hand-written page -> title
    lock: threading.Lock = field(default_factory=threading.Lock)


STATE = PreviewState()


def record(problems: list[Problem]) -> None:
    """The hook found these problems in the build that is running (it then raises)."""
    STATE.pending = list(problems)


def tolerant(build):
    """``build`` (mkdocs' builder) that records a failure instead of raising it.

    mkdocs has already logged a build error's message (the problems, once); any
    other failure is logged here in one line. KeyboardInterrupt still stops the server."""
    if getattr(build, "tfpub_tolerant", False):
        return build

    def run(*args, **kwargs):
        # Cleared before, not after: tfpub serve wraps both mkdocs' build and the server's
        # builder around it, and the outer one must not forget what the inner one caught.
        # Page requests wait while a build runs, so none sees the cleared state early.
        with STATE.lock:
            STATE.problems = None
        STATE.pending = None
        try:
            build(*args, **kwargs)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - mkdocs' Abort is a SystemExit
            problems = STATE.pending or [_unexpected(exc)]
            if not STATE.pending:
                log.error(str(problems[0]))
            with STATE.lock:
                STATE.problems = problems
            log.error("the preview shows these problems on every page until they are fixed")
            return
        finally:
            STATE.pending = None

    run.tfpub_tolerant = True
    return run


def _unexpected(exc: BaseException) -> Problem:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return Problem(Loc("mkdocs.yml"), Severity.ERROR, f"mkdocs could not build the site: {text}", "site-build")


def is_page_request(path: str) -> bool:
    """A request for a page (not an asset, not the live-reload poll): it gets the error page."""
    if path.startswith("/livereload/"):
        return False
    last = path.rsplit("/", 1)[-1]
    return path.endswith(("/", ".html")) or "." not in last


def error_page(problems: list[Problem]) -> bytes:
    """The page shown for every page address while the specs have errors.

    Problem messages quote spec text, so everything is escaped. Self-contained
    (no theme assets) so that it cannot itself fail to render."""
    items = "\n".join(
        f'<li class="{p.severity.value}"><code>{html.escape(str(p))}</code></li>' for p in sorted(problems, key=Problem.sort_key)
    )
    errors = sum(p.is_error for p in problems)
    summary = html.escape(format_text(problems).splitlines()[-1]) if problems else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="tfpub-problems" content="{errors}">
<link rel="icon" href="data:,">
<title>The specs have errors - tfpub serve</title>
<style>
:root {{ color-scheme: light dark; }}
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }}
h1 {{ font-size: 1.5rem; }}
ol {{ padding-left: 1.5rem; }}
li {{ margin: .5rem 0; }}
code {{ font: .95rem/1.4 ui-monospace, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }}
li.error code {{ color: #a00; }}
@media (prefers-color-scheme: dark) {{ li.error code {{ color: #ff8a80; }} }}
</style>
</head>
<body>
<main>
<h1>The specs have errors; the site was not rebuilt</h1>
<p>Fix these and save: this page reloads by itself. The terminal running <code>tfpub serve</code> lists them too.</p>
<ol class="tfpub-problems">
{items}
</ol>
<p>{summary}</p>
</main>
</body>
</html>
""".encode("utf-8")


def install(server):
    """Make mkdocs' ``LiveReloadServer`` survive failed builds and show them (see the module docstring)."""
    server.builder = tolerant(server.builder)
    app = server.get_app()

    def serve(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not is_page_request(path):
            return app(environ, start_response)
        # Wait out a running build, as mkdocs does, so a page asked for during a failing
        # build gets the error page and the epoch after it (not the stale page).
        with server._epoch_cond:
            server._epoch_cond.wait_for(lambda: server._visible_epoch == server._wanted_epoch)
            epoch = server._visible_epoch
            problems = STATE.problems
        if problems is None:
            return app(environ, start_response)
        body = server._inject_js_into_html(error_page(problems), epoch)
        start_response(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")],
        )
        return [body]

    server.set_app(serve)
    return server
