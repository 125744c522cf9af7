"""PlantUML for the diagrams that follow from the model, drawn as IHE draws them.

* A transaction's **interaction diagram** (IHE ITI TF-2, "Interaction Diagram"): the
  actors in their roles as participants (initiators left, responders right; several
  actors in one role share a box, "A / B", as IHE labels alternatives), every message
  in order, requests solid and responses dashed, numbered, titled "Name [ID]"; each
  actor links to its page and each message to its section of the transaction page.
* A profile's **actor diagram** (TF-1, "Actors and Transactions"): :mod:`.actor_diagram`.
* A use case's **process flow**: :mod:`.use_case_diagram`.

Every name and label comes from the model and is escaped (:mod:`.puml`); links are
relative to the page that shows the diagram (``site_paths.url_link``).
"""

from __future__ import annotations

from ..model import Framework, Transaction, bindings
from ..render import site_paths
from . import puml
from .actor_diagram import profile_diagram
from .core import Diagram
from .use_case_diagram import use_case_diagram


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

def transaction_diagram(fw: Framework, tx: Transaction, page: str | None = None) -> Diagram:
    page = page or site_paths.transaction_page(tx.domain, tx.id)
    roles = bindings.all_roles(fw, tx)  # Volume 2: every role, whichever profile binds it
    initiators = _unique(r.actor for r in roles if r.role == "initiator")
    responders = _unique(r.actor for r in roles if r.role == "responder")
    lines = ["@startuml", f"title {puml.text(tx.label)}", "hide footbox"]
    left = right = None  # participant aliases: initiators on the left, responders on the right
    if initiators:
        lines.append(_participant(fw, page, "Initiator", initiators))
        left = "Initiator"
    if responders:
        lines.append(_participant(fw, page, "Responder", responders))
        right = "Responder"
    lines.append("autonumber")
    left, right = left or right, right or left  # one side missing: messages to itself
    names = {"Initiator": _join_names(fw, initiators), "Responder": _join_names(fw, responders)}
    alt: list[str] = []
    line_locs = {}
    if left:
        for participant in _unique([left, right]):
            lines.append(f"activate {participant}")
        tx_page = site_paths.transaction_page(tx.domain, tx.id)
        # each interaction of a transaction of several (ITI-108) is a group around its messages
        opens = {g.messages[0]: g for g in tx.interactions if g.messages}
        closes = {g.messages[-1] for g in tx.interactions if g.messages}
        for number, message in enumerate(tx.messages, start=1):
            if number - 1 in opens:
                lines.append(f"group {puml.text(_flat(opens[number - 1].name))}")
                line_locs[len(lines)] = opens[number - 1].loc
                alt.append(f"{_flat(opens[number - 1].name)}:")
            if message.type == "request":
                sender, receiver, arrow, verb = left, right, "->", "sends"
            else:
                sender, receiver, arrow, verb = right, left, "-->", "returns"
            # Each message links to its section of the transaction page (views: "message-N").
            target = site_paths.url_link(page, tx_page, f"message-{number}")
            label = f" : {_linked(message.name, target)}" if _flat(message.name) else ""  # an unlabelled reply, as published
            lines.append(f"{sender} {arrow} {receiver}{label}")
            line_locs[len(lines)] = message.loc
            what = _flat(message.name) or f"a {message.type}"
            alt.append(f"{number}. {names[sender]} {verb} {what} to {names[receiver]} ({message.type}).")
            if number - 1 in closes:
                lines.append("end")
        for participant in reversed(_unique([left, right])):
            lines.append(f"deactivate {participant}")
    lines.append("@enduml")
    return Diagram(
        key=f"tx-{tx.id}",
        kind="transaction",
        title=_flat(tx.label),
        source="\n".join(lines) + "\n",
        alt_text=alt,
        page=page,
        loc=tx.loc,
        line_locs=line_locs,
    )


# --------------------------------------------------------------------------- profiles and use cases
# Drawn by their own modules (actor_diagram, use_case_diagram); named here, where they always were.
