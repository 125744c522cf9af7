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
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from ..problems import Loc, error, warning
from . import runtime, svg
from .core import Diagram, RenderReport
from .narrative import prepare

_REPORT_RE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):error:(?P<message>.*)$")

# Counts every Java process this module starts, across calls (tests and the benchmark read it).
JAVA_STARTS = 0


def cache_key(engine: str, text: str) -> str:
    return hashlib.sha256(f"{engine}\n{text}".encode("utf-8")).hexdigest()


def render(diagrams: list[Diagram], cache_dir: Path, *, include_root: Path | None = None,
           include_base: Path | None = None) -> RenderReport:
    """Fill ``.svg`` (or ``.error``) of each diagram, in place, and say what it took.

    ``cache_dir`` is created if needed and may be shared by builds. At most one Java
    process is started, for the diagrams not in the cache; none when all are. Without
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
    engine = runtime.engine_id(jar)

    misses: dict[str, tuple[str, list[Diagram], list[tuple[str, int]]]] = {}
    for diagram in diagrams:
        diagram.svg, diagram.error = None, None
        prepared = prepare(diagram, diagram.include_root or include_root, diagram.include_base or include_base)
        if prepared.error:
            diagram.error = prepared.error
            report.problems.append(error(_loc(diagram, prepared.error_origin), prepared.error, "diagram-include"))
            continue
        key = cache_key(engine, prepared.text)
        if _from_cache(diagram, cache_dir, key, prepared.origins, report):
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
            JAVA_STARTS += 1
            report.java_starts = 1
            _log_java_start(len(misses))
            _render_batch(java.path, jar.path, misses, cache_dir, report)

    for diagram in diagrams:
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


def _paths(cache_dir: Path, key: str) -> tuple[Path, Path]:
    return cache_dir / f"{key}.svg", cache_dir / f"{key}.error.json"


def _from_cache(diagram: Diagram, cache_dir: Path, key: str, origins, report: RenderReport) -> bool:
    picture, failure = _paths(cache_dir, key)
    try:
        diagram.svg = picture.read_text(encoding="utf-8")
        return True
    except OSError:
        pass
    try:
        data = json.loads(failure.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    _set_error(diagram, data["line"], data["message"], origins, report)
    return True


def _set_error(diagram: Diagram, line: int, message: str, origins, report: RenderReport) -> None:
    diagram.error = f"PlantUML: {message} (line {line} of the diagram)" if diagram.source_line is None else f"PlantUML: {message}"
    origin = origins[line - 1] if 0 < line <= len(origins) else None
    report.problems.append(error(_loc(diagram, origin), f"diagram '{diagram.title}': {diagram.error}", "diagram-error"))


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _picture(path: Path) -> str:
    """The SVG PlantUML wrote, or '' if it wrote none."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    return text if "<svg" in text[:500] else ""


def _render_batch(java: Path, jar: Path, misses, cache_dir: Path, report: RenderReport) -> None:
    work = Path(tempfile.mkdtemp(prefix="render-", dir=cache_dir))
    try:
        inputs = work / "in"
        inputs.mkdir()
        for key, (text, _, _) in misses.items():
            (inputs / f"{key}.puml").write_text(text, encoding="utf-8")
        config = work / "style.puml"
        config.write_text(runtime.STYLE, encoding="utf-8")
        threads = max(1, min(4, os.cpu_count() or 1))
        command = runtime.java_command(java, jar, config=config, inputs=inputs, prefs_dir=work / "prefs", threads=threads)
        timeout = 120 + 2 * len(misses)
        try:
            proc = subprocess.run(command, cwd=work, env=runtime.java_environment(), capture_output=True, text=True,
                                  encoding="utf-8", errors="replace", timeout=timeout, stdin=subprocess.DEVNULL)
            output = (proc.stderr or "") + "\n" + (proc.stdout or "")
        except (subprocess.TimeoutExpired, OSError) as exc:
            output = f"PlantUML did not finish: {exc}"
        errors: dict[str, tuple[int, str]] = {}
        for line in output.splitlines():
            m = _REPORT_RE.match(line.strip())
            if m:
                key = Path(m.group("file")).stem
                errors.setdefault(key, (int(m.group("line")), m.group("message").strip()))
        produced = {key: _picture(inputs / f"{key}.svg") for key in misses}
        tail = " ".join(output.strip().splitlines()[-3:])[:500] or "no output"
        if not errors and not any(produced.values()):
            # Java or the jar itself failed (not a diagram): like a missing renderer, the
            # build goes on with sources shown, and nothing is cached.
            count = sum(len(d) for _, d, _ in misses.values())
            report.skipped += count
            report.problems.append(
                warning(Loc("<diagrams>", 1, 1), f"PlantUML did not run ({java} -jar {jar}): {tail}; {count} diagram(s) are shown as "
                        f"their PlantUML source; {runtime.FIX_HINT}", "diagram-renderer-failed")
            )
            return
        for key, (text, diagrams, origins) in misses.items():
            report.rendered += len(diagrams)
            report.rendered_keys.extend(d.key for d in diagrams)
            picture_path, failure_path = _paths(cache_dir, key)
            if key in errors:
                line, message = errors[key]
                _write_atomic(failure_path, json.dumps({"line": line, "message": message}))
                for diagram in diagrams:
                    _set_error(diagram, line, message, origins, report)
                continue
            picture = produced[key]
            if not picture:
                # No picture and no reported error for this one: not cached, so the next
                # build tries again.
                for diagram in diagrams:
                    diagram.error = f"PlantUML produced no picture: {tail}"
                    report.problems.append(error(diagram.loc, f"diagram '{diagram.title}': {diagram.error}", "diagram-error"))
                continue
            _write_atomic(picture_path, picture)
            for diagram in diagrams:
                diagram.svg = picture
    finally:
        shutil.rmtree(work, ignore_errors=True)
