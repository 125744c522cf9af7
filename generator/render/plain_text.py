"""Names and titles from the specs, written so that they stay plain text on the site.

A name (an actor's, a profile's, a use case's title, a glossary term) is data. The
generated pages are Markdown with HTML in it, so a name that reached them as it is
would be parsed: ``[more](javascript:...)`` would become a link,
``![i](x.png){: onerror=...}`` an image with a handler (attr_list), ``<script>`` an
element. :func:`inline` writes a name so that neither Markdown nor HTML sees
anything in it: HTML's own characters are escaped, and every character that could
start Markdown or attr_list syntax is written as a numeric character reference,
which Markdown leaves alone and a browser shows as the character. References work the
same in a Markdown paragraph, a heading, a raw HTML block and an attribute value, so
one form fits every place a template puts a name.

The page templates apply :func:`finalize` to every value they print that is not
already HTML (``Markup``), so names are escaped in packaged and overriding templates
alike, without a filter anyone could forget.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# Start inline Markdown or extension syntax anywhere in a line: emphasis (*), code (`),
# escapes (\\), attr_list ({ }), tables (|), strike and caret (~ ^ in pymdownx), heading
# closers (trailing #), "==" (mark). HTML's < > & " ' are escaped as HTML. Brackets are common in names
# ("Registry Stored Query [ITI-18]") and make a link or image only as "](", "][" or a
# footnote "[^", so only those are written as references; "!" is harmless once they are.
# Block syntax ("- ", "1. ", "> ") counts only at the start of a line, and no template
# starts a line with a name; at worst it would be formatting, never markup.
_ANYWHERE = set("\\`*{}|~^")
_WORD = re.compile(r"\w")
_SPACES = re.compile(r"\s+")


def _ref(ch: str) -> str:
    return f"&#{ord(ch)};"


def _link_syntax(flat: str, i: int) -> bool:
    """Whether the bracket at ``i`` would make a link, image or footnote: "](", "] (", "][", "] [", "]:", "[^"."""
    if flat[i] == "[":
        return flat[i + 1 : i + 2] == "^"
    after = flat[i + 1 : i + 3].lstrip(" ")
    return after[:1] in ("(", "[", ":")


def inline(text: str) -> Markup:
    """``text`` as one line of plain text for a Markdown page (heading, paragraph, HTML or attribute).

    Line breaks and runs of white space become one space: a name is one line, and a
    line break in it could otherwise end a heading or a raw HTML block and start Markdown.
    """
    flat = _SPACES.sub(" ", str(text)).strip()
    out: list[str] = []
    for i, ch in enumerate(flat):
        if ch in "&<>\"'":
            out.append(str(escape(ch)))  # markupsafe's forms, as the templates' autoescape writes them
        elif (
            ch in _ANYWHERE
            or (ch in "[]" and _link_syntax(flat, i))
            or (ch == "=" and "==" in flat[max(i - 1, 0) : i + 2])
            or (ch == "#" and not flat[i:].strip("# "))  # a heading's closing hashes, which Markdown drops
        ):
            out.append(_ref(ch))
        elif ch == "_" and not (0 < i < len(flat) - 1 and _WORD.match(flat[i - 1]) and _WORD.match(flat[i + 1])):
            # Inside a word (an anchor such as "on_demand") "_" is no emphasis; elsewhere it may be.
            out.append(_ref(ch))
        else:
            out.append(ch)
    return Markup("".join(out))


def finalize(value):
    """Jinja ``finalize``: plain strings printed by a template are names, so they are written as :func:`inline`.

    HTML the views prepared is ``Markup`` and passes unchanged; numbers and other
    values are printed as Jinja prints them.
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        return inline(value)
    return value


def html_text(text: str) -> str:
    """``text`` as HTML text, for places that print HTML and parse no Markdown (navigation titles, ``<title>``)."""
    return str(escape(_SPACES.sub(" ", str(text)).strip()))
