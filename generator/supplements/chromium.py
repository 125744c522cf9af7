"""Printing a page to PDF with headless Chromium, driven over the DevTools protocol on a pipe.

Why not ``chromium --print-to-pdf``: the command line cannot set the running
header and footer (it prints Chromium's own date, URL and "1/12", or nothing with
``--no-pdf-header-footer``), and CSS ``@page`` margin boxes, where a page number
would otherwise go, are not supported by Chromium. ``Page.printToPDF`` takes
header and footer templates with the page number and page count, so the
supplement gets IHE's running header and "Page n of m" footer.

Why not Playwright: it would be a build-time dependency with its own browser
download. The protocol is JSON messages, NUL-terminated, on file descriptors 3
(to Chromium) and 4 (from it) when Chromium runs with ``--remote-debugging-pipe``;
the few calls a print needs are written here with the standard library only.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


class ProtocolError(Exception):
    pass


@dataclass
class PrintOptions:
    """What ``Page.printToPDF`` is asked for; the page size and margins come from the page's CSS ``@page``."""

    header: str = ""  # HTML template; spans of class pageNumber, totalPages are filled in per page
    footer: str = ""
    extra: dict = field(default_factory=dict)

    def params(self) -> dict:
        params = {
            "printBackground": True,
            "preferCSSPageSize": True,
            "displayHeaderFooter": bool(self.header or self.footer),
            "headerTemplate": self.header or "<span></span>",
            "footerTemplate": self.footer or "<span></span>",
            "generateDocumentOutline": True,  # PDF bookmarks from the headings
            "transferMode": "ReturnAsBase64",
        }
        params.update(self.extra)
        return params


class _Pipe:
    """One DevTools session over Chromium's pipe: send a command, wait for its answer or an event."""

    def __init__(self, proc: subprocess.Popen, to_browser: int, from_browser: int, deadline: float):
        self.proc, self.out, self.inp, self.deadline = proc, to_browser, from_browser, deadline
        self.buffer = b""
        self.events: list[dict] = []
        self.next_id = 0

    def _message(self) -> dict:
        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise ProtocolError("timed out")
            ready, _, _ = select.select([self.inp], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.inp, 1 << 20)
            if not chunk:
                raise ProtocolError(f"Chromium closed the connection (exit {self.proc.poll()})")
            self.buffer += chunk
        raw, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.out, data):]
        while True:
            reply = self._message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise ProtocolError(f"{method}: {reply['error'].get('message', reply['error'])}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict:
        while True:
            for i, event in enumerate(self.events):
                if event["method"] == method and event.get("sessionId") == session:
                    return self.events.pop(i)
            self.events.append(self._message())


def print_to_pdf(browser: str, page: Path, profile: Path, options: PrintOptions, *, timeout: float) -> bytes:
    """The PDF of ``page`` (a local HTML file) as printed by ``browser``. Raises ProtocolError or OSError."""
    to_chromium_r, to_chromium_w = os.pipe()
    from_chromium_r, from_chromium_w = os.pipe()

    def wire() -> None:  # in the child: the pipe's ends at the descriptors Chromium reads and writes
        reads, writes = fcntl.fcntl(to_chromium_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_chromium_w, fcntl.F_DUPFD, 10)  # out of 3 and 4's way first
        os.dup2(reads, 3)
        os.dup2(writes, 4)

    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--remote-debugging-pipe",
        f"--user-data-dir={profile}",
        "about:blank",
    ]
    log = open(profile.parent / "chromium.log", "wb")  # a file, not a pipe: nobody reads Chromium's chatter while it prints
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=wire, close_fds=False)  # Python's own descriptors are close-on-exec; 3 and 4 must stay open
    os.close(to_chromium_r)
    os.close(from_chromium_w)
    try:
        pipe = _Pipe(proc, to_chromium_w, from_chromium_r, time.monotonic() + timeout)
        target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        pipe.call("Page.enable", session=session)
        pipe.call("Page.navigate", {"url": page.as_uri()}, session=session)
        pipe.wait_for("Page.loadEventFired", session)
        result = pipe.call("Page.printToPDF", options.params(), session=session)
        try:
            pipe.call("Browser.close")
        except ProtocolError:
            pass  # closing may cut the answer off
        return base64.b64decode(result["data"])
    finally:
        for fd in (to_chromium_w, from_chromium_r):
            os.close(fd)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def log_tail(profile: Path, lines: int = 3) -> str:
    """The last lines Chromium wrote, for an error message."""
    try:
        text = (profile.parent / "chromium.log").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return " ".join(text.strip().splitlines()[-lines:])
