"""What a diagram may be, and what rendering may cost: types, sizes, memory and time.

Diagram text comes from specs written by many hands, and PlantUML has no resource
bounds of its own: a preprocessor loop that doubles a string fills any heap, 20,000
participants keep a JVM busy for minutes, a ``@startditaa`` block answers an SVG
request with PNG bytes, and a line over about 2,000 characters gets "Syntax Error?"
with no hint of the cause. So every diagram is checked here before PlantUML sees
it (a located error, at the spec node that caused it), and every batch runs with a
heap bound and a time bound (:mod:`.renderer` names the diagram that broke them).

The size limits are far above anything IHE draws (the example framework's largest
diagram has 22 lines, 7 participants and a 268-character line), and below what
makes PlantUML slow or fail:

* :data:`MAX_LINE_CHARS` characters per line of PlantUML text (PlantUML's
  sequence parser fails on messages from about 2,000); a line that declares a
  participant or element may have :data:`MAX_DECLARATION_CHARS` (measured: PlantUML
  draws declarations of 20,000 characters, and a role that several long-named
  actors share is declared on one line);
* :data:`MAX_LINES` lines per diagram, after includes are expanded;
* :data:`MAX_PARTICIPANTS` participants (declared, or named by an arrow) per diagram
  (1,000 take PlantUML 8 s; 3,000 more than 2 minutes);
* :data:`MAX_SOURCE_CHARS` characters of PlantUML text per diagram.

Environment variables (all optional) set the bounds of a render batch:

``TFPUB_PLANTUML_HEAP``
    Java's maximum heap (``-Xmx``), default ``768m``. A diagram that exhausts it is
    a located error; the other diagrams of the batch are still drawn.
``TFPUB_PLANTUML_TIMEOUT``, ``TFPUB_PLANTUML_TIMEOUT_PER_DIAGRAM``
    A batch of *n* diagrams may take ``TIMEOUT + n * TIMEOUT_PER_DIAGRAM`` seconds
    (defaults 60 and 1; a cold build of the 1,721 diagrams of the whole IHE catalogue
    takes about 8 s). Past that, the Java process group is killed and the diagram
    that was still being drawn is a located error.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

MAX_LINE_CHARS = 1500
MAX_DECLARATION_CHARS = 20_000
MAX_LINES = 1000
MAX_PARTICIPANTS = 100
MAX_SOURCE_CHARS = 200_000

# Diagram types whose SVG is drawn by PlantUML itself. Left out: ditaa (answers with
# PNG bytes even when SVG is asked for), jcckit (draws nothing), math and latex (need
# a library the jar does not carry), dot (needs Graphviz), and the internal ones.
SUPPORTED_TYPES = (
    "uml", "mindmap", "wbs", "gantt", "salt", "json", "yaml", "ebnf", "regex", "chen", "board", "files", "creole",
    "chronology", "wire",
)

DEFAULT_HEAP = "768m"
DEFAULT_TIMEOUT = 60.0
DEFAULT_TIMEOUT_PER_DIAGRAM = 1.0

_HEAP_RE = re.compile(r"^[1-9][0-9]{0,5}[mMgG]$")

# Lines that declare a participant of a sequence diagram, or an element of another one.
_DECLARATION_RE = re.compile(
    r"^\s*(?:participant|actor|boundary|control|entity|database|collections|queue|agent|usecase|component|node|"
    r"rectangle|class|interface|object|state|artifact|cloud|frame|folder|package|card|storage|file|stack|hexagon|person)\s+"
    r"(?P<name>\"[^\"]*\"|\S+)(?:.*?\sas\s+(?P<alias>\S+))?",
    re.IGNORECASE,
)
# "A -> B", "A --> B", "A <-> B", "A ->x B": the names at both ends of an arrow.
_ARROW_RE = re.compile(r"^\s*([A-Za-z_][\w.]*|\"[^\"]*\")\s*[-.=<>ox*\\/|]*[-.=][-.=<>ox*\\/|]*\s*([A-Za-z_][\w.]*|\"[^\"]*\")")


@dataclass(frozen=True)
class Bounds:
    """The resource bounds of a render batch (see the module docstring)."""

    heap: str = DEFAULT_HEAP
    timeout: float = DEFAULT_TIMEOUT
    timeout_per_diagram: float = DEFAULT_TIMEOUT_PER_DIAGRAM

    def seconds_for(self, count: int) -> float:
        return self.timeout + count * self.timeout_per_diagram


def bounds() -> Bounds:
    """The bounds from the environment; a malformed value falls back to the default."""
    heap = os.environ.get("TFPUB_PLANTUML_HEAP", "").strip()
    return Bounds(
        heap=heap if _HEAP_RE.match(heap) else DEFAULT_HEAP,
        timeout=_seconds("TFPUB_PLANTUML_TIMEOUT", DEFAULT_TIMEOUT),
        timeout_per_diagram=_seconds("TFPUB_PLANTUML_TIMEOUT_PER_DIAGRAM", DEFAULT_TIMEOUT_PER_DIAGRAM),
    )


def _seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if 0 <= value < 86_400 else default


def type_problem(kind: str) -> str:
    """The message for a ``@start<kind>`` line, or '' when the type is supported."""
    if kind in SUPPORTED_TYPES:
        return ""
    return (f"@start{kind} diagrams are not supported (PlantUML draws them as bitmaps, or not at all, where tfpub needs SVG); "
            f"use one of: {', '.join('@start' + t for t in SUPPORTED_TYPES)}")


@dataclass(frozen=True)
class SizeProblem:
    """A limit a diagram's text exceeds; ``line`` is the 1-based line of the text to blame (0: the whole diagram)."""

    message: str
    line: int = 0


def size_problem(text: str) -> SizeProblem | None:
    """The first size limit ``text`` (what PlantUML would get) exceeds, or None."""
    if len(text) > MAX_SOURCE_CHARS:
        return SizeProblem(f"the diagram has {len(text):,} characters of PlantUML; the limit is {MAX_SOURCE_CHARS:,}: split it")
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        limit = MAX_DECLARATION_CHARS if _DECLARATION_RE.match(line) else MAX_LINE_CHARS
        if len(line) > limit:
            return SizeProblem(
                f"a line of the diagram has {len(line):,} characters of PlantUML; the limit is {limit:,} "
                "(PlantUML fails on message lines of about 2,000): shorten the text", number)
    if len(lines) > MAX_LINES + 1:  # the text ends with a newline
        return SizeProblem(f"the diagram has {len(lines) - 1:,} lines; the limit is {MAX_LINES:,}: split it")
    names: set[str] = set()
    for number, line in enumerate(lines, start=1):
        declared = _DECLARATION_RE.match(line)
        if declared:
            names.add((declared.group("alias") or declared.group("name")).strip('"'))
        else:
            m = _ARROW_RE.match(line)
            if m:
                names.update(n.strip('"') for n in m.groups())
        if len(names) > MAX_PARTICIPANTS:
            return SizeProblem(f"the diagram has more than {MAX_PARTICIPANTS} participants; split it", number)
    return None
