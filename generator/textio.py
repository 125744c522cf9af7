"""Standard streams that carry UTF-8 whatever the locale.

Under ``LC_ALL=POSIX`` (CI runners, containers, cron) Python's stdout and stderr
are ASCII, so printing a problem about ``Zeitgeber → Uhr`` would end the run in a
UnicodeEncodeError instead of a message. Every file tfpub reads or writes names
``encoding="utf-8"`` itself; this does the same for the two streams it prints on.
"""

from __future__ import annotations

import codecs
import io
import sys

ERRORS = "tfpub-printable"


def _printable(exc: UnicodeError):
    """A path's undecodable bytes (surrogateescape, as a non-UTF-8 locale decodes file
    names) go out as the bytes they were; any other unencodable text (a lone surrogate)
    as a backslash escape. Never an exception: printing a message must not fail."""
    if isinstance(exc, UnicodeEncodeError):
        chunk = exc.object[exc.start : exc.end]
        if all("\udc80" <= c <= "\udcff" for c in chunk):
            return codecs.lookup_error("surrogateescape")(exc)
    return codecs.backslashreplace_errors(exc)


codecs.register_error(ERRORS, _printable)


def utf8_stdio(errors: str = ERRORS) -> None:
    """Make sys.stdout and sys.stderr write UTF-8 (``errors``: see :func:`_printable`)."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors=errors)
