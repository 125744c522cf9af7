"""Rendering every diagram of a build with one Java process, behind a content cache.

The cache key of a diagram is the sha256 of everything that changes its picture: the
text PlantUML gets (after includes are expanded, so included files count), the style
sent with ``-config``, the PlantUML release, the security profile and the output
format (:func:`runtime.engine_id`). A key that has a picture in the cache is answered
from it without Java; a key whose diagram PlantUML refused remembers the error, so a
broken diagram does not start Java on every build either.

All cache misses are written as ``<key>.puml`` into one fresh folder and rendered by a
single ``java -jar plantuml.jar ... <folder>`` (PlantUML renders a folder's files in
one process, in ``-nbthread`` threads, and reports errors as ``file:line:error:msg``).
Each picture is written to the cache with an atomic rename, so concurrent builds that
share a cache do not see half-written files.

Nothing PlantUML writes is trusted: an output file is decoded only when it is UTF-8
and parses as SVG. The process runs with a heap bound and a time bound
(:mod:`.limits`), in its own process group, which is killed whole at the bound; the
diagram that broke a bound is then named by drawing the rest again, in order, one
thread, so that the first one missing when that process stops is the one to blame.
Errors of that kind are not cached (the bounds, or the machine, may differ next time).

``fmt="png"`` draws the same diagrams as PNG (for Word, which cannot show SVG) by the
same path: same preparation and limits, one Java process, its own cache entries
(``<key>.png``; the format is part of the key). An output file is kept only when it
starts with the PNG signature and a sane header.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..problems import Loc, error, warning
from . import limits, runtime, svg
from .core import Diagram, RenderReport
from .narrative import prepare

_REPORT_RE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):error:(?P<message>.*)$")

# Counts every Java process this module starts, across calls (tests and the benchmark read it).
JAVA_STARTS = 0


def cache_key(engine: str, text: str) -> str:
    return hashlib.sha256(f"{engine}\n{text}".encode("utf-8")).hexdigest()


def render(diagrams: list[Diagram], cache_dir: Path, *, include_root: Path | None = None,
           include_base: Path | None = None, fmt: str = "svg") -> RenderReport:
    """Fill ``.svg`` (or ``.error``) of each diagram, in place, and say what it took.

    With ``fmt="png"`` it fills ``.png`` (bytes) instead and leaves ``.svg`` alone.

    ``cache_dir`` is created if needed and may be shared by builds. One Java process
    is started for the diagrams not in the cache, none when all are (a few more only
    when a diagram breaks the heap or time bound: see :func:`_render_batch`). Each
    diagram is first checked against :mod:`.limits` (type and size), where it is
    refused with a located error before any Java starts. Without
    Java or PlantUML nothing fails: diagrams the cache cannot answer keep ``svg`` None
    (``figure_html`` shows their source) and the report has one warning that names
    the fix. ``include_root`` bounds ``!include`` in narrative diagrams (default: the
    specs folder of each diagram's file) and ``include_base`` is where relative
    includes start (default: the folder of each diagram's file); see :mod:`.narrative`.
    """
    global JAVA_STARTS
    started = time.perf_counter()
    report = RenderReport()
    cache_dir = Path(cache_dir).resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    jar = runtime.find_jar()
    if fmt not in runtime.FORMATS:
        raise ValueError(f"format must be one of {', '.join(runtime.FORMATS)}, not {fmt!r}")
    engine = runtime.engine_id(jar, fmt)

    misses: dict[str, tuple[str, list[Diagram], list[tuple[str, int]]]] = {}
    for diagram in diagrams:
        if fmt == "svg":
            diagram.svg, diagram.error = None, None
        else:
            diagram.png = None
        prepared = prepare(diagram, diagram.include_root or include_root, diagram.include_base or include_base)
        if prepared.error:
            diagram.error = prepared.error
            report.problems.append(error(_loc(diagram, prepared.error_origin), prepared.error, prepared.rule))
            continue
        too_big = limits.size_problem(prepared.text)
        if too_big:
            diagram.error = too_big.message
            report.problems.append(error(_where(diagram, too_big.line, prepared.origins), f"diagram '{diagram.title}': {too_big.message}",
                                         "diagram-size"))
            continue
        key = cache_key(engine, prepared.text)
        if _from_cache(diagram, cache_dir, key, prepared.origins, report, fmt):
            report.cached += 1
            continue
        misses.setdefault(key, (prepared.text, [], prepared.origins))[1].append(diagram)

    if misses:
        java = runtime.find_java()
        if java is None or jar is None:
            missing = " and ".join(x for x, ok in (("Java", java), ("the PlantUML jar", jar)) if ok is None)
            report.problems.append(
                warning(
                    Loc("<diagrams>", 1, 1),
                    f"{missing} not found: {sum(len(d) for _, d, _ in misses.values())} diagram(s) are shown as their PlantUML source; "
                    f"to draw them, {runtime.FIX_HINT}",
                    "diagram-renderer-missing",
                )
            )
            report.skipped = sum(len(d) for _, d, _ in misses.values())
        else:
            _render_batch(java.path, jar.path, misses, cache_dir, report, fmt)

    for diagram in diagrams if fmt == "svg" else ():
        if diagram.svg and diagram.kind == "narrative" and not diagram.alt_text:
            diagram.alt_text = svg.describe(diagram.svg)
        if diagram.svg:
            diagram.svg = svg.finish(diagram.svg, diagram.title, diagram.alt_text)
    report.seconds = time.perf_counter() - started
    return report


def _log_java_start(count: int) -> None:
    """Append a line to $TFPUB_JAVA_START_LOG, so tests can count starts across processes."""
    log = os.environ.get("TFPUB_JAVA_START_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"java {count}\n")


def _loc(diagram: Diagram, origin: tuple[str, int] | None) -> Loc:
    if origin is None or diagram.source_line is None:
        return diagram.loc
    return Loc(origin[0], origin[1], 1)


def _where(diagram: Diagram, line: int, origins) -> Loc:
    """The spec location of line ``line`` (1-based) of the text PlantUML gets.

    Narrative diagrams map it through their origins (included files too); model
    diagrams through the spec node that line was drawn from (a step, a message).
    """
    if diagram.source_line is None:
        return diagram.line_locs.get(line, diagram.loc)
    return _loc(diagram, origins[line - 1] if 0 < line <= len(origins) else None)


def _paths(cache_dir: Path, key: str, fmt: str = "svg") -> tuple[Path, Path]:
    return cache_dir / f"{key}.{fmt}", cache_dir / f"{key}.error.json"


def _from_cache(diagram: Diagram, cache_dir: Path, key: str, origins, report: RenderReport, fmt: str = "svg") -> bool:
    picture, failure = _paths(cache_dir, key, fmt)
    if fmt == "png":
        try:
            diagram.png = _png(picture.read_bytes())
        except OSError:
            diagram.png = None
        if diagram.png:
            return True
    else:
        try:
            diagram.svg = picture.read_text(encoding="utf-8")
            return True
        except (OSError, ValueError):  # ValueError: not UTF-8 (a damaged cache is a miss)
            diagram.svg = None
    try:
        data = json.loads(failure.read_text(encoding="utf-8"))
        line, message = int(data["line"]), str(data["message"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    _set_error(diagram, line, message, origins, report)
    return True


def _set_error(diagram: Diagram, line: int, message: str, origins, report: RenderReport) -> None:
    diagram.error = f"PlantUML: {message} (line {line} of the diagram)" if diagram.source_line is None else f"PlantUML: {message}"
    report.problems.append(error(_where(diagram, line, origins), f"diagram '{diagram.title}': {diagram.error}", "diagram-error"))


def _write_atomic(path: Path, text: str | bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    with os.fdopen(fd, "wb") as handle:
        handle.write(text if isinstance(text, bytes) else text.encode("utf-8"))
    os.replace(tmp, path)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels from a PNG's IHDR, or None when ``data`` is not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return (width, height) if 0 < width <= 1 << 16 and 0 < height <= 1 << 16 else None


def _png(data: bytes) -> bytes | None:
    """``data`` when it is a whole PNG (signature, header, IEND trailer: not one cut off by a kill)."""
    return data if png_size(data) and data.endswith(b"IEND\xaeB`\x82") else None


def _output(path: Path, fmt: str) -> str | bytes | None:
    """What PlantUML wrote for one diagram: '' if nothing, None if it is not a picture of ``fmt``."""
    if fmt == "svg":
        return _picture(path)
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return _png(data) if data else None


def _picture(path: Path) -> str | None:
    """The SVG PlantUML wrote; '' if it wrote nothing; None if it wrote something that is not SVG.

    The bytes are decoded only when they are UTF-8 and parse as an SVG document: a
    diagram type that answers with a bitmap (ditaa writes PNG bytes into the .svg)
    is a problem for its diagram, never an exception for the build.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    try:
        text = data.decode("utf-8")
        root = svg.parse(text)
    except (UnicodeDecodeError, ValueError, etree.XMLSyntaxError):
        return None
    return text if root.tag == f"{{{svg.SVG_NS}}}svg" else None


@dataclass
class _Run:
    """One Java process over some of the batch's files."""

    output: str
    timed_out: bool
    out_of_memory: bool
    returncode: int | None
    seconds: float


def _run(command: list[str], work: Path, timeout: float) -> _Run:
    """Run PlantUML in its own process group; past ``timeout`` the whole group is killed."""
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(command, cwd=work, env=runtime.java_environment(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    except OSError as exc:
        return _Run(f"PlantUML did not start: {exc}", False, False, None, 0.0)
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()
        out, err = proc.communicate()
    output = err.decode("utf-8", errors="replace") + "\n" + out.decode("utf-8", errors="replace")
    return _Run(output, timed_out, "OutOfMemoryError" in output, proc.returncode, time.perf_counter() - started)


# A batch that broke a bound is drawn again without the diagram that broke it; after
# this many rounds the rest are reported as not drawn.
MAX_ROUNDS = 4


def _render_batch(java: Path, jar: Path, misses, cache_dir: Path, report: RenderReport, fmt: str = "svg") -> None:
    """Draw the cache misses; name the diagram that exhausts the heap or the time bound.

    The first round draws everything in one process, in threads. When it is killed at
    the time bound, or a diagram exhausts the heap, the diagrams it did not draw are
    drawn again one at a time, in order: the first one still missing when that
    process stops is the one to blame, and the ones after it go to the next round.
    """
    global JAVA_STARTS
    bounds = limits.bounds()
    work = Path(tempfile.mkdtemp(prefix="render-", dir=cache_dir))
    try:
        inputs = work / "in"
        inputs.mkdir()
        for key, (text, _, _) in misses.items():
            (inputs / f"{key}.puml").write_text(text, encoding="utf-8")
        config = work / "style.puml"
        config.write_text(runtime.style(fmt), encoding="utf-8")
        threads = max(1, min(4, os.cpu_count() or 1))
        done: dict[str, tuple[str, object]] = {}  # key -> ("picture", svg text or png bytes) | ("error", (line, message)) | (rule, message)
        pending = list(misses)
        tail = "no output"
        for round_number in range(MAX_ROUNDS):
            first = round_number == 0
            target = inputs if first else [inputs / f"{key}.puml" for key in pending]
            command = runtime.java_command(java, jar, config=config, inputs=target, prefs_dir=work / "prefs",
                                           threads=threads if first else 1, heap=bounds.heap, fmt=fmt)
            seconds = bounds.seconds_for(len(pending))
            JAVA_STARTS += 1
            report.java_starts += 1
            _log_java_start(len(pending))
            run = _run(command, work, seconds)
            tail = " ".join(run.output.strip().splitlines()[-3:])[:500] or "no output"
            errors: dict[str, tuple[int, str]] = {}
            for line in run.output.splitlines():
                m = _REPORT_RE.match(line.strip())
                if m:
                    errors.setdefault(Path(m.group("file")).stem, (int(m.group("line")), m.group("message").strip()))
            for key in pending:
                if key in errors:
                    done[key] = ("error", errors[key])
                    continue
                picture = _output(inputs / f"{key}.{fmt}", fmt)
                if picture is None and (run.timed_out or run.out_of_memory):
                    (inputs / f"{key}.{fmt}").unlink(missing_ok=True)  # perhaps cut off by the kill: draw again
                elif picture is None:
                    done[key] = ("diagram-type", f"PlantUML answered with something that is not an {fmt.upper()} picture{' (a bitmap?)' if fmt == 'svg' else ''}; "
                                 f"use one of the diagram types: {', '.join('@start' + t for t in limits.SUPPORTED_TYPES)}")
                elif picture:
                    done[key] = ("picture", picture)
            missing = [key for key in pending if key not in done]
            broke = run.timed_out or run.out_of_memory
            if first and not broke and not any(key in done for key in pending) and run.returncode != 0:
                # Java or the jar itself failed (not a diagram): like a missing renderer, the
                # build goes on with sources shown, and nothing is cached.
                count = sum(len(d) for _, d, _ in misses.values())
                report.skipped += count
                report.problems.append(
                    warning(Loc("<diagrams>", 1, 1), f"PlantUML did not run ({java} -jar {jar}): {tail}; {count} diagram(s) are shown as "
                            f"their PlantUML source; {runtime.FIX_HINT}", "diagram-renderer-failed")
                )
                return
            if not missing or not broke:
                for key in missing:  # PlantUML finished, but drew nothing for these
                    done[key] = ("none", "")
                break
            if len(missing) == 1 or not first:
                culprit, pending = missing[0], missing[1:]
                done[culprit] = _broken_bound(run, bounds, seconds)
            else:
                pending = missing
            if not pending:
                break
        for key in misses:
            if key not in done:
                done[key] = ("not-drawn", "not drawn: other diagrams of the build exceeded the time or memory bound; fix them first")

        for key, (text, diagrams, origins) in misses.items():
            report.rendered += len(diagrams)
            report.rendered_keys.extend(d.key for d in diagrams)
            picture_path, failure_path = _paths(cache_dir, key, fmt)
            kind, value = done.get(key, ("none", ""))
            if kind == "error":
                line, message = value
                _write_atomic(failure_path, json.dumps({"line": line, "message": message}))
                for diagram in diagrams:
                    _set_error(diagram, line, message, origins, report)
            elif kind == "picture":
                _write_atomic(picture_path, value)
                for diagram in diagrams:
                    if fmt == "svg":
                        diagram.svg = value
                    else:
                        diagram.png = value
            else:
                # Not cached: the bounds or the machine may differ next time, and a diagram
                # PlantUML drew nothing for is tried again by the next build.
                rule = kind if kind.startswith("diagram-") else "diagram-error"
                message = value if kind != "none" else f"PlantUML produced no picture: {tail}"
                for diagram in diagrams:
                    diagram.error = message
                    report.problems.append(error(diagram.loc, f"diagram '{diagram.title}': {message}", rule))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _broken_bound(run: _Run, bounds: limits.Bounds, seconds: float) -> tuple[str, str]:
    if run.out_of_memory:
        return ("diagram-memory", f"drawing this diagram exhausted Java's heap bound ({bounds.heap}; TFPUB_PLANTUML_HEAP): "
                "a preprocessor loop that grows a string? simplify the diagram")
    return ("diagram-time", f"drawing this diagram took longer than the time bound ({seconds:g} s; TFPUB_PLANTUML_TIMEOUT): "
            "a long preprocessor loop, or too many elements? simplify the diagram")
