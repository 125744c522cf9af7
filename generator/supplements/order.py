"""The order open supplements are applied in: each after the supplements it ``depends_on``.

A supplement may build on another open one (a profile using a transaction that
another supplement adds). Such a supplement is checked, documented and published on
top of its dependencies, never on the bare volumes; this module says in which order,
and reports the dependencies that cannot hold (unknown, final-text, circular), each
at the line that states it. Pure: no files are read here.
"""

from __future__ import annotations

from ..check.references import suggestion
from ..problems import Problem, error
from .model import Supplement

RULE = "supplement-dependency"


def dependency_order(supplements: list[Supplement]) -> tuple[list[Supplement], list[Problem]]:
    """The open supplements in the order to apply them, and the problems of their ``depends_on``.

    Without dependencies the order is the one supplements always had (domain, then id);
    a supplement comes after everything it depends on. A dependency that cannot hold
    is reported and left out of the order's constraints."""
    by_id = {s.id: s for s in supplements}
    open_ = sorted((s for s in supplements if s.is_open), key=lambda s: (s.domain, s.id))
    problems: list[Problem] = []
    edges: dict[str, list[str]] = {s.id: [] for s in open_}
    for s in open_:
        for i, dep in enumerate(s.depends_on):
            loc = s.doc.loc(("depends_on", i))
            other = by_id.get(dep)
            if dep == s.id:
                problems.append(error(loc, f"supplement '{s.id}' depends on itself; remove it from depends_on", RULE))
            elif other is None:
                problems.append(error(loc, f"supplement '{s.id}' depends on '{dep}', which is no supplement of this tree{suggestion(dep, sorted(by_id))}", RULE))
            elif not other.is_open:
                problems.append(
                    error(loc, f"supplement '{s.id}' depends on '{dep}', which is {other.status}: its changes are in the volumes already; remove it from depends_on", RULE)
                )
            else:
                edges[s.id].append(dep)
    ordered: list[Supplement] = []
    state: dict[str, int] = {}  # 1: being placed, 2: placed

    def place(s: Supplement, path: list[str]) -> None:
        state[s.id] = 1
        for i, dep in enumerate(s.depends_on):
            if dep not in edges[s.id]:
                continue
            if state.get(dep) == 1:
                cycle = path[path.index(dep):] + [s.id, dep] if dep in path else [s.id, dep]
                problems.append(
                    error(
                        s.doc.loc(("depends_on", i)),
                        f"circular supplement dependency: {' -> '.join(cycle)}; one of these supplements must not depend on the other",
                        RULE,
                    )
                )
            elif not state.get(dep):
                place(by_id[dep], path + [s.id])
        state[s.id] = 2
        ordered.append(s)

    for s in open_:
        if not state.get(s.id):
            place(s, [])
    return ordered, problems


def prerequisites(supp: Supplement, ordered: list[Supplement]) -> list[Supplement]:
    """Every open supplement ``supp`` builds on, directly or not, in the order they are applied."""
    by_id = {s.id: s for s in ordered}
    needed: set[str] = set()
    todo = [d for d in supp.depends_on if d in by_id]
    while todo:
        dep = todo.pop()
        if dep in needed or dep == supp.id:
            continue
        needed.add(dep)
        todo.extend(d for d in by_id[dep].depends_on if d in by_id)
    return [s for s in ordered if s.id in needed]
