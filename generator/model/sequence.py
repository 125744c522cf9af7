"""A transaction's interaction diagram stated as data (``diagram:`` in ``transactions/*.yaml``).

Published IHE sequence diagrams show more than the ordered messages: dividers, notes,
self-messages ("validate content received"), activation bars, replies drawn solid,
second label lines, and ``group``/``alt``/``else``/``opt``/``loop`` fragments. A
transaction may state them here; without ``diagram`` its picture follows from its
messages (and interactions) alone, as before. The steps are kept as written, each
with the place it was written, so that :mod:`generator.check.sequence` can refuse bad
structure at its line and the renderer (``generator.diagrams.sequence``) draws only
what was checked. The schema admits every key on every step; which keys fit which
kind of step is the check's job, so that a mistake gets a message in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..problems import Loc

# The key that makes a step what it is; exactly one per step (checked).
STEP_KINDS = ("message", "self", "divider", "note", "group", "alt", "else", "opt", "loop", "activate", "deactivate")
FRAGMENTS = ("group", "alt", "else", "opt", "loop")
NOTE_POSITIONS = ("over", "left_of", "right_of")


@dataclass
class SeqStep:
    """One step of a diagram, in source order.

    ``kind`` is the step's kind key ("" when none or several were written: ``kinds``
    says which). Locations (``loc``, ``locs``) are left out of the model export. ``message`` is 1-based (the transaction's message number);
    ``actor`` is the participant of a self-message or an activation; ``text`` is the
    label of a message (None: the message's name), of a self-message, a divider, a
    note or a fragment. ``locs`` gives where each key was written."""

    kind: str
    loc: Loc
    message: int = 0
    actor: str = ""
    sender: str = ""
    receiver: str = ""
    text: str | None = None
    second_line: str = ""
    arrow: str = ""  # "" | "solid" | "dashed"
    optional: bool = False
    position: str = ""  # a note's: "over" | "left_of" | "right_of"
    participants: list[str] = field(default_factory=list)  # a note's
    steps: list["SeqStep"] | None = None  # a fragment's; None: not written
    locs: dict[str, Loc] = field(default_factory=dict)  # every key written on the step, and where

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.locs)

    @property
    def kinds(self) -> tuple[str, ...]:
        """Every kind key written (the checks refuse a step with none or several)."""
        return tuple(k for k in STEP_KINDS if k in self.locs)


@dataclass
class Sequence:
    """The diagram of one transaction.

    ``participants``: the lifelines, left to right, each one actor or several sharing
    one box ("A / B", as IHE labels alternatives); None: initiators left, responders
    right, as without ``diagram``. ``activate``: True, every lifeline active for the
    whole diagram; False, none; a list, those actors' lifelines; None, not written:
    True for a transaction (the IHE default, and tfpub's before), False for a use case
    (whose flows were drawn without bars). ``autonumber``: PlantUML numbers every arrow (off where the
    published labels carry their own numbers, "1. Find Document Lists")."""

    loc: Loc
    steps: list[SeqStep] = field(default_factory=list)
    participants: list[list[str]] | None = None
    activate: bool | list[str] | None = None
    autonumber: bool = True
    title: bool = True  # the title inside the picture (the figure caption names it anyway)
    locs: dict[str, Loc] = field(default_factory=dict)
    participant_locs: list[Loc] = field(default_factory=list)


def _step(doc, path: tuple, d: dict) -> SeqStep:
    kinds = [k for k in STEP_KINDS if k in d]
    kind = kinds[0] if len(kinds) == 1 else ""
    step = SeqStep(kind, doc.loc(path), locs={k: doc.loc(path + (k,), key=True) for k in d})
    value = d.get(kind) if kind else None
    if kind == "message":
        step.message = value if isinstance(value, int) else 0
    elif kind in ("self", "activate", "deactivate"):
        step.actor = value if isinstance(value, str) else ""
    elif kind in FRAGMENTS or kind == "divider":
        step.text = value if isinstance(value, str) else ""
    if "text" in d:
        step.text = d["text"]
    elif kind == "note":
        step.text = value if isinstance(value, str) else ""
    step.sender = d.get("from", "")
    step.receiver = d.get("to", "")
    step.second_line = d.get("second_line", "")
    step.arrow = d.get("arrow", "")
    step.optional = bool(d.get("optional", False))
    positions = [p for p in NOTE_POSITIONS if p in d]
    if positions:
        step.position = positions[0]
        where = d[positions[0]]
        step.participants = [where] if isinstance(where, str) else list(where)
    if "steps" in d:
        step.steps = [_step(doc, path + ("steps", i), s) for i, s in enumerate(d["steps"] or [])]
    return step


def from_document(doc, d: dict, base: tuple = ()) -> Sequence | None:
    """The ``diagram`` of the schema-valid mapping ``d`` at ``base`` in ``doc`` (a transaction,
    or a use case, whose ``message: N`` is its step N), or None when it has none."""
    g = d.get("diagram")
    if g is None:
        return None
    path = (*base, "diagram")
    participants = None
    locs: list[Loc] = []
    if "participants" in g:
        participants = [[p] if isinstance(p, str) else list(p) for p in g["participants"]]
        locs = [doc.loc(path + ("participants", i)) for i in range(len(g["participants"]))]
    activate = g.get("activate")
    return Sequence(
        loc=doc.loc(path),
        steps=[_step(doc, path + ("steps", i), s) for i, s in enumerate(g.get("steps") or [])],
        participants=participants,
        activate=activate if activate is None or isinstance(activate, bool) else list(activate),
        autonumber=g.get("autonumber", True),
        title=g.get("title", True),
        locs={k: doc.loc(path + (k,), key=True) for k in g},
        participant_locs=locs,
    )


def walk(steps: list[SeqStep] | None):
    """Every step, fragments' steps included, in source order."""
    for step in steps or []:
        yield step
        yield from walk(step.steps)
