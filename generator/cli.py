"""The ``tfpub`` command line: the I/O edge around the pure pipeline.

Exit codes are the same for every command: 0 success, 1 problems found in the
specs, 2 the command itself could not be carried out as asked.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import time
from pathlib import Path

import click

from . import __version__
from .cli_common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, load_or_exit, print_problems
from .problems import FORMATTERS
from .textio import utf8_stdio

__all__ = ["cli", "main", "EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE"]


class _Commands(click.Group):
    """The top-level group: the subpackages' commands are imported only when named.

    ``tfpub validate`` is run after every save by editors and CI; importing the annex,
    supplement and diagram command modules (and all they import) cost it a third of a
    second before any work. ``--help`` lists them all, importing them then.
    """

    LAZY = {  # command name -> (module, attribute)
        "annex": ("generator.annex.cli", "annex"),
        "doctor": ("generator.diagrams.cli", "doctor"),
        "supplement": ("generator.supplements.cli", "supplement"),
        "cp": ("generator.changes.cli", "cp"),
        "revision": ("generator.changes.cli", "revision"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY and cmd_name not in self.commands:
            module, attr = self.LAZY[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attr), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tfpub")
def cli() -> None:
    """Author, check and publish IHE-style Technical Frameworks from YAML specs."""


@cli.command()
@click.argument("specs", type=click.Path(path_type=Path), default="specs")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATTERS)), default="text", show_default=True, help="How to print problems.")
@click.option("--allow-warnings", is_flag=True, help="Exit 0 when there are warnings but no errors.")
def validate(specs: Path, fmt: str, allow_warnings: bool) -> None:
    """Check every spec under SPECS and report all problems at once.

    Each problem is printed as 'path:line:col: error|warning: message [rule]'.
    Exit 0 when clean, 1 when there are problems, 2 when SPECS is not a specs folder.
    """
    from .validate import validate as run

    if _PROCESS["own"]:
        gc.disable()  # a one-shot process that ends with _leave: no collection can pay off (see collector_paused)
    started = time.perf_counter()
    result = run(specs)
    if any(p.rule == "no-specs" for p in result.problems):
        print_problems(result.problems, fmt)
        sys.exit(EXIT_USAGE)
    print_problems(result.problems, fmt)
    if fmt == "text" and not result.problems:
        fw = result.framework
        click.echo(
            f"{specs}: {len(result.files)} files, {len(fw.profiles)} profiles, {len(fw.transactions)} transactions, "
            f"{len(fw.actors)} actors: no problems ({time.perf_counter() - started:.2f} s)",
            err=True,
        )
    _leave(EXIT_PROBLEMS if result.errors or (result.warnings and not allow_warnings) else EXIT_OK)


_PROCESS = {"own": False}  # True when main() runs this process (the console script), not a caller's process


def _leave(code: int) -> None:
    """End a read-only command. In its own process, without tearing the model down first.

    Python frees every object one by one at exit and runs a last full garbage
    collection: 3 s of a 17 s ``tfpub validate`` at 10×IHE size, for memory the
    operating system takes back anyway. Nothing is left to write (output is
    flushed here); called from another program, this is an ordinary exit.
    """
    if not _PROCESS["own"]:
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path), default=".")
@click.option("--domain", "acronym", default="TF", show_default=True, help="Acronym of the first domain (ITI, RAD, ...).")
@click.option("--title", default="", help="Title of the framework (default: 'ACRONYM Technical Framework').")
@click.option("--force", is_flag=True, help="Add the project's files to a folder that is not empty (files already there are kept).")
@click.option("--tfpub-install", "install", default=None, help="What the GitHub workflow installs with pip (default: this version of tfpub).")
def init(directory: Path, acronym: str, title: str, force: bool, install: str | None) -> None:
    """Start a new framework project in DIRECTORY that validates and builds at once."""
    from .init_project import InitError, init_project

    try:
        result = init_project(directory, acronym, title, force=force, **({"install": install} if install else {}))
    except InitError as exc:
        click.echo(f"tfpub init: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    for path in result.kept:
        click.echo(f"kept {path} (it exists; not replaced)", err=True)
    click.echo(f"created a framework project in {directory} ({len(result.written)} files)", err=True)
    where = "" if directory == Path(".") else f"cd {directory} && "
    click.echo(f"next: {where}tfpub validate && tfpub serve", err=True)


@cli.command()
@click.argument("kind", type=click.Choice(["actor", "transaction", "profile", "content", "supplement"]))
@click.argument("id_", metavar="ID")
@click.option("--domain", "domain_dir", type=click.Path(path_type=Path, file_okay=False), help="Domain folder (default: the only one under ./specs).")
@click.option("--name", default="", help="Display name (a supplement's title).")
@click.option("--actor", "actors", multiple=True, help="Actor ids: a profile's actors, or a transaction's initiator then responder.")
@click.option("--chapter", type=int, help="Volume 1 chapter of a new profile (default: the next free one).")
@click.option("--section", default="", help="Volume 3 section of a new content module.")
def new(kind: str, id_: str, domain_dir: Path | None, name: str, actors: tuple[str, ...], chapter: int | None, section: str) -> None:
    """Create a new KIND spec file called ID (a supplement: its folder), ready to fill in."""
    from .load.discovery import domain_dirs
    from .scaffold import ScaffoldError, new_file, new_supplement

    if domain_dir is None:
        found = domain_dirs(Path("specs")) if Path("specs").is_dir() else []
        if len(found) != 1:
            raise click.UsageError("say which domain folder to add to with --domain (for example --domain specs/ITI)")
        domain_dir = found[0]
    try:
        if kind == "supplement":
            path = new_supplement(domain_dir, id_, title=name)
        else:
            path = new_file(domain_dir, kind, id_, name=name, chapter=chapter, actors=list(actors), section=section)
    except ScaffoldError as exc:
        click.echo(f"tfpub new: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"created {path}")


@cli.command()
@click.argument("kind", required=False)
@click.option("--path", "show_path", is_flag=True, help="Print the folder holding the schemas.")
@click.option("--write", "write", is_flag=True, help="Copy every schema into the project's schemas/ folder (what $schema lines name).")
@click.option("--to", "dest", type=click.Path(path_type=Path, file_okay=False), default="schemas", show_default=True, help="Folder for --write.")
def schema(kind: str | None, show_path: bool, write: bool, dest: Path) -> None:
    """Print the JSON Schema of KIND (every spec kind, supplement, supplement-amendments, annex, statement, export)."""
    from .load.schema_check import schema_text
    from .scaffold import schema_dir, schema_kinds, write_schemas

    if write:
        written = write_schemas(dest)
        click.echo(f"wrote {len(written)} schemas to {dest}", err=True)
        return
    if show_path or not kind:
        click.echo(schema_dir())
        return
    if kind not in schema_kinds():
        raise click.UsageError(f"unknown kind '{kind}'; use one of: {', '.join(schema_kinds())}")
    click.echo(schema_text(kind), nl=False)


@cli.command()
@click.option("--specs", type=click.Path(path_type=Path, file_okay=False), help="Specs folder (default: specs/ beside mkdocs.yml).")
@click.option("-f", "--config-file", type=click.Path(path_type=Path, dir_okay=False), default="mkdocs.yml", show_default=True)
@click.option("-d", "--site-dir", type=click.Path(path_type=Path, file_okay=False), help="Where to write the site (default: site/).")
@click.option("--no-strict", is_flag=True, help="Do not fail on mkdocs warnings such as broken links in hand-written pages.")
@click.option("--engine", type=click.Choice(["mkdocs", "properdocs", "zensical"]), default="mkdocs", show_default=True,
              help="The site engine: mkdocs runs tfpub's hook; properdocs and zensical build the source `tfpub source` writes.")
def build(specs: Path | None, config_file: Path, site_dir: Path | None, no_strict: bool, engine: str) -> None:
    """Validate the specs, generate every page and diagram, and build the site.

    The site is written to a temporary folder and swapped in only when the whole
    build succeeded: on any error the previous site/ is left untouched.
    """
    from .site.site_build import build_site, build_with_engine

    if not config_file.is_file():
        raise click.UsageError(f"no mkdocs configuration at {config_file}; run from the project folder or pass -f")
    started = time.perf_counter()
    if engine == "mkdocs":
        result = build_site(config_file, specs, site_dir, strict=not no_strict)
    else:
        result = build_with_engine(config_file, engine, specs, site_dir, strict=not no_strict)
    if result.problems:
        print_problems(result.problems, "text")
    if not result.ok:
        click.echo(f"tfpub build: {result.message}", err=True)
        sys.exit(EXIT_PROBLEMS)
    click.echo(f"built {result.site_dir} in {time.perf_counter() - started:.1f} s", err=True)


@cli.command()
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.option("--specs", type=click.Path(path_type=Path, file_okay=False), help="Specs folder (default: specs/ beside mkdocs.yml).")
@click.option("-f", "--config-file", type=click.Path(path_type=Path, dir_okay=False), default="mkdocs.yml", show_default=True)
def source(out: Path, specs: Path | None, config_file: Path) -> None:
    """Write the generated site source to OUT: docs/ and a mkdocs.yml without tfpub's hook.

    Any mkdocs-compatible engine builds it: 'mkdocs build -f OUT/mkdocs.yml',
    'properdocs build -f OUT/mkdocs.yml' or 'zensical build -f OUT/mkdocs.yml'.
    Hand-written pages' ```plantuml blocks render through tfpub (the config names it).
    """
    from .site.engines import write_source

    if not config_file.is_file():
        raise click.UsageError(f"no mkdocs configuration at {config_file}; run from the project folder or pass -f")
    result = write_source(config_file, out, specs)
    if result.problems:
        print_problems(result.problems, "text")
    if not result.ok:
        click.echo(f"tfpub source: {result.message}", err=True)
        sys.exit(EXIT_PROBLEMS)
    click.echo(f"wrote the site source to {out} (build it with: zensical build -f {result.config})", err=True)


@cli.command()
@click.option("--specs", type=click.Path(path_type=Path, file_okay=False), help="Specs folder (default: specs/ beside mkdocs.yml).")
@click.option("-f", "--config-file", type=click.Path(path_type=Path, dir_okay=False), default="mkdocs.yml", show_default=True)
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
def serve(specs: Path | None, config_file: Path, dev_addr: str) -> None:
    """Preview the site, rebuilding and reloading the browser when a spec or template changes."""
    from .site.site_build import ServeError, serve_site

    host, _, port = dev_addr.rpartition(":")
    if not (port or "8000").isdigit() or not 0 < int(port or 8000) < 65536:
        raise click.UsageError(f"--dev-addr {dev_addr}: give HOST:PORT with a port from 1 to 65535, e.g. 127.0.0.1:8000")
    try:
        serve_site(config_file, specs, host or "127.0.0.1", int(port or 8000))
    except ServeError as exc:
        click.echo(f"tfpub serve: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


@cli.command()
@click.argument("specs", type=click.Path(path_type=Path), default="specs")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file instead of standard output.")
def export(specs: Path, fmt: str, output: Path | None) -> None:
    """Export the whole resolved model of SPECS as JSON (schema: 'tfpub schema export')."""
    from .render.export import export_json

    framework = load_or_exit(specs)
    text = export_json(framework)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.argument("specs", type=click.Path(path_type=Path), default="specs")
@click.option("--profile", default="", help="One Volume 1 chapter: the profile's acronym (XDS.b).")
@click.option("--transaction", default="", help="One Volume 2 section: the transaction's id (ITI-18).")
@click.option("--content", default="", help="One Volume 3 section: the content module's id.")
@click.option("--volume", type=click.IntRange(1, 3), help="A whole volume (1, 2 or 3), with title page and contents.")
@click.option("--domain", default="", help="The domain of --volume (needed when SPECS holds several).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Output file (default: the acronym, id or DOMAIN-TF-N, .docx).")
def docx(specs: Path, profile: str, transaction: str, content: str, volume: int | None, domain: str, output: Path | None) -> None:
    """A volume, chapter or section of SPECS as Word (.docx), from the same pages as the site.

    For a supplement's document: 'tfpub supplement build ID --format docx'.
    """
    from .render.pages import environment
    from .render.word import write_atomic
    from .render.word_pages import WordSelectionError, select, selection_docx
    from .site.publish import template_dirs

    chosen = [x for x in (profile, transaction, content, volume) if x]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --profile, --transaction, --content or --volume")
    framework = load_or_exit(specs)
    try:
        selection = select(framework, profile=profile, transaction=transaction, content=content, volume=volume or 0, domain=domain)
    except WordSelectionError as exc:
        click.echo(f"tfpub docx: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    env = environment(template_dirs(specs.resolve()))
    data, warnings = selection_docx(framework, env, selection, Path(".tfpub-cache").resolve())
    for line in warnings:
        click.echo(f"tfpub docx: {line}", err=True)
    output = output or Path(f"{profile or transaction or content or f'{selection.domain}-TF-{volume}'}.docx")
    write_atomic(output, data)
    click.echo(f"wrote {output}", err=True)


# Commands contributed by subpackages: _Commands.LAZY, one line each.


def main() -> None:
    utf8_stdio()  # messages name non-ASCII spec text; never a UnicodeEncodeError under a POSIX locale
    _PROCESS["own"] = True
    cli(prog_name="tfpub")
