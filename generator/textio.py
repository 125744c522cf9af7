"""Standard streams that carry UTF-8 whatever the locale.

Under ``LC_ALL=POSIX`` (CI runners, containers, cron) Python's stdout and stderr
are ASCII, so printing a problem about ``Zeitgeber → Uhr`` would end the run in a
UnicodeEncodeError instead of a message. Every file tfpub reads or writes names
``encoding="utf-8"`` itself; this does the same for the two streams it prints on.
"""

from __future__ import annotations

import io
import sys


def utf8_stdio(errors: str = "backslashreplace") -> None:
    """Make sys.stdout and sys.stderr write UTF-8.

    ``errors`` applies to text that is not encodable at all (a lone surrogate in a
    file name): backslashreplace keeps such text visible instead of raising.
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors=errors)
