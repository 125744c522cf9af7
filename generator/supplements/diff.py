"""Change markup: what an amended section looked like, and what it becomes, in one view.

IHE marks additions **bold underlined** and removals ~~struck through~~; here they
are ``<ins>`` and ``<del>`` (styled that way). Narrative HTML is compared word by
word; tables are compared row by row, rows being matched on their identifying
cells (actor and transaction, say) so that a changed optionality shows as one row
with one changed cell rather than a removed row and an added one.

:func:`merge` does this for a whole page context (the values a view hands to a
template), so the amended page is rendered by the very template of the volume.
:func:`accept` takes the markup back out: accepting every change gives the new text.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from markupsafe import Markup

from ..render.tables import Cell, Table
from ..render.views import Figure, Section
from .figures import has_replacement, replaced, replaced_diagrams

_TOKEN = re.compile(r"<[^>]*>|\s+|&#?\w+;|\w+|[^<\s\w]")  # tags, spaces, entities, words, single punctuation


def _tokens(html: str) -> list[str]:
    return _TOKEN.findall(html)


def _wrap(tag: str, tokens: list[str], keep_tags: bool) -> str:
    """Wrap each run of text between tags in <ins> or <del>; tags are kept (added text) or dropped (removed text)."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        text = "".join(run)
        run.clear()
        if not text.strip():
            out.append(text if keep_tags else "")
            return
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()) :]
        out.append(f"{lead}<{tag}>{text.strip()}</{tag}>{trail}")

    for t in tokens:
        if t.startswith("<"):
            flush()
            if keep_tags:
                out.append(t)
        else:
            run.append(t)
    flush()
    return "".join(out)


def word_diff(old: str, new: str) -> Markup:
    """``new`` with the words ``old`` had and it lacks struck through, and its own new words underlined."""
    old, new = str(old or ""), str(new or "")
    if old == new:
        return Markup(new)
    a, b = _tokens(old), _tokens(new)
    out: list[str] = []
    # Line breaks and spaces are the same to a reader: compare with every run of white space as one space.
    norm_a, norm_b = ([" " if t.isspace() else t for t in x] for x in (a, b))
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, norm_a, norm_b, autojunk=False).get_opcodes():
        if tag == "equal":
            out += b[j1:j2]
            continue
        if tag in ("delete", "replace"):
            out.append(_wrap("del", a[i1:i2], keep_tags=False))
        if tag in ("insert", "replace"):
            out.append(_wrap("ins", b[j1:j2], keep_tags=True))
    return Markup("".join(out))


def inserted(html: str) -> Markup:
    return Markup(_wrap("ins", _tokens(str(html)), keep_tags=True)) if str(html).strip() else Markup(html)


def deleted(html: str) -> Markup:
    return Markup(_wrap("del", _tokens(str(html)), keep_tags=True)) if str(html).strip() else Markup(html)


_DEL = re.compile(r"<del>.*?</del>", re.S)
_INS = re.compile(r"</?ins>")


def accept(html: str) -> str:
    """Every change accepted: removed text goes, added text stays, without markup."""
    return _INS.sub("", _DEL.sub("", str(html)))


def has_changes(html: str) -> bool:
    return "<ins>" in html or "<del>" in html or has_replacement(html)


# --------------------------------------------------------------------------- tables


class DiffTable(Table):
    """A table with its rows marked: ``status[i]`` is 'same', 'changed', 'added' or 'removed'."""

    status: list[str]

    def accepted_rows(self) -> list[list[str]]:
        """The rows the table has once every change is accepted, as cell HTML."""
        return [[accept(c.html) for c in row] for row, s in zip(self.rows, self.status) if s != "removed"]


def _values(row: list[Cell]) -> tuple[str, ...]:
    return tuple(str(c.html) for c in row)


def _span_column(*tables: Table) -> int | None:
    for t in tables:
        for row in t.rows:
            for i, c in enumerate(row):
                if c.covered or c.rowspan > 1:
                    return i
    return None


def table_diff(old: Table, new: Table) -> DiffTable:
    """``new`` with rows added, removed and changed since ``old`` marked, row by row and cell by cell."""
    a, b = [_values(r) for r in old.rows], [_values(r) for r in new.rows]
    rows: list[tuple[str, list[str], list[str] | None]] = []  # (status, values, old values)
    ident = min(2, len(new.headings) - 1) or 1  # cells that identify a row: actor and transaction, say
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [("same", list(v), None) for v in b[j1:j2]]
            continue
        olds, news = a[i1:i2], b[j1:j2]
        keys_a, keys_b = [v[:ident] for v in olds], [v[:ident] for v in news]
        for t2, k1, k2, l1, l2 in SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes():
            if t2 == "equal":
                rows += [("changed", list(news[l1 + n]), list(olds[k1 + n])) for n in range(k2 - k1)]
                continue
            rows += [("removed", list(v), None) for v in olds[k1:k2]]
            rows += [("added", list(v), None) for v in news[l1:l2]]
    span = _span_column(old, new)
    # The spanning column (the actor) is marked as a whole: added only if all its rows are added.
    groups: list[tuple[int, int]] = []
    if span is not None:
        start = 0
        while start < len(rows):
            end = start + 1
            while end < len(rows) and rows[end][1][span] == rows[start][1][span]:
                end += 1
            groups.append((start, end))
            start = end
    out_rows: list[list[Cell]] = []
    for status, values, before in rows:
        cells = []
        for i, v in enumerate(values):
            if i == span:
                cells.append(Cell(v))
            elif status == "added":
                cells.append(Cell(inserted(v)))
            elif status == "removed":
                cells.append(Cell(deleted(v)))
            elif status == "changed":
                cells.append(Cell(word_diff(before[i], v) if i < len(before) else inserted(v)))
            else:
                cells.append(Cell(v))
        out_rows.append(cells)
    for start, end in groups:
        kinds = {rows[k][0] for k in range(start, end)}
        value = rows[start][1][span]
        if kinds == {"added"}:
            value = inserted(value)
        elif kinds == {"removed"}:
            value = deleted(value)
        out_rows[start][span] = Cell(value, rowspan=end - start)
        for k in range(start + 1, end):
            out_rows[k][span] = Cell(value, covered=True)
    result = DiffTable(new.anchor, new.number, new.title, list(new.headings), out_rows, _notes_diff(old.notes, new.notes), list(new.note_labels))
    result.status = [r[0] for r in rows]
    return result


def _notes_diff(old: list[str], new: list[str]) -> list[str]:
    """The new notes, added ones underlined and changed ones marked; removed notes are not listed (numbers follow the new table)."""
    out: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            out += new[j1:j2]
        elif tag == "insert":
            out += [inserted(n) for n in new[j1:j2]]
        elif tag == "replace":
            for k, n in enumerate(new[j1:j2]):
                out.append(word_diff(old[i1 + k], n) if i1 + k < i2 else inserted(n))
    return out


# --------------------------------------------------------------------------- whole page contexts


def _merge_sections(old: list[Section], new: list[Section]) -> list[Section]:
    by_anchor = {s.anchor: s for s in old if isinstance(s, Section)}
    out = []
    for s in new:
        before = by_anchor.get(s.anchor)
        if before is None:
            out.append(Section(s.number, s.anchor, s.title, inserted(s.body), {k: _mark_new(v) for k, v in s.extra.items()}))
        else:
            out.append(Section(s.number, s.anchor, s.title, merge(before.body, s.body), {k: merge(before.extra.get(k), v) for k, v in s.extra.items()}))
    return out


def _mark_new(value):
    if isinstance(value, str):
        return inserted(value)
    if isinstance(value, list):
        return [_mark_new(v) for v in value]
    return value


def _merge_list(old: list, new: list) -> list:
    if any(isinstance(v, Section) for v in new):
        return _merge_sections(old, new)
    if not all(isinstance(v, str) for v in list(old) + list(new)):
        return new
    out: list = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, [str(v) for v in old], [str(v) for v in new], autojunk=False).get_opcodes():
        if tag == "equal":
            out += new[j1:j2]
        elif tag == "delete":
            out += [deleted(v) for v in old[i1:i2]]
        elif tag == "insert":
            out += [inserted(v) for v in new[j1:j2]]
        else:
            pairs = max(i2 - i1, j2 - j1)
            for k in range(pairs):
                o = old[i1 + k] if i1 + k < i2 else None
                n = new[j1 + k] if j1 + k < j2 else None
                out.append(word_diff(o, n) if o is not None and n is not None else (inserted(n) if n is not None else deleted(o)))
    return out


def merge(old, new):
    """A view value showing the change from ``old`` to ``new``: tables, narrative, sections, lists, dicts."""
    if isinstance(new, Table):
        return table_diff(old, new) if isinstance(old, Table) else new
    if isinstance(new, str):
        if old is None:
            return inserted(new)
        return replaced_diagrams(old, word_diff(old, new)) if str(old) != str(new) else new
    if isinstance(new, list):
        return _merge_list(old if isinstance(old, list) else [], new)
    if isinstance(new, dict):
        old = old if isinstance(old, dict) else {}
        return {k: merge(old.get(k), v) for k, v in new.items()}
    if isinstance(new, Section):
        return _merge_sections([old] if isinstance(old, Section) else [], [new])[0]
    if isinstance(new, Figure):
        return replaced(old, new)
    return new
