"""Which actor plays which role of a transaction *in a given profile*, and who really talks to whom.

A transaction's file names the roles it has always had; a profile that reuses the
transaction (a FHIR profile reusing ITI-83) binds its own actors to those roles in its
own file (``actors[].transactions[].role``), so that adding it never changes another
profile's tables or diagrams. A profile may also list its real exchanges
(``exchanges: [{transaction, initiator, responder}]``) where not every initiator
talks to every responder. Volume 2 shows the union of all bindings; each profile
shows its own. Pages, diagrams and checks all ask here, so they agree.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from .entities import Framework, Profile, Role, Transaction

ROLES = ("initiator", "responder")


def _profiles(fw: Framework) -> list[Profile]:
    """Volume order, computed here (not in render.numbering) so the model needs nothing above it."""
    return sorted(fw.profiles.values(), key=lambda p: (p.domain, p.chapter if isinstance(p.chapter, int) else 1 << 30, p.acronym))


def roles_in_profile(fw: Framework, profile: Profile, actor_id: str, tx_id: str) -> list[str]:
    """The roles ``actor_id`` plays in ``tx_id`` within ``profile``, in IHE order (initiator first).

    A row's own ``role`` binds it; without one, the transaction's file says."""
    pa = profile.actor(actor_id)
    use = next((u for u in pa.transactions if u.transaction == tx_id), None) if pa else None
    if use is not None and use.role:
        return [use.role]
    tx = fw.transactions.get(tx_id)
    if tx is None:
        return []
    own = {r.role for r in tx.roles if r.actor == actor_id}
    return [r for r in ROLES if r in own]


# While a whole site's pages are computed (render.views.indexed), the profile rows that bind a
# role, by transaction, in volume order: one scan of the profiles instead of one per transaction
# page (quadratic: most of the supplement documents' time at IHE size).
_BINDINGS: tuple[Framework, dict[str, list]] | None = None


@contextmanager
def indexed(fw: Framework) -> Iterator[None]:
    """Within the block, :func:`bound_roles` on ``fw`` reads a lookup computed once (``fw`` must not change meanwhile)."""
    global _BINDINGS
    rows: dict[str, list] = {}
    for p in _profiles(fw):
        for pa in p.actors:
            for use in pa.transactions:
                if use.role:
                    rows.setdefault(use.transaction, []).append((p, pa, use))
    previous, _BINDINGS = _BINDINGS, (fw, rows)
    try:
        yield
    finally:
        _BINDINGS = previous


def bound_roles(fw: Framework, tx: Transaction) -> list[tuple[Role, str]]:
    """Every role of ``tx`` across the framework: the file's roles ("" profile), then each
    profile binding that adds one, with the acronym of the first profile that binds it."""
    out: list[tuple[Role, str]] = [(r, "") for r in tx.roles]
    seen = {(r.actor, r.role) for r in tx.roles}
    if _BINDINGS is not None and _BINDINGS[0] is fw:
        rows = _BINDINGS[1].get(tx.id, ())
    else:
        rows = ((p, pa, use) for p in _profiles(fw) for pa in p.actors for use in pa.transactions if use.transaction == tx.id and use.role)
    for p, pa, use in rows:
        if (pa.actor, use.role) not in seen:
            seen.add((pa.actor, use.role))
            out.append((Role(pa.actor, use.role, "", use.loc), p.acronym))
    return out


def all_roles(fw: Framework, tx: Transaction) -> list[Role]:
    return [r for r, _ in bound_roles(fw, tx)]


def _users(fw: Framework, profile: Profile, tx_id: str, role: str) -> list[str]:
    """The actors of ``profile`` using ``tx_id`` in ``role``: in the order of the transaction's
    roles (as its diagram lists them), then those only this profile binds, in profile order."""
    found = [pa.actor for pa in profile.actors if any(u.transaction == tx_id for u in pa.transactions) and role in roles_in_profile(fw, profile, pa.actor, tx_id)]
    listed = [r.actor for r in fw.transactions[tx_id].roles] if tx_id in fw.transactions else []
    return sorted(found, key=lambda a: (listed.index(a) if a in listed else len(listed), found.index(a)))


def profile_exchanges(fw: Framework, profile: Profile) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """(initiator, responder, transaction id) for every exchange the profile's actors take part in,
    and the actors of other profiles drawn as partners (actor id -> acronym of the profile
    in which that actor plays the other side).

    * Where the profile lists ``exchanges`` for a transaction, exactly those.
    * Otherwise every initiator of the profile with every responder of the profile, both
      bound (by the row or the transaction's file) in this profile.
    * An actor with no partner in the profile is paired with the actors that play the
      other side of the transaction in another profile: a real exchange across profiles.
      An actor the transaction's file names but that no profile uses that way is not drawn.
    """
    exchanges: list[tuple[str, str, str]] = []
    external: dict[str, str] = {}
    members = [pa.actor for pa in profile.actors]
    stated = {e.transaction for e in profile.exchanges}
    ordered: list[Profile] | None = None

    def add(pair: tuple[str, str, str]) -> None:
        if pair not in exchanges:
            exchanges.append(pair)

    for pa in profile.actors:
        for use in pa.transactions:
            tx_id = use.transaction
            if tx_id not in fw.transactions:
                continue
            if tx_id in stated:
                for e in profile.exchanges:
                    if e.transaction == tx_id and pa.actor in (e.initiator, e.responder):
                        add((e.initiator, e.responder, tx_id))
                continue
            for role in roles_in_profile(fw, profile, pa.actor, tx_id):
                other = "responder" if role == "initiator" else "initiator"
                partners = _users(fw, profile, tx_id, other)
                if not partners:
                    ordered = ordered if ordered is not None else _profiles(fw)
                    for q in ordered:
                        if q.acronym == profile.acronym:
                            continue
                        for actor_id in _users(fw, q, tx_id, other):
                            if actor_id not in members and actor_id not in partners:
                                external.setdefault(actor_id, q.acronym)
                                partners.append(actor_id)
                for partner in partners:
                    add((pa.actor, partner, tx_id) if role == "initiator" else (partner, pa.actor, tx_id))
    return exchanges, external
