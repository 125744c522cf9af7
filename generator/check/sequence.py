"""Checks of a transaction's stated ``diagram`` (:mod:`generator.model.sequence`).

The schema admits every key on every step, so that these rules can say in words what
is wrong and where: a step that is two things at once or nothing, a key that does not
fit its step (``steps`` on a message), an actor that is not a lifeline, a message
number the transaction does not have or a message never drawn, an empty fragment, an
``else`` that follows no ``alt``, a bar ended that was never started. The diagram
stage then draws only what passed. Registered with the other rules by
:mod:`generator.check.checks`.
"""

from __future__ import annotations

from typing import Iterator

from ..model import Framework, Transaction, bindings
from ..model.sequence import FRAGMENTS, NOTE_POSITIONS, STEP_KINDS, SeqStep
from ..model.resolve import Sources
from ..problems import Problem, error
from .references import suggestion

# the keys each kind of step may carry besides its own
FITS: dict[str, set[str]] = {
    "message": {"from", "to", "text", "second_line", "arrow", "optional"},
    "self": {"text", "second_line", "arrow", "optional"},
    "divider": set(),
    "note": set(NOTE_POSITIONS),
    "activate": set(),
    "deactivate": set(),
    **{kind: {"steps"} for kind in FRAGMENTS},
}


def sequence_diagram(fw: Framework, src: Sources, scope=None) -> Iterator[Problem]:
    """Every problem of every stated diagram (of the transactions in ``scope``, when given)."""
    txs = fw.transactions.values() if scope is None else [fw.transactions[k] for k in sorted(scope.transactions) if k in fw.transactions]
    for tx in txs:
        if tx.diagram is not None:
            yield from _diagram(fw, src, tx)


def _diagram(fw: Framework, src: Sources, tx: Transaction) -> Iterator[Problem]:
    g = tx.diagram
    roles = bindings.all_roles(fw, tx)
    players = {r.actor for r in roles}
    if g.participants is None:
        boxes = [[r.actor for r in roles if r.role == role] for role in ("initiator", "responder")]
        boxes = [b for b in boxes if b]
    else:
        boxes = g.participants
        seen: set[str] = set()
        for box, loc in zip(g.participants, g.participant_locs):
            for actor in box:
                if actor not in fw.actors:
                    if ("actor", actor) not in src.broken:
                        yield error(loc, f"unknown actor '{actor}'{suggestion(actor, list(fw.actors))}", "unknown-actor")
                elif actor not in players:
                    yield error(loc, f"actor '{actor}' has no role in {tx.id}; give it a role (roles, or a profile's role binding) or remove it from diagram.participants", "sequence-participant")
                elif actor in seen:
                    yield error(loc, f"actor '{actor}' is listed twice in diagram.participants of {tx.id}; give each actor one lifeline", "sequence-participant")
                seen.add(actor)
    lifeline = {a for box in boxes for a in box}

    def named(actor: str, loc, what: str) -> Iterator[Problem]:
        if actor not in fw.actors:
            if ("actor", actor) not in src.broken:
                yield error(loc, f"{what}: unknown actor '{actor}'{suggestion(actor, list(fw.actors))}", "unknown-actor")
        elif actor not in lifeline:
            hint = "add it to diagram.participants" if g.participants is not None else "give it a role in the transaction"
            yield error(loc, f"{what}: actor '{actor}' is not a participant of {tx.id}'s diagram; {hint}", "sequence-participant")

    if isinstance(g.activate, list):
        for actor in g.activate:
            yield from named(actor, g.locs.get("activate", g.loc), "diagram.activate")

    def sides(role: str) -> int:
        return sum(1 for box in boxes if any((r.actor, r.role) == (a, role) for r in roles for a in box))

    drawn: set[int] = set()
    active = {a for box in boxes for a in box} if g.activate is True else set(g.activate or []) if isinstance(g.activate, list) else set()

    def steps(items: list[SeqStep]) -> Iterator[Problem]:
        previous = ""
        for step in items:
            yield from one(step, previous)
            previous = step.kind

    def one(step: SeqStep, previous: str) -> Iterator[Problem]:
        if len(step.kinds) != 1:
            which = " and ".join(step.kinds)
            message = f"this step is both {which}; make it two steps" if step.kinds else f"this step says nothing to draw; give it one of {', '.join(STEP_KINDS)}"
            yield error(step.loc, message, "sequence-step")
            return
        kind = step.kind
        for key in step.keys:
            if key != kind and key not in FITS[kind]:
                fits = ", ".join(sorted(FITS[kind])) or "no other key"
                yield error(step.locs[key], f"'{key}' does not belong on a {kind} step (it takes {fits}); remove it", "sequence-step")
        where = step.locs[kind]
        if kind == "message":
            if not 1 <= step.message <= len(tx.messages):
                yield error(where, f"{tx.id} has no message {step.message}; its messages are numbered 1 to {len(tx.messages)}", "sequence-message")
            else:
                drawn.add(step.message)
                role = "initiator" if tx.messages[step.message - 1].type == "request" else "responder"
                other = "responder" if role == "initiator" else "initiator"
                for key, side in (("from", role), ("to", other)):
                    if key in step.keys:
                        yield from named(getattr(step, "sender" if key == "from" else "receiver"), step.locs[key], key)
                    elif g.participants is not None and sides(side) > 1:
                        yield error(where, f"several lifelines play the {side} of message {step.message}; say which with '{key}:'", "sequence-message")
        elif kind == "self":
            yield from named(step.actor, where, "self")
        elif kind == "note":
            positions = [p for p in NOTE_POSITIONS if p in step.keys]
            if len(positions) != 1:
                yield error(step.loc, "a note is placed with exactly one of over, left_of or right_of", "sequence-note")
            for actor in step.participants:
                yield from named(actor, step.locs.get(positions[0], where) if positions else where, "note")
        elif kind in ("activate", "deactivate"):
            yield from named(step.actor, where, kind)
            if kind == "activate":
                active.add(step.actor)
            elif step.actor not in active:
                yield error(where, f"'{step.actor}' has no activation bar to end here; activate it first (or leave diagram.activate at true)", "sequence-activation")
            else:
                active.discard(step.actor)
        elif kind in FRAGMENTS:
            if kind == "else" and previous not in ("alt", "else"):
                yield error(where, "an else step must follow an alt step (or another else) in the same list", "sequence-fragment")
            if not step.steps:
                yield error(where, f"this {kind} holds no steps; give it steps: [...] or remove it", "sequence-fragment")
            yield from steps(step.steps or [])

    yield from steps(g.steps)
    if g.steps:
        for number, message in enumerate(tx.messages, start=1):
            if number not in drawn:
                yield error(g.locs.get("steps", g.loc), f"message {number} of {tx.id} ({message.name or message.type}) is not in the diagram; add '- message: {number}' to diagram.steps", "sequence-message")
