"""``tfpub annex``: build requirement annexes, render integration statements, check one against the other.

Exit codes as everywhere in tfpub: 0 success, 1 problems (an invalid selection,
errors in the specs, or requirements a statement does not meet), 2 the command
could not be carried out as asked.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..cli_common import EXIT_PROBLEMS, EXIT_USAGE, load_or_exit, print_problems
from ..problems import sort_problems
from .selection import (
    DEFAULT_ID,
    DEFAULT_PREFIX,
    DEFAULT_TITLE,
    MINIMUM_STATUSES,
    ORIENTATIONS,
    PAPERS,
    Annex,
    annex_from_args,
    annex_from_json,
    check_annex,
    read_annex,
    read_statement,
)

ANNEX_FORMATS = ("md", "html", "docx", "xlsx", "csv", "json")


STATEMENT_FORMATS = ("md", "html", "docx", "json")


def _domain_of_file(path: Path) -> str:
    """specs/ITI/annexes/x.yaml lies in domain ITI."""
    parent = path.resolve().parent
    if parent.name in ("annexes", "statements") and (parent.parent / "domain.yaml").is_file():
        return parent.parent.name
    return ""


def _fail(problems, code: int = EXIT_PROBLEMS) -> None:
    print_problems(sort_problems(problems), "text")
    sys.exit(code)


def _read_annex_arg(path: Path) -> Annex:
    if not path.is_file():
        raise click.UsageError(f"no such annex file: {path}")
    if path.suffix == ".json":
        annex, problems = annex_from_json(path)
    elif path.suffix in (".yaml", ".yml"):
        annex, problems = read_annex(path, _domain_of_file(path))
    else:
        raise click.UsageError(f"{path}: give an annex .yaml file, or the .json an annex build wrote")
    if annex is None or any(p.is_error for p in problems):
        _fail(problems)
    if problems:
        print_problems(problems, "text")
    return annex


def _checked(fw, annex: Annex, strict: bool) -> None:
    from .site import status_warnings

    problems = check_annex(fw, annex)
    if any(p.is_error for p in problems):
        _fail(problems)
    problems += status_warnings(fw, annex)
    if problems:
        print_problems(sort_problems(problems), "text")
        if strict:
            click.echo("tfpub annex: stopped: warnings with --strict", err=True)
            sys.exit(EXIT_PROBLEMS)


def _formats(values: tuple[str, ...], allowed: tuple[str, ...]) -> list[str]:
    chosen: list[str] = []
    for v in values or ("md",):
        for f in allowed if v == "all" else (v,):
            if f not in chosen:
                chosen.append(f)
    return chosen


def _write(out_dir: Path, name: str, content: str | bytes) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / name
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_bytes(content.encode("utf-8"))
    click.echo(f"wrote {target}", err=True)


@click.group("annex")
def annex() -> None:
    """Procurement requirement annexes and IHE Integration Statements.

    \b
    tfpub annex build ANNEX.yaml --format all -o out/
    tfpub annex build --select XDS.b:document-consumer --select PIX:patient-identifier-cross-reference-consumer
    tfpub annex check ANNEX.yaml --statement STATEMENT.yaml
    tfpub annex statement STATEMENT.yaml --format docx -o out/
    tfpub annex validate specs
    """


@annex.command("build")
@click.argument("annex_file", metavar="[ANNEX]", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--specs", type=click.Path(path_type=Path), default="specs", show_default=True, help="The specs folder.")
@click.option("--format", "formats", multiple=True, type=click.Choice(ANNEX_FORMATS + ("all",)), help="Output format; repeat it, or 'all' (default md).")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=".", show_default=True, help="Folder to write <id>.<format> into.")
@click.option("--select", "selects", multiple=True, metavar="PROFILE:actor[opt,...]", help="Select an actor (SHALL) without an annex file; repeat it.")
@click.option("--should", "shoulds", multiple=True, metavar="PROFILE:actor[opt,...]", help="Select an actor at SHOULD level; repeat it.")
@click.option("--title", default=DEFAULT_TITLE, show_default=True, help="Title, with --select.")
@click.option("--buyer", default="", help="Buyer, with --select.")
@click.option("--prefix", default=DEFAULT_PREFIX, show_default=True, help="Requirement-id prefix, with --select.")
@click.option("--minimum-status", type=click.Choice(MINIMUM_STATUSES), default="final-text", show_default=True, help="Least mature status accepted, with --select.")
@click.option("--revision", default="", help="Framework revision the annex is written against, with --select (default: the specs' revision).")
@click.option("--id", "annex_id", default=DEFAULT_ID, show_default=True, help="Annex id (output file name), with --select.")
@click.option("--paper", type=click.Choice(PAPERS), help="Paper size of the Word and Excel forms (default: the annex's output.paper, else a4).")
@click.option("--orientation", type=click.Choice(ORIENTATIONS), help="Page orientation of the Word and Excel forms (default: the annex's output.orientation, else Word portrait and Excel landscape).")
@click.option("--site-url", default="", metavar="URL", help="Published site the citations link to in Word, HTML and Markdown (default: the annex's output.site_url, else site_url in mkdocs.yml beside the specs; without one they stay text).")
@click.option("--strict", is_flag=True, help="Exit 1 when there are warnings (status flags, another revision).")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the (single, text) format instead of writing a file.")
def build(annex_file, specs, formats, out_dir, selects, shoulds, title, buyer, prefix, minimum_status, revision, annex_id, paper, orientation,
          site_url, strict, to_stdout) -> None:
    """Expand ANNEX (a YAML annex, or the JSON of an earlier build) or a --select selection into its requirements."""
    from .expand import expand
    from .links import Hrefs, project_site_url, valid_site_url
    from .office import annex_docx, annex_xlsx
    from .render import to_csv, to_html, to_json, to_markdown

    if site_url and not valid_site_url(site_url):
        raise click.UsageError(f"--site-url {site_url!r}: give an http(s) address such as https://example.org/tf/")

    if annex_file and (selects or shoulds):
        raise click.UsageError("give an annex file or --select, not both")
    if not annex_file and not (selects or shoulds):
        raise click.UsageError("give an annex file, or select actors with --select PROFILE:actor")
    chosen = _formats(formats, ANNEX_FORMATS)
    if to_stdout and (len(chosen) != 1 or chosen[0] in ("docx", "xlsx")):
        raise click.UsageError("--stdout prints one text format: md, html, csv or json")
    fw = load_or_exit(specs)
    if annex_file:
        annex_ = _read_annex_arg(annex_file)
    else:
        annex_, problems = annex_from_args(list(selects), list(shoulds), title=title, prefix=prefix, buyer=buyer,
                                           minimum_status=minimum_status, revision=revision, annex_id=annex_id)
        if annex_ is None:
            _fail(problems)
    _checked(fw, annex_, strict)
    e = expand(fw, annex_)
    site_url = site_url or annex_.output.site_url or project_site_url(specs)
    writers = {
        # Markdown without a site to link to stays plain, as the builder page writes it
        "md": lambda: to_markdown(e, fw, hrefs=Hrefs(site_url=site_url) if site_url else None),
        "html": lambda: to_html(e, fw, site_url=site_url),
        "csv": lambda: to_csv(e),
        "json": lambda: to_json(e),
        "docx": lambda: annex_docx(e, fw, paper=paper or "", orientation=orientation or "", site_url=site_url),
        "xlsx": lambda: annex_xlsx(e, fw, paper=paper or "", orientation=orientation or ""),
    }
    if to_stdout:
        click.echo(writers[chosen[0]](), nl=False)
        return
    for fmt in chosen:
        _write(out_dir, f"{annex_.id}.{fmt}", writers[fmt]())
    shall, should = e.counts()
    click.echo(f"{annex_.id}: {len(e.requirements)} requirements ({shall} SHALL, {should} SHOULD)", err=True)


@annex.command("check")
@click.argument("annex_file", metavar="ANNEX", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--statement", "statement_file", required=True, type=click.Path(path_type=Path, dir_okay=False), help="The vendor's integration statement (YAML).")
@click.option("--specs", type=click.Path(path_type=Path), default="specs", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check(annex_file, statement_file, specs, fmt) -> None:
    """List which requirements of ANNEX the integration statement meets and which it does not.

    Exit 1 when a SHALL requirement is not met.
    """
    from .expand import expand
    from .statement import check_json, check_statement_against, format_check

    fw = load_or_exit(specs)
    annex_ = _read_annex_arg(annex_file)
    _checked(fw, annex_, False)
    statement = _read_statement_arg(fw, statement_file)
    result = check_statement_against(expand(fw, annex_), statement)
    click.echo(format_check(result, statement) if fmt == "text" else check_json(result, statement), nl=(fmt == "text"))
    if result.unmet_shall:
        sys.exit(EXIT_PROBLEMS)


def _read_statement_arg(fw, path: Path):
    from .statement import check_statement

    if not path.is_file():
        raise click.UsageError(f"no such statement file: {path}")
    statement, problems = read_statement(path)
    if statement is None or any(p.is_error for p in problems):
        _fail(problems)
    problems += check_statement(fw, statement)
    if problems:
        print_problems(sort_problems(problems), "text")
    if any(p.is_error for p in problems):
        sys.exit(EXIT_PROBLEMS)
    return statement


@annex.command("statement")
@click.argument("statement_file", metavar="STATEMENT", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--specs", type=click.Path(path_type=Path), default="specs", show_default=True)
@click.option("--format", "formats", multiple=True, type=click.Choice(STATEMENT_FORMATS + ("all",)), help="Output format; repeat it, or 'all' (default md).")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=".", show_default=True)
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the (single, text) format instead of writing a file.")
def statement_cmd(statement_file, specs, formats, out_dir, to_stdout) -> None:
    """Render an IHE Integration Statement (General Introduction, Appendix F layout)."""
    from .statement import (
        statement_docx,
        statement_html,
        statement_json,
        statement_markdown,
    )

    chosen = _formats(formats, STATEMENT_FORMATS)
    if to_stdout and (len(chosen) != 1 or chosen[0] == "docx"):
        raise click.UsageError("--stdout prints one text format: md, html or json")
    fw = load_or_exit(specs)
    statement = _read_statement_arg(fw, statement_file)
    writers = {
        "md": lambda: statement_markdown(fw, statement),
        "html": lambda: statement_html(fw, statement),
        "json": lambda: statement_json(fw, statement),
        "docx": lambda: statement_docx(fw, statement),
    }
    if to_stdout:
        click.echo(writers[chosen[0]](), nl=False)
        return
    for fmt in chosen:
        _write(out_dir, f"{statement.id}.{fmt}", writers[fmt]())


@annex.command("validate")
@click.argument("specs", type=click.Path(path_type=Path), default="specs")
def validate_cmd(specs) -> None:
    """Check every annex and integration statement under SPECS (the specs must be valid)."""
    from .site import validate_annexes

    fw = load_or_exit(specs)
    problems = validate_annexes(specs, fw)
    if problems:
        print_problems(problems, "text")
        sys.exit(EXIT_PROBLEMS)
    click.echo(f"{specs}: annexes and statements: no problems", err=True)


__all__ = ["annex", "EXIT_USAGE"]
