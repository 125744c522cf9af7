"""Names, links and labels of model things as diagram text, shared by the model diagrams.

Every name comes from a spec and is escaped by :mod:`.puml`; links are relative to
the page that shows the diagram (``site_paths.url_link``), so a diagram can be
inlined in its page and still link right.
"""

from __future__ import annotations

import textwrap

from ..model import Framework
from ..render import site_paths
from . import puml


def flat(value: str) -> str:
    """Text for titles and the text alternative: one line, single spaces."""
    return " ".join(value.split())


def actor_name(fw: Framework, actor_id: str) -> str:
    actor = fw.actors.get(actor_id)
    return flat(actor.name) if actor else actor_id


def actor_url(fw: Framework, page: str, actor_id: str) -> str | None:
    actor = fw.actors.get(actor_id)
    return site_paths.url_link(page, site_paths.actor_page(actor.domain, actor_id)) if actor else None


def tx_url(fw: Framework, page: str, tx_id: str) -> str | None:
    tx = fw.transactions.get(tx_id)
    return site_paths.url_link(page, site_paths.transaction_page(tx.domain, tx_id)) if tx else None


def tx_label(fw: Framework, tx_id: str) -> str:
    tx = fw.transactions.get(tx_id)
    return flat(tx.label) if tx else f"[{tx_id}]"


def wrapped(value: str, width: int) -> list[str]:
    """``value`` in lines of at most ``width`` characters (a longer word stays whole).

    A diagram is as wide as its longest line, so the names and labels of the model
    diagrams are wrapped before PlantUML sees them: the figure then fits a page column.
    """
    return textwrap.wrap(flat(value), width, break_on_hyphens=False, break_long_words=False) or [""]


ID_SLACK = 6  # characters a line may run over its width to keep a transaction's "[ITI-18]" on it


def wrapped_label(value: str, width: int) -> list[str]:
    """A transaction label ("Name [ID]") in lines of about ``width``: the id stays on the
    name's last line when that line is then at most ``ID_SLACK`` longer."""
    value = flat(value)
    name, sep, ident = value.rpartition(" [")
    if not sep or not value.endswith("]"):
        return wrapped(value, width)
    lines = wrapped(name, width)
    tail = f"[{ident}"
    if len(lines[-1]) + 1 + len(tail) <= width + ID_SLACK:
        lines[-1] = f"{lines[-1]} {tail}"
    else:
        lines.append(tail)
    return lines


def linked_lines(value: str, target: str | None, width: int, *, label: bool = False) -> str:
    """``value`` wrapped at ``width`` (as a transaction label: :func:`wrapped_label`), each
    line a link to ``target`` (PlantUML's links are one line)."""
    parts = wrapped_label(value, width) if label else wrapped(value, width)
    if not target:
        return "\\n".join(puml.text(p) for p in parts)
    return "\\n".join(puml.link(target, p) for p in parts)


def unique(items) -> list:
    seen, out = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out
