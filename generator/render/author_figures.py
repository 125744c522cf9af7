"""Numbers for the figures and tables authors caption in narrative, and the text of references to them.

Narrative is rendered field by field, but IHE numbers figures and tables by the
section they stand in (``Figure 10.4.2-1``, ``Table 3.18.4.1.2-2``), counting every
figure of that section, the publisher's own included. So narrative leaves markers
(:data:`NUMBER` in a caption, :data:`REFERENCE` in a reference's link text, and the
diagram placeholder ``<!--tfpub-diagram:KEY@fig-id-->``) and this pass, run on a
whole rendered page, gives each id the next number its section has free (the
numbers the page's own figures and tables take are skipped), then writes the
numbers in. It works on the page's Markdown as the templates wrote it, before or
after the diagrams are drawn, so the site, the Word document and the supplement
number alike.
"""

from __future__ import annotations

import re

NUMBER = "\u2063N:{id}\u2063"
REFERENCE = "\u2063R:{kind}:{id}\u2063"
_NUMBER_RE = re.compile("\u2063N:((?:fig|tab)-[a-z0-9-]+)\u2063")
_REFERENCE_RE = re.compile("\u2063R:(figure|table):((?:fig|tab)-[a-z0-9-]+)\u2063")
_PLACEHOLDER_RE = re.compile(r"<!--tfpub-diagram:[0-9A-Za-z_.-]+@(fig-[a-z0-9-]+)-->")
_HEADING_RE = re.compile(r"^#{1,6} ((?:\d+|XX|YY\d*)(?:\.(?:\d+|YY\d*|XX))*)\s")
_MARK_RE = re.compile(_NUMBER_RE.pattern + "|" + _PLACEHOLDER_RE.pattern)
WORDS = {"figure": "Figure", "table": "Table"}


def numbers(text: str, used: set[str] = frozenset()) -> dict[str, str]:
    """Each captioned id of the page ``text`` -> its number, by the numbered heading above it."""
    section, out = "", {}
    used = set(used)
    for line in text.splitlines():
        m = _HEADING_RE.match(line)
        if m:
            section = m.group(1)
            continue
        for mark in _MARK_RE.finditer(line):
            fid = mark.group(1) or mark.group(2)
            if fid in out:
                continue
            kind = "figure" if fid.startswith("fig-") else "table"
            n = 1
            while f"{kind}:{section}-{n}" in used:
                n += 1
            number = f"{section}-{n}" if section else str(n)
            used.add(f"{kind}:{number}")
            out[fid] = number
    return out


def apply(text: str, found: dict[str, str]) -> str:
    """``text`` with the numbers written in: captions, and the text of references."""
    if "\u2063" not in text:
        return text
    text = _NUMBER_RE.sub(lambda m: found.get(m.group(1), "?"), text)
    return _REFERENCE_RE.sub(lambda m: f"{WORDS[m.group(1)]} {found[m.group(2)]}" if m.group(2) in found else m.group(2), text)


def number_page(text: str, used: set[str] = frozenset()) -> str:
    """The rendered page ``text`` with its authors' figures and tables numbered; ``used``: the numbers
    the page's own figures and tables have (:func:`generator.render.figures.taken_numbers`)."""
    if "\u2063" not in text and "@fig-" not in text:
        return text
    return apply(text, numbers(text, used))


def caption(fid: str, text: str) -> str:
    """The caption of an author's figure or table, its number still a marker: "Figure ⁣N:fig-x⁣: text"."""
    word = "Figure" if fid.startswith("fig-") else "Table"
    return f"{word} {NUMBER.format(id=fid)}: {text}"
