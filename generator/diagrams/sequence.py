"""A transaction's interaction diagram (IHE ITI TF-2, "Interaction Diagram") as PlantUML.

The participants are the actors in their roles (initiators left, responders right;
several actors in one role share a box, "A / B", as IHE labels alternatives), every
message in order, requests solid and responses dashed, numbered, titled "Name [ID]";
each actor links to its page and each message to its section of the transaction page.

A transaction that states its ``diagram`` (:mod:`generator.model.sequence`) is drawn
as published: its own lifelines, dividers, notes, self-messages, activation bars,
solid replies, second label lines, optional messages and ``group``/``alt``/``else``/
``opt``/``loop`` fragments. Without it the steps follow from the messages (and each
interaction is a group around its messages), and the output is what it always was.

Both go through one drawing path (:func:`_draw`), so a construct looks the same
wherever it comes from, and the text alternative says everything the picture does
(fragment labels, dividers, notes), one line per step.

A profile's view of a shared transaction (``profile=``) keeps only that profile's
actors: steps between lifelines the profile does not have are left out, and so are
fragments left empty by that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..model import Framework, Profile, Role, Transaction, UseCase, bindings
from ..model.sequence import FRAGMENTS, SeqStep, Sequence
from ..problems import Loc
from ..render import site_paths
from . import puml
from .core import Diagram
from .model_names import actor_name as _actor_name
from .model_names import actor_url as _actor_url
from .model_names import flat as _flat
from .model_names import unique as _unique
from .model_names import wrapped


def _linked(label: str, target: str | None) -> str:
    return puml.link(target, label) if target else puml.text(label)


@dataclass(eq=False)  # one object per lifeline: compared and hashed by identity
class Lifeline:
    alias: str
    actors: list[str]


def _declaration(fw: Framework, page: str, line: Lifeline, name_width: int = 0) -> str:
    """A participant for one actor (the whole box links to it) or several sharing a box;
    ``name_width``: wrap a single actor's name at that many characters (use-case flows, to fit)."""
    if len(line.actors) == 1:
        name = _actor_name(fw, line.actors[0])
        name = "\\n".join(puml.text(part) for part in wrapped(name, name_width)) if name_width else puml.text(name)
        target = _actor_url(fw, page, line.actors[0])
        return f'participant "{name}" as {line.alias}' + (f" [[{puml.url(target)}]]" if target else "")
    names = " /\\n".join(_linked(_actor_name(fw, a), _actor_url(fw, page, a)) for a in line.actors)
    return f'participant "{names}" as {line.alias}'


def profile_roles(fw: Framework, profile: Profile, tx: Transaction) -> list[Role]:
    """The roles of ``tx`` that ``profile``'s actors play, as bound in that profile."""
    out = []
    for pa in profile.actors:
        use = next((u for u in pa.transactions if u.transaction == tx.id), None)
        if use is not None:
            out += [Role(pa.actor, role, "", use.loc) for role in bindings.roles_in_profile(fw, profile, pa.actor, tx.id)]
    return out


def lifelines(tx: Transaction, roles: list[Role]) -> list[Lifeline]:
    """The lifelines, left to right, holding only actors that have one of ``roles``."""
    players = {r.actor for r in roles}
    stated = tx.diagram.participants if tx.diagram else None
    if stated is None:
        out = []
        for alias, role in (("Initiator", "initiator"), ("Responder", "responder")):
            actors = _unique(r.actor for r in roles if r.role == role)
            if actors:
                out.append(Lifeline(alias, actors))
        return out
    out, used = [], set()
    for box in stated:
        actors = [a for a in box if a in players]
        alias = puml.alias("P_", actors[0]) if actors else ""
        if actors and alias not in used:
            used.add(alias)
            out.append(Lifeline(alias, actors))
    return out


def default_steps(tx: Transaction) -> list[SeqStep]:
    """Every message in order; each interaction of a transaction of several (ITI-108) a group."""
    steps: list[SeqStep] = []
    grouped = {i: g for g in tx.interactions for i in g.messages[:1]}
    members = {i for g in tx.interactions for i in g.messages}
    for i, message in enumerate(tx.messages):
        if i in grouped:
            g = grouped[i]
            steps.append(SeqStep("group", g.loc, text=g.name, steps=[SeqStep("message", tx.messages[j].loc, message=j + 1) for j in g.messages]))
        elif i not in members:
            steps.append(SeqStep("message", message.loc, message=i + 1))
    return steps


@dataclass
class _Arrow:
    """A ``message`` step resolved: who to whom, the arrow, its label (PlantUML) and what the text alternative says."""

    sender: Lifeline
    receiver: Lifeline
    arrow: str
    label: str
    said: str


class _Drawing:
    """The lines, text alternative and line locations of one diagram, built step by step.

    ``resolve`` turns a ``message`` step into an :class:`_Arrow` (None: not in this view);
    it is what differs between a transaction (its messages, by role) and a use case
    (its steps, by actor)."""

    def __init__(self, fw: Framework, lines_: list[Lifeline]):
        self.fw = fw
        self.lifelines = lines_
        self.by_actor = {a: line for line in lines_ for a in line.actors}
        self.names = {line.alias: " or ".join(_actor_name(fw, a) for a in line.actors) for line in lines_}
        self.resolve = lambda step: None
        self.lines: list[str] = []
        self.alt: list[str] = []
        self.locs: dict[int, Loc] = {}
        self.number = 0

    def emit(self, line: str, loc: Loc | None = None) -> None:
        self.lines.append(line)
        if loc is not None:
            self.locs[len(self.lines)] = loc

    def line_of(self, actor: str) -> Lifeline | None:
        return self.by_actor.get(actor)

    # each step kind: draw it, say it; False when the profile's view leaves it out
    def message(self, step: SeqStep) -> bool:
        arrow = self.resolve(step)
        if arrow is None:
            return False
        self.emit(f"{arrow.sender.alias} {arrow.arrow} {arrow.receiver.alias}{self._label(arrow.label, step)}", step.loc)
        self.number += 1
        self.alt.append(f"{self.number}. {arrow.said}" + (" Optional." if step.optional else ""))
        return True

    def _label(self, first: str, step: SeqStep) -> str:
        parts = [first] if first else []
        if step.optional:
            parts[-1:] = [(parts[-1] + " " if parts else "") + "(optional)"]
        if step.second_line:
            parts.append(puml.text(step.second_line))
        return " : " + "\\n".join(parts) if parts else ""

    def self_message(self, step: SeqStep) -> bool:
        line = self.line_of(step.actor)
        if line is None:
            return False
        arrow = "-->" if step.arrow == "dashed" else "->"
        text = step.text or ""
        self.emit(f"{line.alias} {arrow} {line.alias}{self._label(puml.text(text) if _flat(text) else '', step)}", step.loc)
        self.number += 1
        what = _flat(text) + (f" ({_flat(step.second_line)})" if step.second_line else "")
        self.alt.append(f"{self.number}. {self.names[line.alias]}, to itself: {what}." + (" Optional." if step.optional else ""))
        return True

    def divider(self, step: SeqStep) -> bool:
        self.emit(f"== {puml.text(step.text or '')} ==", step.loc)
        self.alt.append(f"Section: {_flat(step.text or '')}")
        return True

    def note(self, step: SeqStep) -> bool:
        over = _unique(line for a in step.participants if (line := self.line_of(a)) is not None)
        if not over:
            return False
        where = {"over": "over", "left_of": "left of", "right_of": "right of"}.get(step.position, "over")
        aliases = ", ".join(line.alias for line in (over if where == "over" else over[:1]))
        text = "\\n".join(puml.text(line) for line in (step.text or "").strip().splitlines()) or " "
        self.emit(f"note {where} {aliases} : {text}", step.loc)
        who = " and ".join(self.names[line.alias] for line in (over if where == "over" else over[:1]))
        self.alt.append(f"Note {where} {who}: {_flat(step.text or '')}")
        return True

    def activation(self, step: SeqStep) -> bool:
        line = self.line_of(step.actor)
        if line is None:
            return False
        self.emit(f"{step.kind} {line.alias}", step.loc)
        return True

    SAY = {"group": "{}:", "alt": "Alternative: {}", "else": "Else: {}", "opt": "Optional: {}", "loop": "Loop: {}"}
    ENDS = {"alt": "End of alternatives.", "opt": "End of optional steps.", "loop": "End of loop."}

    def steps(self, steps: list[SeqStep]) -> bool:
        """Draw ``steps``; an ``alt`` takes the ``else`` steps that follow it. True when any was drawn."""
        drawn = False
        i = 0
        while i < len(steps):
            step = steps[i]
            if step.kind in FRAGMENTS:
                chain = [step]
                if step.kind == "alt":
                    while i + 1 < len(steps) and steps[i + 1].kind == "else":
                        i += 1
                        chain.append(steps[i])
                drawn = self.fragment(chain) or drawn
            else:
                draw = {"message": self.message, "self": self.self_message, "divider": self.divider, "note": self.note,
                        "activate": self.activation, "deactivate": self.activation}.get(step.kind)
                drawn = bool(draw and draw(step)) or drawn
            i += 1
        return drawn

    def fragment(self, chain: list[SeqStep]) -> bool:
        """One fragment (an alt with its else cases): left out when nothing in it is drawn."""
        mark = (len(self.lines), len(self.alt), dict(self.locs), self.number)
        drawn = False
        for k, step in enumerate(chain):
            kind = step.kind if k == 0 or step.kind == "else" else "else"
            kind = "group" if k == 0 and kind == "else" else kind  # an else without its alt (refused by the checks)
            self.emit(f"{kind} {puml.text(step.text or '')}".rstrip(), step.loc)
            self.alt.append(self.SAY[kind].format(_flat(step.text or "")).rstrip())
            drawn = self.steps(step.steps or []) or drawn
        if not drawn:
            del self.lines[mark[0]:], self.alt[mark[1]:]
            self.locs, self.number = mark[2], mark[3]
            return False
        self.emit("end")
        if chain[0].kind in self.ENDS:
            self.alt.append(self.ENDS[chain[0].kind])
        return True


def _style(step: SeqStep, default: str) -> str:
    return {"solid": "->", "dashed": "-->"}.get(step.arrow) or default


def _transaction_resolver(d: _Drawing, tx: Transaction, page: str, roles: list[Role]):
    """Messages of ``tx``: a request from the initiators' lifeline, a response back, unless ``from``/``to`` say."""
    by_alias = {line.alias: line for line in d.lifelines}
    if tx.diagram is None or tx.diagram.participants is None:
        first = {"initiator": by_alias.get("Initiator"), "responder": by_alias.get("Responder")}
    else:  # the first lifeline holding an actor in that role
        first = {role: next((line for line in d.lifelines if any((r.actor, r.role) == (a, role) for r in roles for a in line.actors)), None) for role in ("initiator", "responder")}
    # one side missing: messages to itself
    side = {"initiator": first["initiator"] or first["responder"], "responder": first["responder"] or first["initiator"]}
    tx_page = site_paths.transaction_page(tx.domain, tx.id)

    def resolve(step: SeqStep) -> _Arrow | None:
        if not 1 <= step.message <= len(tx.messages):
            return None
        message = tx.messages[step.message - 1]
        if message.type == "request":
            sender, receiver, verb = side["initiator"], side["responder"], "sends"
        else:
            sender, receiver, verb = side["responder"], side["initiator"], "returns"
        if step.sender:
            sender = d.line_of(step.sender)
        if step.receiver:
            receiver = d.line_of(step.receiver)
        if sender is None or receiver is None:
            return None
        text = message.name if step.text is None else step.text
        # Each message links to its section of the transaction page (views: "message-N").
        target = site_paths.url_link(page, tx_page, f"message-{step.message}")
        what = _flat(text) or f"a {message.type}"
        if step.second_line:
            what += f" ({_flat(step.second_line)})"
        said = f"{d.names[sender.alias]} {verb} {what} to {d.names[receiver.alias]} ({message.type})."
        return _Arrow(sender, receiver, _style(step, "->" if message.type == "request" else "-->"), _linked(text, target) if _flat(text) else "", said)

    return resolve, side


def _header(d: _Drawing, title: str, page: str, diagram: Sequence, activate_default: bool, first: list[Lifeline],
            fit: FlowFit | None = None) -> list[str]:
    """Title, participants, numbering and the bars for the whole diagram; returns the aliases activated."""
    d.emit("@startuml")
    if diagram.title:
        d.emit(f"title {puml.lines(title, fit.title_width) if fit else puml.text(title)}")
    d.emit("hide footbox")
    for line in d.lifelines:
        d.emit(_declaration(d.fw, page, line, fit.name_width if fit else 0))
    if diagram.autonumber:
        d.emit("autonumber")
    activate = activate_default if diagram.activate is None else diagram.activate
    if activate is True:
        active = _unique(line.alias for line in first if line)
        active += [line.alias for line in d.lifelines if line.alias not in active]
    elif activate is False:
        active = []
    else:
        active = _unique(line.alias for a in activate if (line := d.line_of(a)) is not None)
    if d.lifelines:
        for alias in active:
            d.emit(f"activate {alias}")
    return active if d.lifelines else []


def _footer(d: _Drawing, active: list[str]) -> None:
    for alias in reversed(active):
        d.emit(f"deactivate {alias}")
    d.emit("@enduml")


def transaction_diagram(fw: Framework, tx: Transaction, page: str | None = None, profile: Profile | None = None) -> Diagram:
    """The interaction diagram of ``tx``: Volume 2's (every role of every profile), or
    ``profile``'s own (only its actors, key ``tx-<ID>-<acronym>``)."""
    page = page or site_paths.transaction_page(tx.domain, tx.id)
    roles = bindings.all_roles(fw, tx) if profile is None else profile_roles(fw, profile, tx)
    d = _Drawing(fw, lifelines(tx, roles))
    diagram: Sequence = tx.diagram or Sequence(tx.loc)
    d.resolve, side = _transaction_resolver(d, tx, page, roles)
    active = _header(d, tx.label, page, diagram, True, [side["initiator"], side["responder"]])
    if d.lifelines:
        d.steps(diagram.steps or default_steps(tx))
    _footer(d, active)
    return Diagram(
        key=f"tx-{tx.id}" if profile is None else f"tx-{tx.id}-{profile.acronym}",
        kind="transaction",
        title=_flat(tx.label),
        source="\n".join(d.lines) + "\n",
        alt_text=d.alt,
        page=page,
        loc=tx.loc,
        line_locs=d.locs,
    )


# --------------------------------------------------------------------------- use cases

LABEL_WIDTH = 48  # characters per line of a wrapped use-case step text (from_model's plain flows too)


def use_case_lifelines(use_case: UseCase) -> list[Lifeline]:
    """The flow's lifelines: as stated, else every actor its steps name, in order of appearance."""
    stated = use_case.diagram.participants if use_case.diagram else None
    if stated is None:
        actors = _unique(a for step in use_case.steps for a in (step.from_actor, step.to_actor) if a)
        return [Lifeline(puml.alias("P_", a), [a]) for a in actors]
    return [Lifeline(puml.alias("P_", box[0]), list(box)) for box in stated if box]


@dataclass(frozen=True)
class FlowFit:
    """How a use-case flow wraps to fit a page column (:mod:`.use_case_diagram` decides): names,
    step text and title widths in characters, and the transaction label as a wrapped link."""

    name_width: int
    text_width: int
    title_width: int
    tx_link: Callable[[str], str]


def use_case_sequence(fw: Framework, profile: Profile, use_case: UseCase, page: str, tx_url, tx_label, fit: FlowFit | None = None) -> Diagram:
    """A use case's process flow with what its ``diagram`` states; ``message: N`` draws its step N
    as the plain flow does (a transaction solid and labelled with it, a reply dashed, a step
    without a receiver an arrow to itself). ``tx_url``/``tx_label``: how the flow names a
    transaction (from_model's, so that both kinds of flow agree)."""
    d = _Drawing(fw, use_case_lifelines(use_case))
    diagram: Sequence = use_case.diagram or Sequence(use_case.loc)

    def resolve(step: SeqStep) -> _Arrow | None:
        if not 1 <= step.message <= len(use_case.steps):
            return None
        s = use_case.steps[step.message - 1]
        sender = d.line_of(step.sender or s.from_actor)
        receiver = d.line_of(step.receiver or s.to_actor or s.from_actor)
        if sender is None or receiver is None:
            return None
        width = fit.text_width if fit else LABEL_WIDTH
        text = puml.lines(s.text, width) if step.text is None else (puml.text(step.text) if _flat(step.text) else "")
        if s.transaction:
            linked = fit.tx_link(s.transaction) if fit else _linked(tx_label(s.transaction), tx_url(s.transaction))
            label = linked + ("\\n" + text if text else "")
        else:
            label = text
        route = d.names[sender.alias] + (f" to {d.names[receiver.alias]}" if receiver is not sender else "")
        what = f", {tx_label(s.transaction)}" if s.transaction else ""
        shown = _flat(s.text if step.text is None else step.text) + (f" ({_flat(step.second_line)})" if step.second_line else "")
        default = "->" if s.transaction or not s.to_actor else "-->"
        return _Arrow(sender, receiver, _style(step, default), label, f"{route}{what}: {shown}")

    d.resolve = resolve
    title = f"{_flat(use_case.title)}: Process Flow"
    active = _header(d, title, page, diagram, False, [], fit)
    d.steps(diagram.steps or [SeqStep("message", s.loc, message=n) for n, s in enumerate(use_case.steps, start=1)])
    _footer(d, active)
    return Diagram(
        key=f"uc-{profile.acronym}-{use_case.id}",
        kind="use-case",
        title=title,
        source="\n".join(d.lines) + "\n",
        alt_text=d.alt,
        page=page,
        loc=use_case.loc,
        line_locs=d.locs,
    )
