"""How Volume 1 arranges a domain's profiles under headings, in the navigation and on its index.

At sixty profiles a flat list in chapter order is long and says nothing about
what belongs together, so a domain may name its groups
(``publishing.navigation.profile_groups`` in ``domain.yaml``); without that the
profiles are grouped by type. Navigation and the Volume 1 index both take the
groups from here, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Framework, Profile
from . import numbering

OTHER = "Other Profiles"
TYPE_TITLES = {"workflow": "Workflow Profiles", "transport": "Transport Profiles", "content": "Content Profiles"}


@dataclass
class Group:
    title: str
    profiles: list[Profile]


def profile_groups(fw: Framework, domain: str) -> list[Group]:
    """The domain's profiles under their headings, every profile exactly once.

    Named groups keep the order the domain lists them in, each group's profiles too;
    profiles in no group follow under "Other Profiles" in chapter order. Names that
    are no profile of the domain are skipped here (the validator reports them).
    By default: one group per profile type present, in the order workflow,
    transport, content, each in chapter order.
    """
    ordered = numbering.profiles_in_order(fw, domain)
    configured = fw.domains[domain].profile_groups
    if configured is None:
        by_type = [Group(title, [p for p in ordered if p.type == kind]) for kind, title in TYPE_TITLES.items()]
        return [g for g in by_type if g.profiles]
    placed: set[str] = set()
    groups = []
    for g in configured:
        members = []
        for acronym in g.profiles:
            p = fw.profiles.get(acronym)
            if p is not None and p.domain == domain and acronym not in placed:
                placed.add(acronym)
                members.append(p)
        if members:
            groups.append(Group(g.title, members))
    rest = [p for p in ordered if p.acronym not in placed]
    if rest:
        groups.append(Group(OTHER, rest))
    return groups


# Volume 2 and the actor index have no topic of their own to group by, and at 130
# transactions or 120 actors a flat list is as long as the page. Past FLAT_LIMIT
# entries they are cut into runs of CHUNK, titled by their first and last entry,
# in the order they are listed (transaction number, actor name), so a reader who
# knows the id or the name knows where to open.
FLAT_LIMIT = 25
CHUNK = 20


def runs(entries: list, label) -> list[tuple[str, list]]:
    """``entries`` as [(title, entries)], or one untitled run when they are few.

    ``label(entry)`` is the text a run's title is made of ("ITI-1 – ITI-20", "Acquisition Modality – Content Consumer")."""
    if len(entries) <= FLAT_LIMIT:
        return [("", entries)]
    out = []
    for start in range(0, len(entries), CHUNK):
        chunk = entries[start : start + CHUNK]
        first, last = label(chunk[0]), label(chunk[-1])
        out.append((first if first == last else f"{first} \u2013 {last}", chunk))
    return out
