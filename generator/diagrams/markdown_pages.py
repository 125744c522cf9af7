"""Hand-written Markdown pages: their ```plantuml blocks rendered like every other diagram.

The site's hand-written pages use the plantuml-markdown extension. Its local mode
starts one PlantUML per block; pointed at :mod:`generator.diagrams.plantuml_cmd` it
renders through tfpub's cache and sandbox instead, and after :func:`prerender_pages`
has rendered every block of the docs folder in one Java process, each block is a
cache hit that starts no Java.

For the publisher's mkdocs hook::

    from generator.diagrams import markdown_pages

    def on_config(config):
        markdown_pages.configure_mkdocs(config, cache_dir=Path(".tfpub-cache/diagrams"))
        report = markdown_pages.prerender_pages(Path(config["docs_dir"]), Path(".tfpub-cache/diagrams"))
        for problem in report.problems:
            log.warning(str(problem))   # located: docs/page.md:LINE
        return config
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from ..problems import Loc
from .core import Diagram, RenderReport
from .narrative import narrative_diagram
from .renderer import render

# The same block syntax plantuml-markdown recognises (its FENCED_BLOCK_RE, simplified:
# ```plantuml / ```uml / ```c4plantuml / ~~~ and an optional {...} of options).
_FENCE_RE = re.compile(
    r"^(?P<indent>[ ]*)(?P<fence>`{3}|~{3})[ ]*\{?\.?(?:(?:c4)?plant)?uml\b[^\n]*\n(?P<code>.*?)(?<=\n)(?P=indent)(?P=fence)[ ]*$",
    re.MULTILINE | re.DOTALL,
)


def plantuml_cmd() -> str:
    """The ``plantuml_cmd`` value: this interpreter running the wrapper module.

    plantuml-markdown splits the value on spaces, so an interpreter path with spaces
    falls back to ``python`` from PATH.
    """
    exe = sys.executable if " " not in sys.executable else "python"
    return f"{exe} -m generator.diagrams.plantuml_cmd"


def environment(docs_dir: Path, cache_dir: Path) -> dict[str, str]:
    """Environment variables the wrapper reads (merge into os.environ, or a subprocess's env)."""
    return {
        "TFPUB_PLANTUML_CMD": plantuml_cmd(),
        "TFPUB_DIAGRAM_CACHE": str(Path(cache_dir).resolve()),
        "TFPUB_PLANTUML_INCLUDE_ROOT": str(Path(docs_dir).resolve()),
    }


def configure_mkdocs(config, cache_dir: Path) -> None:
    """From a mkdocs hook's ``on_config``: route plantuml-markdown through tfpub.

    Sets ``plantuml_cmd`` to this interpreter (so it works without an activated
    venv), forces local SVG rendering with no server and no plantuml-markdown cache
    (tfpub's cache is keyed by content and PlantUML version; plantuml-markdown's by a
    32-bit checksum of the text only), and exports the wrapper's environment.
    """
    docs_dir = Path(config["docs_dir"])
    os.environ.update(environment(docs_dir, cache_dir))
    mdx = config["mdx_configs"].setdefault("plantuml_markdown", {})
    mdx.update(
        plantuml_cmd=plantuml_cmd(),
        format="svg_inline",
        server="",
        servers=[],
        kroki_server=False,
        cachedir="",
        image_maps=False,
    )
    if "plantuml_markdown" not in config["markdown_extensions"]:
        config["markdown_extensions"].append("plantuml_markdown")


def page_diagrams(docs_dir: Path) -> list[Diagram]:
    """Every ```plantuml block of the Markdown pages under ``docs_dir``, located by file and line.

    Each Diagram's text is exactly what plantuml-markdown pipes to the wrapper, and
    its includes resolve as the wrapper resolves them (inside ``docs_dir``), so the
    cache keys agree and the wrapper finds the pictures rendered here. To render a
    whole build in one Java process, pass these together with the model's and the
    specs' narrative diagrams to one :func:`render` call.
    """
    out: dict[str, Diagram] = {}
    root = Path(docs_dir).resolve()
    for path in sorted(Path(docs_dir).rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in _FENCE_RE.finditer(text):
            line = text[: m.start()].count("\n") + 1
            shown = _display(path)
            diagram = narrative_diagram(m.group("code"), path.relative_to(docs_dir).as_posix(), Loc(shown, line, 1))
            diagram.include_root = diagram.include_base = root  # as the wrapper resolves them
            out.setdefault(diagram.key, diagram)
    return list(out.values())


def prerender_pages(docs_dir: Path, cache_dir: Path) -> RenderReport:
    """Render every block of the pages under ``docs_dir`` into the cache, in one Java process at most.

    Includes resolve against ``docs_dir`` and must stay inside it (as in the wrapper).
    """
    return render(page_diagrams(docs_dir), cache_dir)


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


__all__ = ["plantuml_cmd", "environment", "configure_mkdocs", "page_diagrams", "prerender_pages"]
