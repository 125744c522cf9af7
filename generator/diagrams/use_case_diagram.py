"""A use case's process flow: its steps in order, numbered, drawn to fit a page column.

A step that is a transaction is a solid arrow labelled with it (a link to its page),
then the step's text; a step without one is dashed (a reply) or, with no receiver, an
arrow to itself. A sequence diagram is as wide as its participants and the labels
between them, so names and labels are wrapped, the more narrowly the more
participants there are (``label_width``): the flow grows down the page, not across.
"""

from __future__ import annotations

from ..model import Framework, Profile, UseCase
from ..render import site_paths
from . import puml
from .core import Diagram
from .model_names import (
    actor_name,
    actor_url,
    flat,
    linked_lines,
    tx_label,
    tx_url,
    unique,
    wrapped,
)
from .sequence import use_case_sequence

NAME_WIDTH = 16  # characters per line of a participant's name
TEXT_CHARS = 96  # characters of step text across the whole picture (about 670 px at PlantUML's 13 px)
MIN_WIDTH, MAX_WIDTH = 18, 44  # characters per line of one step's text


def label_width(participants: int) -> int:
    """Characters per line of a step's text with ``participants`` columns: the labels between
    neighbouring columns share TEXT_CHARS, within MIN_WIDTH and MAX_WIDTH."""
    return max(MIN_WIDTH, min(MAX_WIDTH, TEXT_CHARS // max(1, participants - 1)))


def _participant(fw: Framework, page: str, alias: str, actor_id: str) -> str:
    name = "\\n".join(puml.text(p) for p in wrapped(actor_name(fw, actor_id), NAME_WIDTH))
    target = actor_url(fw, page, actor_id)
    return f'participant "{name}" as {alias}' + (f" [[{puml.url(target)}]]" if target else "")


def use_case_diagram(fw: Framework, profile: Profile, use_case: UseCase, page: str | None = None) -> Diagram:
    page = page or site_paths.profile_page(profile.domain, profile.acronym)
    if use_case.diagram is not None:  # dividers, notes, fragments...: drawn by .sequence
        return use_case_sequence(fw, profile, use_case, page, lambda t: tx_url(fw, page, t), lambda t: tx_label(fw, t))
    actors = unique(a for step in use_case.steps for a in (step.from_actor, step.to_actor) if a)
    alias = {a: puml.alias("P_", a) for a in actors}
    width = label_width(len(actors))
    title = f"{flat(use_case.title)}: Process Flow"
    lines = ["@startuml", f"title {puml.lines(title, 2 * MAX_WIDTH)}", "hide footbox"]
    for actor_id in actors:
        lines.append(_participant(fw, page, alias[actor_id], actor_id))
    lines.append("autonumber")
    alt: list[str] = []
    line_locs = {}
    for number, step in enumerate(use_case.steps, start=1):
        sender = alias[step.from_actor]
        receiver = alias[step.to_actor] if step.to_actor else sender
        text = puml.lines(step.text, width)
        if step.transaction:
            label = linked_lines(tx_label(fw, step.transaction), tx_url(fw, page, step.transaction), width, label=True) + "\\n" + text
            arrow = "->"
        else:
            label = text
            arrow = "-->" if step.to_actor else "->"
        lines.append(f"{sender} {arrow} {receiver} : {label}")
        line_locs[len(lines)] = step.loc
        route = actor_name(fw, step.from_actor) + (f" to {actor_name(fw, step.to_actor)}" if step.to_actor else "")
        what = f", {tx_label(fw, step.transaction)}" if step.transaction else ""
        alt.append(f"{number}. {route}{what}: {' '.join(step.text.split())}")
    lines.append("@enduml")
    return Diagram(
        key=f"uc-{profile.acronym}-{use_case.id}",
        kind="use-case",
        title=title,
        source="\n".join(lines) + "\n",
        alt_text=alt,
        page=page,
        loc=use_case.loc,
        line_locs=line_locs,
    )
