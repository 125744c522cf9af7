"""Writing text from YAML into PlantUML source so that it stays text.

A name or a step in a spec is data: it must never become PlantUML syntax (a new line,
a preprocessor call such as ``%getenv()``, a link ``[[...]]``, an image ``<img:...>``)
nor Creole markup (``**bold**``, ``<b>``, ``--strike--``). PlantUML decodes
``<U+XXXX>`` only after it has parsed the line and its markup, so every character that
could mean something is written that way; plain letters, digits and the common
punctuation of names stay readable.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from urllib.parse import quote

# Characters that never start syntax or markup on their own.
_SAFE_ASCII = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:()?!'")
# Safe alone, markup when doubled or next to a partner: "--" strike, "//" italic, "/'" comment.
# Single brackets are plain text ("[ITI-18]"); "[[" starts a link.
_PAIR_SENSITIVE = {"-": "-", "/": "/'", "'": "/", "[": "[", "]": "]"}


def _code(ch: str) -> str:
    return f"<U+{ord(ch):04X}>"


def text(value: str, *, in_link: bool = False) -> str:
    """``value`` as literal PlantUML label text, on one line.

    ``in_link``: the text is the label of a ``[[url label]]`` link, where any bracket
    would end the link, so all brackets are escaped.
    """
    value = " ".join(value.split())  # every kind of line break and tab becomes one space
    out = []
    for i, ch in enumerate(value):
        prev = value[i - 1] if i else ""
        nxt = value[i + 1] if i + 1 < len(value) else ""
        if in_link and ch in "[]":
            out.append(_code(ch))
        elif ch in _PAIR_SENSITIVE:
            partners = _PAIR_SENSITIVE[ch]
            out.append(_code(ch) if (prev and prev in partners) or (nxt and nxt in partners) else ch)
        elif ch in _SAFE_ASCII:
            out.append(ch)
        elif ord(ch) > 127 and unicodedata.category(ch)[0] in "LNPS" and unicodedata.category(ch) not in {"Sm"}:
            out.append(ch)  # letters and punctuation of other scripts: no PlantUML meaning
        elif unicodedata.category(ch)[0] in "CZ":
            out.append(" ")  # control, format and separator characters
        else:
            out.append(_code(ch))
    return "".join(out)


def lines(value: str, width: int = 0) -> str:
    """``value`` as label text, wrapped at ``width`` characters into ``\\n``-separated lines."""
    if width <= 0:
        return text(value)
    return "\\n".join(text(line) for line in textwrap.wrap(" ".join(value.split()), width) or [""])


def url(value: str) -> str:
    """A relative URL made safe for ``[[url label]]``: no spaces, brackets or quotes."""
    return quote(value, safe="/#.-_")


def link(target: str, label: str) -> str:
    """A Creole link ``[[target label]]`` whose label is literal text."""
    return f"[[{url(target)} {text(label, in_link=True)}]]"


_ALIAS_RE = re.compile(r"[^A-Za-z0-9_]")


def alias(prefix: str, value: str) -> str:
    """A PlantUML identifier derived from an id: letters, digits and '_' only."""
    return prefix + _ALIAS_RE.sub("_", value)
