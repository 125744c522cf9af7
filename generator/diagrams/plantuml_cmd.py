"""A drop-in ``plantuml_cmd`` for the plantuml-markdown extension, rendering through tfpub.

plantuml-markdown (used for hand-written Markdown pages of the site) renders each
```plantuml block by piping it to ``plantuml_cmd -p -tsvg -charset UTF-8``. Pointed at
this module instead of a PlantUML binary, every such block goes through the same
renderer as the generated diagrams: tfpub's cache (a rebuild renders nothing), the
SANDBOX security profile, includes only inside the docs folder, sanitised SVG with a
``<title>`` and a ``<desc>``, and no server ever::

    plantuml_cmd: python -m generator.diagrams.plantuml_cmd

Settings come from the environment (``markdown_pages.environment()`` sets them):
``TFPUB_DIAGRAM_CACHE`` (default ``.tfpub-cache/diagrams``),
``TFPUB_PLANTUML_INCLUDE_ROOT`` (default: the current folder) and
``TFPUB_JAVA_START_LOG`` (a file that gets one line per Java start, for tests).

When the pages were pre-rendered in one batch (``markdown_pages.prerender_pages``)
each call is a cache hit and starts no Java. Output is always an SVG document: the
picture, or, without Java or after an error, the diagram's source drawn as text; on
an error the exit status is 1 and the message is on stderr, which plantuml-markdown
logs as an error (so ``mkdocs build --strict`` fails).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from ..problems import Loc
from ..textio import utf8_stdio
from .narrative import narrative_diagram
from .renderer import render

DEFAULT_CACHE = Path(".tfpub-cache") / "diagrams"


def source_svg(source: str, message: str = "") -> str:
    """An SVG that shows PlantUML source as text (and an error message above it)."""
    lines = ([f"Diagram error: {message}", ""] if message else ["Diagram not rendered (no Java or PlantUML); its source:", ""]) + source.rstrip("\n").split("\n")
    width = 8 * max(len(line) for line in lines) + 20
    height = 16 * len(lines) + 16
    red = ' fill="#B00020"'
    texts = "".join(
        f'<text x="10" y="{20 + 16 * i}" font-family="monospace" font-size="13" xml:space="preserve"'
        f'{red if message and i == 0 else ""}>{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" style="">'
        f"<title>{escape(lines[0])}</title>{texts}</svg>"
    )


def _inject_config(code: str, config_text: str) -> str:
    lines = code.split("\n")
    for i, line in enumerate(lines):
        if line.strip().lower().startswith("@start"):
            return "\n".join(lines[: i + 1] + config_text.rstrip("\n").split("\n") + lines[i + 1 :])
    return config_text.rstrip("\n") + "\n" + code


def main(argv: list[str] | None = None) -> int:
    utf8_stdio()  # plantuml-markdown decodes what we print as UTF-8, whatever the locale
    args = list(sys.argv[1:] if argv is None else argv)
    formats = [a[2:] for a in args if a.startswith("-t")]
    if "-pipemap" in args or any(f != "svg" for f in formats):
        print("tfpub: diagrams: only SVG is rendered; set 'format: svg_inline' for plantuml_markdown in mkdocs.yml", file=sys.stderr)
        return 2
    code = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    if "-config" in args:
        index = args.index("-config")
        if index + 1 < len(args):
            code = _inject_config(code, Path(args[index + 1]).read_text(encoding="utf-8"))
    root = Path(os.environ.get("TFPUB_PLANTUML_INCLUDE_ROOT") or Path.cwd())
    cache = Path(os.environ.get("TFPUB_DIAGRAM_CACHE") or DEFAULT_CACHE)
    diagram = narrative_diagram(code, "", Loc(os.environ.get("TFPUB_PLANTUML_PAGE", "<markdown page>"), 0, 1))
    report = render([diagram], cache, include_root=root, include_base=root)
    for problem in report.problems:
        print(f"tfpub: {problem}", file=sys.stderr)
    out = sys.stdout
    if diagram.svg:
        out.write(diagram.svg)
        return 0
    out.write(source_svg(diagram.source, diagram.error or ""))
    return 1 if diagram.error else 0


if __name__ == "__main__":
    sys.exit(main())
