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

from ..model import Framework, Profile, Transaction, UseCase, bindings
from ..model.resolve import Sources
from ..model.sequence import FRAGMENTS, NOTE_POSITIONS, STEP_KINDS, SeqStep, Sequence
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
    """Every problem of every stated diagram: of transactions, then of use cases (those in ``scope``, when given)."""
    txs = fw.transactions.values() if scope is None else [fw.transactions[k] for k in sorted(scope.transactions) if k in fw.transactions]
    for tx in txs:
        if tx.diagram is not None:
            yield from _transaction(fw, src, tx)
    profiles = fw.profiles.values() if scope is None else [fw.profiles[k] for k in sorted(scope.profiles) if k in fw.profiles]
    for profile in profiles:
        for uc in profile.use_cases:
            if uc.diagram is not None:
                yield from _use_case(fw, src, profile, uc)


def _unknown(fw: Framework, src: Sources, actor: str, loc, what: str = "") -> Problem | None:
    if ("actor", actor) in src.broken:
        return None
    return error(loc, f"{what}unknown actor '{actor}'{suggestion(actor, list(fw.actors))}", "unknown-actor")


def _participants(fw: Framework, src: Sources, g: Sequence, players: set[str], owner: str, no_role: str) -> Iterator[Problem]:
    """The stated lifelines: known actors, each once, each one that plays a part (``no_role`` says what to do)."""
    seen: set[str] = set()
    for box, loc in zip(g.participants or [], g.participant_locs):
        for actor in box:
            if actor not in fw.actors:
                yield _unknown(fw, src, actor, loc)
            elif actor not in players:
                yield error(loc, f"actor '{actor}' {no_role}", "sequence-participant")
            elif actor in seen:
                yield error(loc, f"actor '{actor}' is listed twice in diagram.participants of {owner}; give each actor one lifeline", "sequence-participant")
            seen.add(actor)


def _transaction(fw: Framework, src: Sources, tx: Transaction) -> Iterator[Problem]:
    g = tx.diagram
    roles = bindings.all_roles(fw, tx)
    if g.participants is None:
        boxes = [b for b in ([r.actor for r in roles if r.role == role] for role in ("initiator", "responder")) if b]
    else:
        boxes = g.participants
    yield from _participants(fw, src, g, {r.actor for r in roles}, tx.id,
                             f"has no role in {tx.id}; give it a role (roles, or a profile's role binding) or remove it from diagram.participants")
    if g.participants is not None:  # every role is drawn on Volume 2: an actor left out would vanish from the picture
        listed = {a for box in boxes for a in box}
        for role in roles:
            if role.actor not in listed and role.actor in fw.actors:
                yield error(g.locs["participants"], f"actor '{role.actor}' plays the {role.role} of {tx.id} but has no lifeline in its diagram; add it to diagram.participants", "sequence-participant")
                listed.add(role.actor)

    def sides(role: str) -> int:
        return sum(1 for box in boxes if any((r.actor, r.role) == (a, role) for r in roles for a in box))

    def message(step: SeqStep) -> Iterator[Problem]:
        role = "initiator" if tx.messages[step.message - 1].type == "request" else "responder"
        other = "responder" if role == "initiator" else "initiator"
        for key, side in (("from", role), ("to", other)):
            if key not in step.keys and g.participants is not None and sides(side) > 1:
                yield error(step.locs["message"], f"several lifelines play the {side} of message {step.message}; say which with '{key}:'", "sequence-message")

    names = [m.name or m.type for m in tx.messages]
    yield from _steps(fw, src, g, tx.id, names, boxes, "give it a role in the transaction", message)


def _use_case(fw: Framework, src: Sources, profile: Profile, uc: UseCase) -> Iterator[Problem]:
    g = uc.diagram
    named = [a for step in uc.steps for a in (step.from_actor, step.to_actor) if a]
    members = {pa.actor for pa in profile.actors} | set(named)
    boxes = g.participants if g.participants is not None else [[a] for a in dict.fromkeys(named)]
    owner = f"use case '{uc.id}'"
    yield from _participants(fw, src, g, members, owner, f"is not an actor of {profile.acronym}; add it to the profile or remove it from diagram.participants")
    lifeline = {a for box in boxes for a in box}

    def message(step: SeqStep) -> Iterator[Problem]:
        s = uc.steps[step.message - 1]
        for key, actor in (("from", s.from_actor), ("to", s.to_actor)):
            if actor and key not in step.keys and actor in fw.actors and actor not in lifeline:
                yield error(step.locs["message"], f"step {step.message} of {owner} names '{actor}', which is not a participant of its diagram; add it to diagram.participants", "sequence-participant")

    names = [" ".join(s.text.split()[:6]) for s in uc.steps]
    yield from _steps(fw, src, g, owner, names, boxes, "add it to diagram.participants", message, bars=False)


def _steps(fw: Framework, src: Sources, g: Sequence, owner: str, names: list[str], boxes: list[list[str]], hint: str, own_rule,
           bars: bool = True) -> Iterator[Problem]:
    """The structure of ``g``'s steps: kinds, keys, actors, message numbers, fragments, bars.
    ``names``: what each message is called (for "message 2 ... is not in the diagram");
    ``own_rule``: the owner's own rule for a ``message`` step with a valid number; ``bars``:
    whether every lifeline is active when ``diagram.activate`` is not written."""
    lifeline = {a for box in boxes for a in box}
    if g.participants is not None:
        hint = "add it to diagram.participants"

    def named(actor: str, loc, what: str) -> Iterator[Problem]:
        if actor not in fw.actors:
            yield _unknown(fw, src, actor, loc, f"{what}: ")
        elif actor not in lifeline:
            yield error(loc, f"{what}: actor '{actor}' is not a participant of {owner}'s diagram; {hint}", "sequence-participant")

    if isinstance(g.activate, list):
        for actor in g.activate:
            yield from named(actor, g.locs.get("activate", g.loc), "diagram.activate")

    drawn: set[int] = set()
    activate = bars if g.activate is None else g.activate
    active = set(lifeline) if activate is True else set(g.activate) if isinstance(g.activate, list) else set()

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
            if not 1 <= step.message <= len(names):
                yield error(where, f"{owner} has no message {step.message}; its messages are numbered 1 to {len(names)}", "sequence-message")
            else:
                drawn.add(step.message)
                for key in ("from", "to"):
                    if key in step.keys:
                        yield from named(step.sender if key == "from" else step.receiver, step.locs[key], key)
                yield from own_rule(step)
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
        for number, name in enumerate(names, start=1):
            if number not in drawn:
                yield error(g.locs.get("steps", g.loc), f"message {number} of {owner} ({name}) is not in the diagram; add '- message: {number}' to diagram.steps", "sequence-message")
