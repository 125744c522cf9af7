"""Applying a change proposal: the supplements' :func:`~generator.supplements.apply` for its amendments, plus its message edits.

Pure functions: nothing is read or written. The message edits (a transaction
message's trigger events, semantics or expected actions) are the one kind of
change a CP makes that a supplement's amendments do not; they are applied here,
on the result of the supplement operations, and recorded as
:class:`~generator.supplements.apply.Change` values with the key
``("message", transaction, message, field)``, so conflicts are found the same way.
"""

from __future__ import annotations

import copy

from ..check.references import suggestion
from ..model import Framework
from ..problems import Problem, error
from ..supplements.apply import Applied, Change, appended, apply, canonical
from ..supplements.model import Amendment
from .model import ChangeProposal, as_supplement


def apply_change_proposal(fw: Framework, cp: ChangeProposal) -> Applied:
    """``fw`` with every change of ``cp`` made; ``fw`` itself is never changed."""
    applied = apply(fw, as_supplement(cp))
    apply_message_edits(applied, cp)
    return applied


def apply_message_edits(applied: Applied, cp: ChangeProposal) -> None:
    """Make ``cp``'s message edits in ``applied`` (which the supplement operations produced)."""
    for a in cp.message_edits:
        problem = _message_edit(applied, a)
        if problem is not None:
            applied.problems.append(problem)


def message_of(fw: Framework, a: Amendment):
    """(transaction, message) the edit names, or a located problem."""
    tx_id = a.data["transaction"]
    tx = fw.transactions.get(tx_id)
    if tx is None:
        return None, error(a.loc_of("transaction"), f"{a.op}: there is no transaction {tx_id}{suggestion(tx_id, list(fw.transactions))}", "supplement-target")
    names = [m.name for m in tx.messages]
    wanted = a.data["message"]
    if isinstance(wanted, int):  # its number, 1 for the first (as a diagram's ``message: N``): stable when names change
        index = wanted - 1 if 1 <= wanted <= len(tx.messages) else None
        if index is None:
            return None, error(a.loc_of("message"), f"{a.op}: {tx_id} has no message {wanted}; it has {len(tx.messages)}, numbered from 1", "supplement-target")
        return (tx, index), None
    index = next((i for i, m in enumerate(tx.messages) if m.name == wanted), None)
    if index is None:
        listed = ", ".join(f"'{n}'" for n in names) or "none"
        return None, error(a.loc_of("message"), f"{a.op}: {tx_id} has no message '{wanted}'{suggestion(wanted, names)}; its messages are {listed}", "supplement-target")
    return (tx, index), None


def _message_edit(applied: Applied, a: Amendment) -> Problem | None:
    fw = applied.framework
    found, problem = message_of(fw, a)
    if problem is not None:
        return problem
    tx, index = found
    field, text = a.data["field"], a.data["text"]
    old = getattr(tx.messages[index], field) or ""
    if a.op == "replace-message-text":
        was = a.data.get("was")
        if was is not None and was.strip() != old.strip():
            return error(a.loc_of("was"), f"{a.op}: the CP expects the {field} of '{tx.messages[index].name}' in {tx.id} to read as its 'was', but the framework has something else ({tx.messages[index].loc}); update the CP to the text as it is", "supplement-base")
        if old == text:
            return error(a.loc_of("text"), f"{a.op}: the {field} of '{tx.messages[index].name}' in {tx.id} already reads as this text; nothing to change", "supplement-base")
        new = text
    else:
        if text.strip("\n") in old:
            return error(a.loc_of("text"), f"{a.op}: the {field} of '{tx.messages[index].name}' in {tx.id} already contains this text; nothing to add", "supplement-base")
        new = appended(old, text)
    if ("transaction", tx.id) not in applied.touched:
        tx = copy.deepcopy(tx)  # the base keeps its own transaction
        fw.transactions[tx.id] = tx
        applied.touched.add(("transaction", tx.id))
    setattr(tx.messages[index], field, new)
    mode = "append" if a.op == "append-message-text" else "set"
    applied.changes.append(Change(("message", tx.id, tx.messages[index].name, field), canonical([a.op, text]), a.loc, ("transaction", tx.id), mode))
    return None
