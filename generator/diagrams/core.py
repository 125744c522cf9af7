"""The two records the diagram stage hands around: a Diagram and a RenderReport."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..problems import Loc, Problem

Kind = Literal["transaction", "profile", "use-case", "narrative"]


@dataclass
class Diagram:
    """One picture: its PlantUML source, where it is shown, and where it came from.

    key
        Stable and unique within a build: ``tx-ITI-18``, ``profile-XDS.b``,
        ``uc-XDS.b-<use case id>``, or ``md-<first 12 hex of the source's sha1>`` for
        diagrams written in Markdown. Usable in file names and HTML ids (after
        :func:`generator.render.site_paths.anchor_slug`).
    kind
        ``transaction`` | ``profile`` | ``use-case`` | ``narrative``.
    title
        What the diagram shows, e.g. ``Registry Stored Query [ITI-18]``; becomes the
        SVG ``<title>``.
    source
        The PlantUML text, ``@startuml`` ... ``@enduml``.
    alt_text
        The text alternative, one line per step or edge. Filled from the model for
        model diagrams; for narrative diagrams :func:`render` fills it from the
        rendered picture (participants and messages, or its texts in order).
    page
        The mkdocs source path of the page that embeds the diagram; the links inside
        the source are relative to that page (``site_paths.url_link``).
    loc
        The spec file and line that produced the diagram. Problems are reported there;
        for narrative diagrams it is the line of the opening fence.
    svg
        Filled by :func:`render`: sanitised SVG with ``<title>``, ``<desc>`` and
        ``role="img"``, ready for :func:`figure_html`. None when not rendered.
    png
        Filled by ``render(..., fmt="png")``: the picture as PNG bytes, for Word.
    error
        Filled by :func:`render` when PlantUML (or the include check) refused the
        diagram: the message, without location (the located one is in the report).
    """

    key: str
    kind: Kind
    title: str
    source: str
    alt_text: list[str]
    page: str
    loc: Loc
    svg: str | None = None
    error: str | None = None
    png: bytes | None = field(default=None, repr=False)
    # For narrative diagrams: the spec line of source line 1 is ``source_line + 1``
    # (the fence's body starts on the line after the fence). None: report at ``loc``.
    source_line: int | None = field(default=None, repr=False)
    # Where relative !include paths start and the folder they must stay in; None: the
    # render() arguments, else the defaults of narrative.prepare (set for docs pages).
    include_base: Path | None = field(default=None, repr=False)
    include_root: Path | None = field(default=None, repr=False)
    # For model diagrams: the spec node each source line (1-based) was drawn from (a
    # step, a message), so a problem with that line is reported there; else at ``loc``.
    line_locs: dict[int, Loc] = field(default_factory=dict, repr=False)


@dataclass
class RenderReport:
    """What :func:`render` did.

    rendered
        Diagrams PlantUML drew in this call (cache misses that succeeded or failed).
    cached
        Diagrams answered from the cache (pictures and remembered errors alike).
    java_starts
        Java processes started: 0 when everything was cached, else 1 (more only when a
        diagram broke the heap or time bound and the rest were drawn again without it).
    problems
        Located errors (``diagram-error``, ``diagram-include``, ``diagram-type``,
        ``diagram-size``, ``diagram-time``, ``diagram-memory``) and at most one
        ``diagram-renderer-missing`` warning that names the fix.
    seconds
        Wall time of the call.
    rendered_keys
        The keys of the diagrams PlantUML drew in this call, in order.
    skipped
        Diagrams left as source because Java or PlantUML is missing.
    """

    rendered: int = 0
    cached: int = 0
    java_starts: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    rendered_keys: list[str] = field(default_factory=list)
    skipped: int = 0
