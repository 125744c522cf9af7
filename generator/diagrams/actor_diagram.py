"""A profile's actor diagram (TF-1, "Actors and Transactions"), drawn as IHE draws it.

* Actors are boxes; each links to its page.
* One straight line for each pair of actors that really exchange
  transactions in this profile (``bindings.profile_exchanges``: the profile's stated
  exchanges, or its initiators with its responders), labelled with every such
  transaction, each label a link; the arrowhead points from initiator to responder
  (both ends when each initiates it with the other), and a pair whose transactions go
  both ways gets a line for each direction.
* A grouping is drawn as IHE does: the actor and the actors it is grouped with side
  by side in one frame. The grouped box is solid when the grouping is required,
  dashed when it is required only with an option or a condition (which it names),
  dotted when it is recommended; actors of other profiles that are partners of an
  exchange are grey. A legend under the picture says so whenever one of them is drawn.
  Groupings every actor of the profile shares (CT Time Client, ATNA Secure Node) are
  left out of the picture, as IHE does, and stated in the text alternative.
* The picture flows left to right or top down, whichever is estimated narrower
  (:func:`_direction`), and every name and label is wrapped (``NAME_WIDTH``,
  ``LABEL_WIDTH``), so that it fits a page column.

The layout engine is Graphviz's dot with straight (polyline) lines when Graphviz is
installed, else PlantUML's built-in smetana (the same layout, drawn with curves); the
runtime chooses (``runtime.style``). Measured on the example's largest profiles (XDS.b,
ATNA, MHD) dot's straight lines cross nowhere and keep their labels beside them,
at about smetana's width; ELK is not in the pinned PlantUML jar (its ``!pragma layout elk`` fails
with ClassNotFoundException); dot's orthogonal lines put labels on top of each
other. The README, "Diagrams", has the numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Framework, Grouping, Profile, bindings
from ..render import site_paths
from . import puml
from .core import Diagram
from .model_names import (
    actor_name,
    actor_url,
    flat,
    linked_lines,
    tx_label,
    tx_url,
    wrapped,
)

NAME_WIDTH = 16  # characters per line of an actor's name
LABEL_WIDTH = 20  # characters per line of a transaction label
LINETYPE = "polyline"  # straight segments (Graphviz); smetana, the fallback, draws curves whatever this says
SIDE_BY_SIDE = 1  # an actor with more grouped actors than this has them in the next column (or row)
PER_ROW = 3  # ... at most this many abreast, the rest in further rows (MHDS groups nine)

# Estimated widths, in pixels, of PlantUML's default fonts (14 px names, 13 px labels), to
# choose the direction in which the picture is narrower (see _direction).
NAME_CHAR_PX, LABEL_CHAR_PX, BOX_PAD_PX, GAP_PX = 7.0, 7.2, 30, 40

# PlantUML fails on source lines of about 2,000 characters (diagrams/limits.py refuses lines over
# 1,500): the labels of one edge, long names and their links, are spread over parallel edges
# between the same two actors rather than joined on one line.
EDGE_LABEL_CHARS = 1_000

LEGEND = {
    "frame": "Actors in one frame are grouped: implemented together.",
    "required": "Solid box: a required grouping.",
    "conditional": "Dashed box: required only with the option or condition named in it.",
    "recommended": "Dotted box: a recommended grouping.",
    "external": "Grey box: an actor of another profile that exchanges a transaction with this one.",
}
_BOX_STYLE = {"required": "", "conditional": " #line.dashed", "recommended": " #line.dotted"}
EXTERNAL_FILL = "#E6E6E6"
NEWLINE = "\\n"  # a line break inside a PlantUML label


@dataclass
class _Edge:
    initiator: str
    responder: str
    labels: list[str] = field(default_factory=list)  # PlantUML text, one per transaction
    both_ways: bool = False  # each side initiates each of its transactions (Authenticate Node between Secure Nodes)


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


def _signature(g: Grouping) -> tuple:
    return (
        frozenset((t.profile, t.actor) for t in g.targets) | frozenset((t.domain, t.profile, t.actor) for t in g.external),
        g.when_option, g.kind, " ".join(g.condition.split()),
    )


def _blanket(profile: Profile) -> list[Grouping]:
    """Groupings that every actor of the profile has (IHE leaves them out of the figure)."""
    members = [a.actor for a in profile.actors]
    if len(members) < 2:
        return []
    out, seen = [], set()
    for g in profile.groupings:
        sig = _signature(g)
        if sig in seen:
            continue
        if all(any(_signature(h) == sig for h in profile.groupings if h.actor == m) for m in members):
            seen.add(sig)
            out.append(g)
    return out


def grouping_kind(g: Grouping) -> str:
    """"required", "conditional" (required with an option or a condition) or "recommended"."""
    if g.kind == "recommended":
        return "recommended"
    return "conditional" if g.when_option or g.condition.strip() else "required"


def _target_text(fw: Framework, g: Grouping) -> str:
    return " or ".join([f"{t.profile} {actor_name(fw, t.actor)}" for t in g.targets] + [f"{t.domain} {t.profile} {flat(t.actor)}" for t in g.external])


def _option_name(profile: Profile, option_id: str) -> str:
    option = profile.option(option_id)
    name = option.name if option else option_id
    return name if name.lower().endswith("option") else f"{name} Option"


_LINK_RE = re.compile(r"\[\[\S+ ([^\]]*)\]\]")


def _plain(label: str) -> str:
    """A PlantUML label without its link targets, for estimating its width."""
    return re.sub(r"<U\+[0-9A-F]{4}>", "x", _LINK_RE.sub(r"\1", label))


def _chars(label: str) -> int:
    """The longest line of a PlantUML label, in characters, for estimating its width."""
    return max(len(line) for line in _plain(label).split(NEWLINE))


def _grouped_box(fw: Framework, profile: Profile, page: str, g: Grouping) -> str:
    """The text of the box for the actors ``g.actor`` is grouped with, and what the grouping depends on."""
    parts = []
    for t in g.targets:
        where = f" ({puml.text(t.profile)})" if t.profile != profile.acronym else ""
        parts.append(linked_lines(actor_name(fw, t.actor), actor_url(fw, page, t.actor), NAME_WIDTH) + where)
    for t in g.external:  # outside the tree: no page to link to
        parts.append("\\n".join(puml.text(p) for p in wrapped(t.actor, NAME_WIDTH)) + f" ({puml.text(t.domain + ' ' + t.profile)})")
    boxed = " or\\n".join(parts)
    if g.when_option:
        boxed += "\\n" + "\\n".join(puml.text(p) for p in wrapped(f"with the {_option_name(profile, g.when_option)}", NAME_WIDTH + 4))
    elif g.condition.strip():
        boxed += "\\n" + puml.text("(conditional)")
    elif g.kind == "recommended":
        boxed += "\\n" + puml.text("(recommended)")
    return boxed


def _header(layout: str, linetype: str) -> list[str]:
    lines = ["@startuml"]
    if layout == "smetana":
        lines.append("!pragma layout smetana")  # otherwise the runtime's choice (runtime.STYLE)
    if linetype:
        lines.append(f"skinparam linetype {linetype}")
    return lines + ["skinparam defaultTextAlignment center", "skinparam legendBackgroundColor #FFFFFF", "skinparam legendFontSize 12"]


def _ranks(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Each actor's column (left to right) or row (top down): the longest chain of initiators before it.

    ``nodes`` are in drawing order (initiators first); a line against that order (one
    of a pair that exchanges both ways) does not push its responder further."""
    index = {a: i for i, a in enumerate(nodes)}
    rank = {a: 0 for a in nodes}
    for a in nodes:  # in order: every forward line's initiator is ranked before its responder
        for ini, res in edges:
            if res == a and index[ini] < index[a]:
                rank[a] = max(rank[a], rank[ini] + 1)
    return rank


def _direction(nodes: list[str], node_chars: dict[str, int], edges: dict[tuple[str, str], int], grouped: dict[str, list[int]]) -> str:
    """"left to right" or "top to bottom", whichever is estimated narrower.

    A layered layout puts each rank of actors in a column (left to right: the width
    is the sum of the columns and of the widest label between each two) or in a row
    (top down: the width is the widest row of actors, or of the labels of the lines
    leaving a row, which stand side by side). Measured against PlantUML's pictures of
    the example's profiles, the estimate picks the narrower direction for each.
    A grouped actor's frame is as wide as its boxes side by side, or in a column.
    Ties go to left to right, as most IHE actor diagrams are drawn.
    """
    rank = _ranks(nodes, list(edges))

    def px(chars: int) -> float:
        return chars * NAME_CHAR_PX + BOX_PAD_PX

    # a frame: its actor and grouped boxes side by side across the flow, at most SIDE_BY_SIDE
    # of them; more take a column (or row) of their own, the widest of them wide
    across = {a: px(node_chars[a]) + sum(px(c) + GAP_PX for c in grouped.get(a, [])[:SIDE_BY_SIDE] if len(grouped.get(a, [])) <= SIDE_BY_SIDE) for a in nodes}
    along = {a: px(node_chars[a]) + (max(px(c) for c in grouped[a]) + GAP_PX if len(grouped.get(a, [])) > SIDE_BY_SIDE else 0) for a in nodes}
    # the grid of many grouped boxes (PER_ROW abreast) is as wide as its widest row
    grid = {a: min(PER_ROW, len(grouped.get(a, []))) * (max([px(c) for c in grouped.get(a, [])], default=0) + GAP_PX)
            if len(grouped.get(a, [])) > SIDE_BY_SIDE else 0 for a in nodes}
    stacked = {a: max([px(node_chars[a])] + [px(c) for c in grouped.get(a, []) if len(grouped[a]) <= SIDE_BY_SIDE]) for a in nodes}
    label = {pair: chars * LABEL_CHAR_PX for pair, chars in edges.items()}
    ranks = sorted(set(rank.values()))
    # left to right: grouped boxes stack across the line of the rank (or take a column of their own)
    lr = 0.0
    for r in ranks:
        members = [a for a in nodes if rank[a] == r]
        lr += max(max(stacked[a], along[a]) for a in members) + GAP_PX
        between = [w for (ini, res), w in label.items() if rank[ini] == r and rank[res] > r]
        lr += max(between, default=0) + GAP_PX
    # top down: grouped boxes stand side by side in the row, and the labels of the lines
    # that leave a row stand side by side under it
    tb = 0.0
    for r in ranks:
        members = [a for a in nodes if rank[a] == r]
        row = sum(max(across[a], grid[a]) + GAP_PX for a in members)
        band = sum(w + GAP_PX for (ini, res), w in label.items() if rank[ini] == r and ini != res)
        tb = max(tb, row, band)
    return "left to right" if lr <= tb else "top to bottom"


def profile_diagram(fw: Framework, profile: Profile, page: str | None = None, *, layout: str = "",
                    linetype: str = LINETYPE, direction: str = "") -> Diagram:
    """The profile's actor diagram. ``layout`` ("smetana", "dot") and ``direction`` override
    the choices made for the site (the runtime's engine; the narrower direction), for measuring."""
    page = page or site_paths.profile_page(profile.domain, profile.acronym)
    members = [a.actor for a in profile.actors]
    exchanges, external = bindings.profile_exchanges(fw, profile)
    nodes = members + [a for a in external if a not in members]
    alias = {a: puml.alias("A_", a) for a in nodes}

    # Initiators first: PlantUML places a line's first actor above the second, so most
    # lines point down and the picture grows down the page rather than across it.
    score = {a: 0 for a in nodes}
    for ini, res, _ in exchanges:
        score[ini] += 1
        score[res] -= 1
    order = sorted(nodes, key=lambda a: (-score[a], nodes.index(a)))

    # A transaction an actor exchanges with itself is drawn only when it has no other
    # partner for it (ITI-19 between Secure Nodes is drawn between Node and Application).
    partnered = {(a, tx) for ini, res, tx in exchanges if ini != res for a in (ini, res)}
    exchanges = [(i, r, t) for i, r, t in exchanges if i != r or (i, t) not in partnered]
    edges: dict[tuple, _Edge] = {}
    alt: list[str] = []
    for ini, res, tx_id in exchanges:
        edge = edges.setdefault((ini, res), _Edge(ini, res))
        label = linked_lines(tx_label(fw, tx_id), tx_url(fw, page, tx_id), LABEL_WIDTH, label=True)
        if label not in edge.labels:
            edge.labels.append(label)
        alt.append(f"{actor_name(fw, ini)} initiates {tx_label(fw, tx_id)} with {actor_name(fw, res)}.")
    # A transaction that each of two actors initiates with the other is one line with two arrowheads.
    for (ini, res), edge in list(edges.items()):
        back = edges.get((res, ini))
        if back is None or back is edge or edge.both_ways or order.index(ini) > order.index(res):
            continue
        common = [label for label in edge.labels if label in back.labels]
        if common:
            edge.labels = [label for label in edge.labels if label not in common]
            back.labels = [label for label in back.labels if label not in common]
            edges[(ini, res, "both")] = _Edge(ini, res, common, both_ways=True)
    edges = {key: edge for key, edge in edges.items() if edge.labels}

    blanket = _blanket(profile)
    blanket_sigs = {_signature(g) for g in blanket}
    drawn: dict[str, list[Grouping]] = {}
    for g in profile.groupings:
        if _signature(g) not in blanket_sigs:
            drawn.setdefault(g.actor, []).append(g)

    def name_text(actor_id: str) -> str:
        return "\\n".join(puml.text(p) for p in wrapped(actor_name(fw, actor_id), NAME_WIDTH))

    boxes = {a: [_grouped_box(fw, profile, page, g) for g in gs] for a, gs in drawn.items()}
    if not direction:
        chars = {a: _chars(name_text(a)) for a in nodes}
        widths: dict[tuple[str, str], int] = {}
        for e in edges.values():
            pair = (e.initiator, e.responder)
            widths[pair] = max([widths.get(pair, 0)] + [_chars(label) for label in e.labels])
        direction = _direction(order, chars, widths, {a: [_chars(b) for b in bs] for a, bs in boxes.items()})
    lines = _header(layout, linetype)
    lines += [f"title {puml.text(profile.acronym + ' Actor Diagram')}", f"{direction} direction"]
    used: list[str] = []

    def agent(actor_id: str, *, note: str = "") -> str:
        name = name_text(actor_id) + (f"\\n({puml.text(note)})" if note else "")
        target = actor_url(fw, page, actor_id)
        link = f" [[{puml.url(target)}]]" if target else ""
        fill = f" {EXTERNAL_FILL}" if note else ""
        return f'agent "{name}" as {alias[actor_id]}{link}{fill}'

    for number, actor_id in enumerate(order, start=1):
        if actor_id in drawn:
            frame = f"G{number}"
            lines.append(f'rectangle " " as {frame} {{')
            lines.append("  " + agent(actor_id))
            used.append("frame")
            for k, (g, boxed) in enumerate(zip(drawn[actor_id], boxes[actor_id]), start=1):
                kind = grouping_kind(g)
                used.append(kind)
                lines.append(f'  agent "{boxed}" as {frame}_{k}{_BOX_STYLE[kind]}')
                condition = f" when the {_option_name(profile, g.when_option)} is claimed" if g.when_option else ""
                if g.condition:  # a condition in words is part of the fact, in the text alternative too
                    condition += f" ({' '.join(g.condition.split())})"
                verb = "should be" if kind == "recommended" else "is"
                alt.append(f"{actor_name(fw, actor_id)} {verb} grouped with {_target_text(fw, g)}{condition}.")
            lines.append("}")
        elif actor_id in external:
            used.append("external")
            lines.append(agent(actor_id, note=external[actor_id]))
        else:
            lines.append(agent(actor_id))
    for edge in edges.values():
        for labels in _label_chunks(edge.labels):
            label = "\\n".join(labels)
            arrow = "<-->" if edge.both_ways else "-->"
            lines.append(f'{alias[edge.initiator]} {arrow} {alias[edge.responder]} : "{label}"')
    for actor_id, groupings in drawn.items():
        frame = f"G{order.index(actor_id) + 1}"
        # Side by side across the picture's flow; more than SIDE_BY_SIDE in a column of their own.
        link = "-[hidden]-" if len(groupings) > SIDE_BY_SIDE else "-[hidden]right-"  # "right": across the flow, either way
        for k in range(1, len(groupings) + 1):
            # in rows of PER_ROW: the first row hangs from the actor, each later box from the one above it
            above = alias[actor_id] if k <= PER_ROW or len(groupings) <= SIDE_BY_SIDE else f"{frame}_{k - PER_ROW}"
            lines.append(f"{above} {link} {frame}_{k}")
    for g in blanket:
        verb = "should be" if g.kind == "recommended" else "is"
        alt.append(f"Every actor of {profile.acronym} {verb} grouped with {_target_text(fw, g)}.")
    legend = [LEGEND[k] for k in LEGEND if k in used]
    if legend:
        lines += ["legend bottom left", *(puml.text(line) for line in legend), "endlegend"]
    lines.append("@enduml")
    return Diagram(
        key=f"profile-{profile.acronym}",
        kind="profile",
        title=flat(f"{profile.acronym} Actor Diagram"),
        source="\n".join(lines) + "\n",
        alt_text=alt,
        page=page,
        loc=profile.loc,
    )
