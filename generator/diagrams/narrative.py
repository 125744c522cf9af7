"""Diagrams written by authors: fenced ```plantuml blocks in Markdown, and their includes.

An author writes, in any Markdown field of a spec (or in a hand-written page)::

    ```plantuml
    @startuml
    Alice -> Bob : hello
    @enduml
    ```

(``@startuml``/``@enduml`` may be left out; ``puml`` and ``uml`` work as the language
too). :func:`narrative_diagrams` takes the blocks out of the Markdown, leaving a
placeholder the publisher replaces with :func:`~generator.diagrams.figure_html`.

Includes
    ``!include``, ``!include_once`` and ``!include_many`` of a *relative* path are
    expanded here, in Python, before PlantUML sees the text: the path is resolved
    against the folder of the file that holds the diagram and must stay inside the
    include root (by default the specs folder: the parent of the folder holding
    ``domain.yaml``). So the cache key covers the included text, and PlantUML itself
    runs with no file access at all. Absolute paths, paths that leave the root,
    ``!includeurl``, URLs, ``!includesub``, ``!import`` and ``!includedef`` are refused
    with an error at the directive's line. ``!include <stdlib/...>`` (PlantUML's
    built-in library, inside the jar) is left to PlantUML.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..load.yaml_loader import BAD_TEXT, char_name
from ..problems import Loc
from . import limits
from .core import Diagram

PLACEHOLDER = "<!--tfpub-diagram:{key}-->"
LANGS = {"plantuml", "puml", "uml"}

_OPEN_RE = re.compile(r"^(?P<indent>[ ]{0,3})(?P<fence>`{3,}|~{3,})[ \t]*\{?\s*\.?(?P<lang>[A-Za-z0-9_+-]+)[^\n`]*$")
_START_RE = re.compile(r"^\s*@start(?P<type>[a-z]+)\b.*$", re.IGNORECASE)
_END_RE = re.compile(r"^\s*@end(?P<type>[a-z]+)\b.*$", re.IGNORECASE)
_TITLE_RE = re.compile(r"^\s*title\s+(?P<title>.+?)\s*$", re.IGNORECASE)

LocLike = Loc | Callable[[int], Loc]


def narrative_diagrams(text: str, page: str, loc: LocLike) -> tuple[str, list[Diagram]]:
    """Replace each ```plantuml fence of ``text`` by ``<!--tfpub-diagram:KEY-->``.

    ``page`` is the mkdocs source path of the page the text ends up on. ``loc`` says
    where the text is in its spec: either the :class:`Loc` of the text's first line,
    or a function from a character offset in ``text`` to its Loc (for a YAML field,
    ``functools.partial(document.text_loc, path)``), which is exact for ``|`` blocks.

    Returns the Markdown with placeholders (each on its own line, between blank lines,
    so Markdown keeps it as raw HTML) and the diagrams, one per distinct source, keys
    ``md-<sha1[:12]>`` of the source. Other fenced code blocks are left alone, and
    fences inside them are not diagrams.
    """
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    diagrams: dict[str, Diagram] = {}
    offset = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _OPEN_RE.match(line.rstrip("\r\n"))
        if not m:
            out.append(line)
            offset += len(line)
            i += 1
            continue
        fence, indent = m.group("fence"), len(m.group("indent"))
        close_re = re.compile(rf"^[ ]{{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        j = i + 1
        while j < len(lines) and not close_re.match(lines[j].rstrip("\r\n")):
            j += 1
        block = lines[i : j + 1]
        if m.group("lang").lower() not in LANGS:
            out.extend(block)  # some other code block: copied, never looked into
            offset += sum(len(x) for x in block)
            i = j + 1
            continue
        body = "".join(_dedent(x, indent) for x in lines[i + 1 : j])
        fence_loc = loc(offset) if callable(loc) else Loc(loc.file, loc.line + text[:offset].count("\n"), 1)
        diagram = narrative_diagram(body, page, fence_loc)
        diagrams.setdefault(diagram.key, diagram)
        out.append(("\n" if out and not out[-1].endswith("\n\n") else "") + PLACEHOLDER.format(key=diagram.key) + "\n\n")
        offset += sum(len(x) for x in block)
        i = j + 1
    return "".join(out), list(diagrams.values())


def _dedent(line: str, indent: int) -> str:
    n = len(line) - len(line.lstrip(" "))
    return line[min(n, indent) :]


def narrative_diagram(body: str, page: str, fence_loc: Loc, *, base_line: int | None = None) -> Diagram:
    """A Diagram for PlantUML text an author wrote; ``fence_loc`` is the opening fence's line.

    Source line *n* of ``body`` is spec line ``fence_loc.line + n`` (``base_line``
    overrides ``fence_loc.line``).
    """
    body = body.replace("\r\n", "\n")
    if not body.endswith("\n"):
        body += "\n"
    key = "md-" + hashlib.sha1(body.encode("utf-8")).hexdigest()[:12]
    title = ""
    for line in body.splitlines():
        m = _TITLE_RE.match(line)
        if m:
            title = m.group("title")
            break
    return Diagram(
        key=key,
        kind="narrative",
        title=title or "Diagram",
        source=body,
        alt_text=[],
        page=page,
        loc=fence_loc,
        source_line=fence_loc.line if base_line is None else base_line,
    )


# --------------------------------------------------------------------------- preparing the text for PlantUML

@dataclass
class Prepared:
    """The text PlantUML gets, and where each of its lines came from."""

    text: str
    origins: list[tuple[str, int]]  # per line of text (1-based index - 1): (file, line)
    error: str = ""
    error_origin: tuple[str, int] | None = None  # None: at the diagram's own Loc (the fence)
    rule: str = "diagram-include"


_DIRECTIVE_RE = re.compile(r"^\s*!(?P<name>include_many|include_once|includeurl|includesub|includedef|include|import)\b\s*(?P<arg>.*?)\s*$", re.IGNORECASE)
_URL_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
MAX_DEPTH = 8
MAX_BYTES = 1 << 20


def include_root_for(spec_file: Path) -> Path:
    """The default include root for a spec file: the specs folder above its domain folder."""
    here = spec_file.resolve().parent
    for folder in (here, *here.parents):
        if (folder / "domain.yaml").is_file():
            return folder.parent
    return here


def prepare(diagram: Diagram, include_root: Path | None = None, include_base: Path | None = None) -> Prepared:
    """Expand includes and wrap in ``@startuml``/``@enduml`` when the author left them out.

    Model diagrams are returned as they are (they include nothing). For others, each
    output line remembers its origin so that PlantUML's "line n" maps back to a
    spec file and line, including lines that came from an included file.

    Relative includes are resolved against ``include_base`` (default: the folder of
    the diagram's file) and must stay inside ``include_root`` (default: the specs
    folder above that file, see :func:`include_root_for`).
    """
    file = diagram.loc.file
    first = (diagram.source_line if diagram.source_line is not None else diagram.loc.line - 1) + 1
    src_lines = diagram.source.replace("\r\n", "\n").rstrip("\n").split("\n")
    origins = [(file, first + k) if diagram.source_line is not None else (file, diagram.loc.line) for k in range(len(src_lines))]
    if diagram.kind != "narrative":
        return Prepared("\n".join(src_lines) + "\n", origins)

    real_file = bool(file) and not file.startswith("<")
    base = (include_base or (Path(file).resolve().parent if real_file else Path.cwd())).resolve()
    root = (include_root or include_root_for(Path(file) if real_file else base / "x")).resolve()
    out_lines: list[str] = []
    out_origins: list[tuple[str, int]] = []
    try:
        _expand(src_lines, origins, base, root, out_lines, out_origins, depth=0, seen=set())
    except _IncludeRefused as refused:
        return Prepared("", [], refused.message, refused.origin)
    bad = next(((k, m.group()) for k, line in enumerate(out_lines) if (m := BAD_TEXT.search(line))), None)
    if bad:  # PlantUML would write it into the SVG, which no XML parser accepts
        return Prepared("", [], f"this line holds {char_name(bad[1])}, which SVG does not allow; delete it", out_origins[bad[0]])

    # One diagram per block; normalise "@startuml name" (PlantUML would name the output
    # file after it) and add the @start/@end lines when they are missing.
    starts = [k for k, line in enumerate(out_lines) if _START_RE.match(line)]
    if len(starts) > 1:
        return Prepared("", [], "one diagram per block: this block has more than one @start line", out_origins[starts[1]])
    if starts:
        k = starts[0]
        kind = _START_RE.match(out_lines[k]).group("type").lower()
        refused = limits.type_problem(kind)
        if refused:
            return Prepared("", [], refused, None, "diagram-type")
        out_lines[k] = f"@start{kind}"
        if not any(_END_RE.match(line) for line in out_lines[k:]):
            out_lines.append(f"@end{kind}")
            out_origins.append(out_origins[-1])
    else:
        out_lines = ["@startuml", *out_lines, "@enduml"]
        out_origins = [out_origins[0] if out_origins else (file, first), *out_origins, out_origins[-1] if out_origins else (file, first)]
    return Prepared("\n".join(out_lines) + "\n", out_origins)


class _IncludeRefused(Exception):
    def __init__(self, message: str, origin: tuple[str, int]):
        super().__init__(message)
        self.message = message
        self.origin = origin


def _expand(lines, origins, base: Path, root: Path, out_lines, out_origins, *, depth: int, seen: set[Path]) -> None:
    for line, origin in zip(lines, origins):
        m = _DIRECTIVE_RE.match(line)
        if not m:
            out_lines.append(line)
            out_origins.append(origin)
            continue
        name, arg = m.group("name").lower(), m.group("arg").strip().strip('"')
        if name == "include" and arg.startswith("<") and arg.endswith(">"):
            out_lines.append(line)  # PlantUML's standard library, read from inside the jar
            out_origins.append(origin)
            continue
        if name in {"includeurl", "includesub", "includedef", "import"}:
            raise _IncludeRefused(f"!{name} is not allowed in tfpub diagrams; only !include of a relative path inside the specs folder", origin)
        if _URL_RE.match(arg):
            raise _IncludeRefused(f"!{name} of a URL is not allowed: diagrams are rendered offline; copy the file into the specs folder", origin)
        if "!" in arg:
            raise _IncludeRefused(f"!{name} of part of a file ('{arg}') is not supported; include the whole file", origin)
        if not arg:
            raise _IncludeRefused(f"!{name} names no file", origin)
        if Path(arg).is_absolute() or arg.startswith("~"):
            raise _IncludeRefused(f"!{name} of an absolute path is not allowed: use a path relative to the spec file, inside {root.name}/", origin)
        target = (base / arg).resolve()
        if not target.is_relative_to(root):
            raise _IncludeRefused(f"!{name} '{arg}' leaves the specs folder; only files inside {root.name}/ can be included", origin)
        if not target.is_file():
            raise _IncludeRefused(f"!{name} '{arg}': no such file", origin)
        if depth >= MAX_DEPTH:
            raise _IncludeRefused(f"!{name} '{arg}': includes nested more than {MAX_DEPTH} deep", origin)
        if name in {"include", "include_once"} and target in seen:
            if name == "include_once":
                continue
            raise _IncludeRefused(f"!include '{arg}' includes itself", origin)
        if target.stat().st_size > MAX_BYTES:
            raise _IncludeRefused(f"!{name} '{arg}': file larger than {MAX_BYTES} bytes", origin)
        text = target.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
        inc_lines = text.rstrip("\n").split("\n")
        shown = _display(target)
        inc_origins = [(shown, k + 1) for k in range(len(inc_lines))]
        kept = [(l, o) for l, o in zip(inc_lines, inc_origins) if not (_START_RE.match(l) or _END_RE.match(l))]
        _expand([l for l, _ in kept], [o for _, o in kept], target.parent, root, out_lines, out_origins,
                depth=depth + 1, seen=seen | {target})


def _display(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
