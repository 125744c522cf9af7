"""Reading back the PlantUML sequence source tfpub generates, for the sequence tests.

Only the subset tfpub writes (``generator/diagrams/sequence.py``): participants,
``A -> B : label`` arrows, ``== divider ==``, ``group``/``alt``/``else``/``opt``/``loop``
... ``end``, ``note over|left of|right of``, ``activate``/``deactivate`` and
``autonumber`` and ``title``. Labels come back as shown: links reduced to their text, ``<U+XXXX>``
decoded, ``\\n`` a line break. The structure is given as facts.json gives it:
``(kind, label, message indices)``, a note also with its position and participants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_LINK = re.compile(r"\[\[\S+ ([^\]]*)\]\]")
_CODE = re.compile(r"<U\+([0-9A-F]{4,6})>")
_PARTICIPANT = re.compile(r'^participant "(.*)" as (\w+)(?: \[\[.*\]\])?$')
_ARROW = re.compile(r"^(\w+) (-->|->) (\w+)(?: : (.*))?$")
_NOTE = re.compile(r"^note (over|left of|right of) ([\w, ]+?) : (.*)$")
_FRAGMENT = re.compile(r"^(group|alt|else|opt|loop)(?: (.*))?$")


def shown(value: str) -> str:
    """PlantUML label text as the picture shows it."""
    value = _LINK.sub(lambda m: m.group(1), value)
    value = _CODE.sub(lambda m: chr(int(m.group(1), 16)), value)
    return value.replace("\\n", "\n")


@dataclass
class ReadSequence:
    title: str | None = None  # None: the picture has no title
    participants: dict[str, str] = field(default_factory=dict)  # alias -> shown name (box names joined " / ")
    autonumber: bool = False
    messages: list[tuple[str, str, str]] = field(default_factory=list)  # (from, to, label)
    arrows: list[str] = field(default_factory=list)
    structure: list[tuple] = field(default_factory=list)

    @property
    def participant_names(self) -> list[str]:
        return list(self.participants.values())


def parse(source: str) -> ReadSequence:
    seq = ReadSequence()
    open_fragments: list[list] = []  # [kind, label, first message index]
    active: dict[str, list[int]] = {}  # alias -> start indices
    dividers: list[list] = []
    for raw in source.splitlines():
        line = raw.strip()
        if line.startswith("title "):
            seq.title = shown(line[len("title "):])
        elif m := _PARTICIPANT.match(line):
            names = [" ".join(shown(part).split()) for part in m.group(1).split(" /\\n")]
            seq.participants[m.group(2)] = " / ".join(names)
        elif line == "autonumber":
            seq.autonumber = True
        elif m := _ARROW.match(line):
            sender, receiver = seq.participants[m.group(1)], seq.participants[m.group(3)]
            label = shown(m.group(4) or "")
            seq.messages.append((sender, receiver, label))
            seq.arrows.append("dashed" if m.group(2) == "-->" else "solid")
            if m.group(1) == m.group(3):
                seq.structure.append(("self-message", label, (len(seq.messages) - 1,)))
        elif line.startswith("== ") and line.endswith(" =="):
            dividers.append([shown(line[3:-3]), len(seq.messages)])
        elif m := _NOTE.match(line):
            names = tuple(seq.participants[a.strip()] for a in m.group(2).split(","))
            seq.structure.append(("note", shown(m.group(3)), (len(seq.messages) - 1,) if seq.messages else (), m.group(1), names))
        elif line.split(" ")[0] in ("activate", "deactivate"):
            verb, alias = line.split(" ", 1)
            if verb == "activate":
                active.setdefault(alias, []).append(len(seq.messages))
            elif active.get(alias):
                start = active[alias].pop()
                seq.structure.append(("activate", seq.participants[alias], tuple(range(start, len(seq.messages)))))
        elif m := _FRAGMENT.match(line):
            if m.group(1) == "else" and open_fragments:
                kind, label, start = open_fragments.pop()
                seq.structure.append((kind, label, tuple(range(start, len(seq.messages)))))
            open_fragments.append([m.group(1), shown(m.group(2) or ""), len(seq.messages)])
        elif line == "end" and open_fragments:
            kind, label, start = open_fragments.pop()
            seq.structure.append((kind, label, tuple(range(start, len(seq.messages)))))
    for alias, starts in active.items():
        for start in starts:
            seq.structure.append(("activate", seq.participants[alias], tuple(range(start, len(seq.messages)))))
    for k, (label, start) in enumerate(dividers):
        end = dividers[k + 1][1] if k + 1 < len(dividers) else len(seq.messages)
        seq.structure.append(("divider", label, tuple(range(start, end))))
    return seq
