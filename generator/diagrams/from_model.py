"""PlantUML for the diagrams that follow from the model, drawn as IHE draws them.

* A transaction's **interaction diagram** (IHE ITI TF-2, "Interaction Diagram"), drawn
  by :mod:`.sequence`: the actors in their roles, every message in order, and what the
  transaction's ``diagram`` states (dividers, notes, fragments...).
* A profile's **actor diagram** (TF-1, "Actors and Transactions"): actors as boxes,
  one line between two actors labelled with every transaction between them, each
  with an arrow that points from initiator to responder, as in MHD's
  ``ActorsAndTransactions.plantuml``. A required grouping is drawn as IHE does: the
  actor and the actor it is grouped with side by side in one frame, the other one
  dashed, the frame named after the option when the grouping depends on one.
  Groupings every actor of the profile shares (CT Time Client, ATNA Secure Node)
  are left out of the picture, as IHE does, and stated in the text alternative.
  Actors of other profiles that a profile actor exchanges transactions with (an XCA
  Initiating Gateway answering an XDS Document Consumer) are shown dashed.
* A use case's **process flow**: its steps in order, numbered; a step that is a
  transaction is a solid arrow labelled with it, a step without one is dashed (a
  reply) or, with no receiver, an arrow to itself.

Every name and label comes from the model and is escaped (:mod:`.puml`); links are
relative to the page that shows the diagram (``site_paths.url_link``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Framework, Grouping, Profile, UseCase, bindings
from ..render import site_paths
from . import puml
from .core import Diagram
from .sequence import LABEL_WIDTH, transaction_diagram, use_case_sequence


def model_diagrams(fw: Framework) -> list[Diagram]:
    """Every transaction, profile and use-case diagram of ``fw``, in a deterministic order.

    Transactions by domain and number, then profiles by domain and chapter, each
    profile's actor diagram followed by its use cases in their order.
    """
    out: list[Diagram] = []
    for tx in sorted(fw.transactions.values(), key=lambda t: (t.domain, t.number, t.id)):
        out.append(transaction_diagram(fw, tx))
    for profile in sorted(fw.profiles.values(), key=lambda p: (p.domain, p.chapter, p.acronym)):
        out.append(profile_diagram(fw, profile))
        for use_case in profile.use_cases:
            if use_case.steps:
                out.append(use_case_diagram(fw, profile, use_case))
    return out


# --------------------------------------------------------------------------- helpers

# PlantUML fails on source lines of about 2,000 characters (diagrams/limits.py refuses lines over
# 1,500): the labels of one edge, long names and their links, are spread over parallel edges
# between the same two actors rather than joined on one line.
EDGE_LABEL_CHARS = 1_000


def _label_chunks(labels: list[str]) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    size = 0
    for label in labels:
        if chunks[-1] and size + len(label) > EDGE_LABEL_CHARS:
            chunks.append([])
            size = 0
        chunks[-1].append(label)
        size += len(label) + 2
    return chunks


def _flat(value: str) -> str:
    """Text for titles and the text alternative: one line, single spaces."""
    return " ".join(value.split())


def _actor_name(fw: Framework, actor_id: str) -> str:
    actor = fw.actors.get(actor_id)
    return _flat(actor.name) if actor else actor_id


def _actor_url(fw: Framework, page: str, actor_id: str) -> str | None:
    actor = fw.actors.get(actor_id)
    return site_paths.url_link(page, site_paths.actor_page(actor.domain, actor_id)) if actor else None


def _tx_url(fw: Framework, page: str, tx_id: str) -> str | None:
    tx = fw.transactions.get(tx_id)
    return site_paths.url_link(page, site_paths.transaction_page(tx.domain, tx_id)) if tx else None


def _tx_label(fw: Framework, tx_id: str) -> str:
    tx = fw.transactions.get(tx_id)
    return _flat(tx.label) if tx else f"[{tx_id}]"


def _linked(label: str, target: str | None) -> str:
    return puml.link(target, label) if target else puml.text(label)


def _participant(fw: Framework, page: str, alias: str, actor_ids: list[str]) -> str:
    """A participant for one actor (the whole box links to it) or several sharing a role."""
    if len(actor_ids) == 1:
        name = puml.text(_actor_name(fw, actor_ids[0]))
        target = _actor_url(fw, page, actor_ids[0])
        return f'participant "{name}" as {alias}' + (f" [[{puml.url(target)}]]" if target else "")
    names = " /\\n".join(_linked(_actor_name(fw, a), _actor_url(fw, page, a)) for a in actor_ids)
    return f'participant "{names}" as {alias}'


def _join_names(fw: Framework, actor_ids: list[str]) -> str:
    return " or ".join(_actor_name(fw, a) for a in actor_ids)


def _unique(items):
    seen, out = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


# --------------------------------------------------------------------------- transactions

# drawn by .sequence, with what a transaction's ``diagram`` states (re-exported here)


# --------------------------------------------------------------------------- profiles

@dataclass
class _Edge:
    upper: str  # node drawn above
    lower: str
    labels: list[str] = field(default_factory=list)  # PlantUML text, one per transaction


def _profile_edges(fw: Framework, profile: Profile) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """(initiator, responder, transaction id) for every real exchange of the profile, and the
    actors of other profiles drawn as partners (see :func:`generator.model.bindings.profile_exchanges`)."""
    return bindings.profile_exchanges(fw, profile)


def _signature(g: Grouping) -> tuple:
    return (frozenset((t.profile, t.actor) for t in g.targets) | frozenset((t.domain, t.profile, t.actor) for t in g.external), g.when_option)


def _blanket(profile: Profile) -> list[Grouping]:
    """Required groupings that every actor of the profile has (IHE leaves them out of the figure)."""
    members = [a.actor for a in profile.actors]
    if len(members) < 2:
        return []
    required = [g for g in profile.groupings if g.kind == "required"]
    out, seen = [], set()
    for g in required:
        sig = _signature(g)
        if sig in seen:
            continue
        if all(any(_signature(h) == sig for h in required if h.actor == m) for m in members):
            seen.add(sig)
            out.append(g)
    return out


def _target_text(fw: Framework, g: Grouping) -> str:
    return " or ".join([f"{t.profile} {_actor_name(fw, t.actor)}" for t in g.targets] + [f"{t.domain} {t.profile} {_flat(t.actor)}" for t in g.external])


def profile_diagram(fw: Framework, profile: Profile, page: str | None = None) -> Diagram:
    page = page or site_paths.profile_page(profile.domain, profile.acronym)
    members = [a.actor for a in profile.actors]
    exchanges, external = _profile_edges(fw, profile)
    nodes = members + [a for a in external if a not in members]
    alias = {a: puml.alias("A_", a) for a in nodes}

    # A total order of the actors, initiators first, makes every line point "down" in
    # the layout, so an arrow in a label can say who initiates.
    score = {a: 0 for a in nodes}
    for ini, res, _ in exchanges:
        score[ini] += 1
        score[res] -= 1
    order = sorted(nodes, key=lambda a: (-score[a], nodes.index(a)))
    rank = {a: i for i, a in enumerate(order)}

    # A transaction an actor exchanges with itself is drawn only when it has no other
    # partner for it (ITI-19 between Secure Nodes is drawn between Node and Application).
    partnered = {(a, tx) for ini, res, tx in exchanges if ini != res for a in (ini, res)}
    exchanges = [(i, r, t) for i, r, t in exchanges if i != r or (i, t) not in partnered]
    edges: dict[tuple[str, str], _Edge] = {}
    glyphs: dict[tuple[str, str, str], str] = {}
    alt: list[str] = []
    for ini, res, tx_id in exchanges:
        upper, lower = (ini, res) if rank[ini] <= rank[res] else (res, ini)
        edges.setdefault((upper, lower), _Edge(upper, lower))
        glyph = "↓" if upper == ini else "↑"
        previous = glyphs.get((upper, lower, tx_id))
        glyphs[(upper, lower, tx_id)] = "↕" if previous and previous != glyph else glyph
        alt.append(f"{_actor_name(fw, ini)} initiates {_tx_label(fw, tx_id)} with {_actor_name(fw, res)}.")
    for (upper, lower, tx_id), glyph in glyphs.items():
        edges[(upper, lower)].labels.append(f"{_linked(_tx_label(fw, tx_id), _tx_url(fw, page, tx_id))} {glyph}")

    blanket = _blanket(profile)
    blanket_sigs = {_signature(g) for g in blanket}
    drawn: dict[str, list[Grouping]] = {}
    for g in profile.groupings:
        if g.kind == "required" and _signature(g) not in blanket_sigs:
            drawn.setdefault(g.actor, []).append(g)

    lines = ["@startuml", f"title {puml.text(profile.acronym + ' Actor Diagram')}", "skinparam defaultTextAlignment center"]

    def agent(actor_id: str, *, dashed: bool = False, note: str = "", name_alias: str | None = None) -> str:
        name = puml.text(_actor_name(fw, actor_id)) + (f"\\n({puml.text(note)})" if note else "")
        target = _actor_url(fw, page, actor_id)
        link = f" [[{puml.url(target)}]]" if target else ""
        return f'agent "{name}" as {name_alias or alias[actor_id]}{link}' + (" #line.dashed" if dashed else "")

    for number, actor_id in enumerate(order, start=1):
        if actor_id in drawn:
            groupings = drawn[actor_id]
            options = _unique(g.when_option for g in groupings if g.when_option)
            label = " / ".join(_option_name(profile, o) for o in options) if options else " "
            frame = f"G{number}"
            lines.append(f'rectangle "{puml.text(label) if label.strip() else " "}" as {frame} {{')
            lines.append("  " + agent(actor_id))
            for k, g in enumerate(groupings, start=1):
                box = f"{frame}_{k}"
                parts = []
                for t in g.targets:
                    where = f" ({puml.text(t.profile)})" if t.profile != profile.acronym else ""
                    parts.append(_linked(_actor_name(fw, t.actor), _actor_url(fw, page, t.actor)) + where)
                for t in g.external:  # outside the tree: no page to link to
                    parts.append(f"{puml.text(_flat(t.actor))} ({puml.text(t.domain + ' ' + t.profile)})")
                boxed = " or\\n".join(parts)
                lines.append(f'  agent "{boxed}" as {box} #line.dashed')
                condition = f" when the {_option_name(profile, g.when_option)} is claimed" if g.when_option else ""
                if g.condition:  # a condition in words is part of the fact, in the text alternative too
                    condition += f" ({' '.join(g.condition.split())})"
                alt.append(f"{_actor_name(fw, actor_id)} is grouped with {_target_text(fw, g)}{condition}.")
            lines.append("}")
        elif actor_id in external:
            lines.append(agent(actor_id, dashed=True, note=external[actor_id]))
        else:
            lines.append(agent(actor_id))
    for edge in edges.values():
        for labels in _label_chunks(edge.labels):
            label = "\\n".join(labels)
            lines.append(f'{alias[edge.upper]} -- {alias[edge.lower]} : "{label}"')
    for actor_id, groupings in drawn.items():
        frame = f"G{order.index(actor_id) + 1}"
        for k in range(1, len(groupings) + 1):
            lines.append(f"{alias[actor_id]} -[hidden]right- {frame}_{k}")
    for g in blanket:
        alt.append(f"Every actor of {profile.acronym} is grouped with {_target_text(fw, g)}.")
    lines.append("@enduml")
    return Diagram(
        key=f"profile-{profile.acronym}",
        kind="profile",
        title=_flat(f"{profile.acronym} Actor Diagram"),
        source="\n".join(lines) + "\n",
        alt_text=alt,
        page=page,
        loc=profile.loc,
    )


def _option_name(profile: Profile, option_id: str) -> str:
    option = profile.option(option_id)
    name = option.name if option else option_id
    return name if name.lower().endswith("option") else f"{name} Option"


# --------------------------------------------------------------------------- use cases

def use_case_diagram(fw: Framework, profile: Profile, use_case: UseCase, page: str | None = None) -> Diagram:
    page = page or site_paths.profile_page(profile.domain, profile.acronym)
    if use_case.diagram is not None:  # dividers, notes, fragments...: drawn by .sequence
        return use_case_sequence(fw, profile, use_case, page, lambda t: _tx_url(fw, page, t), lambda t: _tx_label(fw, t))
    actors = _unique(a for step in use_case.steps for a in (step.from_actor, step.to_actor) if a)
    alias = {a: puml.alias("P_", a) for a in actors}
    title = f"{_flat(use_case.title)}: Process Flow"
    lines = ["@startuml", f"title {puml.text(title)}", "hide footbox"]
    for actor_id in actors:
        lines.append(_participant(fw, page, alias[actor_id], [actor_id]))
    lines.append("autonumber")
    alt: list[str] = []
    line_locs = {}
    for number, step in enumerate(use_case.steps, start=1):
        sender = alias[step.from_actor]
        receiver = alias[step.to_actor] if step.to_actor else sender
        text = puml.lines(step.text, LABEL_WIDTH)
        if step.transaction:
            label = _linked(_tx_label(fw, step.transaction), _tx_url(fw, page, step.transaction)) + "\\n" + text
            arrow = "->"
        else:
            label = text
            arrow = "-->" if step.to_actor else "->"
        lines.append(f"{sender} {arrow} {receiver} : {label}")
        line_locs[len(lines)] = step.loc
        route = _actor_name(fw, step.from_actor) + (f" to {_actor_name(fw, step.to_actor)}" if step.to_actor else "")
        what = f", {_tx_label(fw, step.transaction)}" if step.transaction else ""
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
