"""``tfpub supplement``: list supplements, build their documents (Markdown, HTML, PDF), incorporate them.

Exit codes as everywhere in tfpub: 0 success, 1 problems (in the specs or the
supplement, or a refused incorporation), 2 the command could not be carried out
as asked (no such supplement, no Chromium for a PDF).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..cli_common import EXIT_PROBLEMS, EXIT_USAGE, load_or_exit, print_problems
from ..model import STATUS_LABELS

FORMATS = ("md", "html", "pdf", "docx")


@click.group()
def supplement() -> None:
    """Supplements: new profiles and amendments, published apart until they are Final Text."""


def _specs_option(fn):
    return click.option("--specs", type=click.Path(path_type=Path, file_okay=False), default="specs", show_default=True, help="Specs folder.")(fn)


def _document(specs: Path, supplement_id: str):
    from ..render.pages import environment
    from ..render.templating import TemplateFailure
    from ..site.publish import template_dirs
    from .check import check_all
    from .document import build_document
    from .incorporate import find_supplement
    from .model import SupplementError

    found = find_supplement(specs, supplement_id)
    if found is None:
        click.echo(f"tfpub supplement: no supplement '{supplement_id}' under {specs}/<DOMAIN>/supplements/", err=True)
        sys.exit(EXIT_USAGE)
    fw = load_or_exit(specs)  # validates the specs and every supplement; exits on errors
    from ..validate import validate

    checked, _ = check_all(specs, fw, validate(specs).sources)
    folder = found[0].resolve()
    match = next((c for c in checked if c.supplement.folder.resolve() == folder), None)
    if match is None or match.applied is None:
        click.echo(f"tfpub supplement: '{supplement_id}' is final-text: it is part of the volumes now, so there is no supplement document to build", err=True)
        sys.exit(EXIT_PROBLEMS)
    env = environment(template_dirs(specs.resolve()))
    try:
        return build_document(match.base or fw, match.supplement, env, applied=match.applied), env
    except (SupplementError, TemplateFailure) as exc:
        print_problems(exc.problems, "text")
        sys.exit(EXIT_PROBLEMS)


@supplement.command("list")
@_specs_option
def list_(specs: Path) -> None:
    """List the supplements with their status and what they change."""
    from ..validate import validate
    from .check import check_all

    result = validate(specs)
    checked, _ = check_all(specs, result.framework, result.sources)
    if not checked:
        click.echo("no supplements", err=True)
    for c in checked:
        s = c.supplement
        what = ""
        if c.applied is not None:
            new = ", ".join(f"{k} {', '.join(v)}" for k, v in sorted(c.applied.new.items()))
            amended = ", ".join(sorted(k for _, k in c.applied.amended()))
            what = "; ".join(x for x in (f"adds {new}" if new else "", f"amends {amended}" if amended else "") if x)
        state = "ok" if c.ok else "has errors"
        click.echo(f"{s.domain}/{s.id}\tRev {s.revision}\t{STATUS_LABELS[s.status]}\t{s.date}\t{state}\t{what}")


@supplement.command()
@click.argument("supplement_id", metavar="ID")
@_specs_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True, help="md: the site page; html: one print-ready page; pdf: printed by headless Chromium; docx: Word, changes as revisions.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Output file (default: ID.FORMAT; '-' for standard output, md and html only).")
@click.option("--markup", type=click.Choice(["revisions", "formatting"]), default="revisions", show_default=True,
              help="docx only: changes as Word revisions (accept or reject them in Word), or as bold-underline and strikethrough formatting.")
def build(supplement_id: str, specs: Path, fmt: str, output: Path | None, markup: str = "revisions") -> None:
    """Build the supplement document ID, for circulation outside the site."""
    from ..render.templating import TemplateFailure
    from .printing import PdfError, print_html, print_pdf, running_texts

    doc, env = _document(specs, supplement_id)
    name = supplement_id.rpartition("/")[2]
    output = output or Path(f"{name}.{fmt}")
    if fmt == "docx":
        from ..render.word import write_atomic
        from .word import supplement_docx

        if str(output) == "-":
            raise click.UsageError("a Word document cannot go to standard output; give -o FILE")
        warnings: list[str] = []
        write_atomic(output, supplement_docx(doc, markup=markup, warnings=warnings))
        for line in warnings:
            click.echo(line, err=True)
        click.echo(f"wrote {output}", err=True)
        return
    if fmt == "md":
        text = doc.markdown
    else:
        try:
            text = print_html(doc, env)
        except TemplateFailure as exc:  # an overriding supplement-print.html.j2 failed
            print_problems(exc.problems, "text")
            sys.exit(EXIT_PROBLEMS)
    if fmt == "pdf":
        if str(output) == "-":
            raise click.UsageError("a PDF cannot go to standard output; give -o FILE")
        try:
            header, footer = running_texts(doc)
            print_pdf(text, output, header=header, footer=footer)
        except PdfError as exc:
            click.echo(f"tfpub supplement: {exc}", err=True)
            sys.exit(EXIT_USAGE)
    elif str(output) == "-":
        click.echo(text, nl=False)
        return
    else:
        output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)


@supplement.command()
@click.argument("supplement_id", metavar="ID")
@_specs_option
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Output file (default: ID.pdf).")
@click.pass_context
def pdf(ctx: click.Context, supplement_id: str, specs: Path, output: Path | None) -> None:
    """Print the supplement document ID to PDF (same as 'build ID --format pdf')."""
    ctx.invoke(build, supplement_id=supplement_id, specs=specs, fmt="pdf", output=output)


@supplement.command()
@click.argument("supplement_id", metavar="ID")
@_specs_option
@click.option("--dry-run", is_flag=True, help="Check and list the changes, but write nothing.")
@click.option("--force-public-comment", is_flag=True, help="Incorporate a Public Comment supplement (normally only Trial Implementation becomes Final Text).")
def incorporate(supplement_id: str, specs: Path, dry_run: bool, force_public_comment: bool) -> None:
    """Fold supplement ID into the specs and mark it final-text.

    Only a Trial Implementation supplement becomes Final Text; a Public Comment one is
    refused unless --force-public-comment is given. The supplement's document as balloted
    is kept in its folder (balloted.md and balloted.html), and the site keeps publishing it.

    The base YAML files are edited in place, keeping their comments, key order and
    formatting, and the supplement's new files are copied in: review the result
    with 'git diff'. Nothing is written unless every check passes.
    """
    from .incorporate import incorporate as run

    result = run(specs, supplement_id, dry_run=dry_run, force_public_comment=force_public_comment)
    for note in result.notes:  # recovery of an interrupted run (supplements/journal.py)
        click.echo(f"tfpub supplement incorporate: {note}", err=True)
    if result.problems:
        print_problems(result.problems, "text")
    if result.supplement is None and any(p.rule == "supplement-missing" for p in result.problems):
        sys.exit(EXIT_USAGE)
    if not result.ok:
        click.echo("tfpub supplement incorporate: refused; no file was changed", err=True)
        sys.exit(EXIT_PROBLEMS)
    verb = "would change" if dry_run else "changed"
    for e in result.edits:
        click.echo(f"{'added' if e.old_text is None else verb}: {e.shown}" if not dry_run or e.old_text is not None else f"would add: {e.shown}")
    s = result.supplement
    if not dry_run:
        click.echo(f"incorporated {s.domain}/{s.id} ({s.title}); it is now final-text. Review with 'git diff', then validate and build.", err=True)
