"""``tfpub cp`` (list change proposals, build a CP's document) and ``tfpub revision`` (list, fold).

Exit codes as everywhere in tfpub: 0 success, 1 problems (in the specs, or a
refused fold), 2 the command could not be carried out as asked (no such CP).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..cli_common import EXIT_PROBLEMS, EXIT_USAGE, load_or_exit, print_problems

FORMATS = ("md", "html", "pdf", "docx")


def _specs_option(fn):
    return click.option("--specs", type=click.Path(path_type=Path, file_okay=False), default="specs", show_default=True, help="Specs folder.")(fn)


@click.group()
def cp() -> None:
    """Change proposals: corrections and clarifications of the volumes, integrated by revision."""


@cp.command("list")
@_specs_option
def list_(specs: Path) -> None:
    """List the change proposals with their status and what they change."""
    from ..validate import validate
    from .check import check_change_proposals
    from .model import STATUS_LABELS

    result = validate(specs)
    checked, _ = check_change_proposals(specs, result.framework, result.sources)
    if not checked:
        click.echo("no change proposals", err=True)
    for c in checked:
        what = ", ".join(sorted({k for _, k in (t.target for t in c.applied.changes)})) if c.applied is not None else ""
        click.echo(f"{c.cp.domain}/{c.cp.number}\t{STATUS_LABELS[c.cp.status]}\t{c.cp.date}\t{'has errors' if any(p.is_error for p in c.problems) else 'ok'}\t{what}")


def _document(specs: Path, number: str):
    from ..render.pages import environment
    from ..site.publish import template_dirs
    from ..supplements.model import SupplementError
    from .site import _checked, cp_documents, history_of

    fw = load_or_exit(specs)
    env = environment(template_dirs(specs.resolve()))
    if not any(c.cp.number == number for c in _checked(fw, specs)):
        click.echo(f"tfpub cp: no change proposal '{number}' under {specs}/<DOMAIN>/change-proposals/", err=True)
        sys.exit(EXIT_USAGE)
    try:
        logs, history = history_of(fw, specs, env)
        doc = next((d for d in cp_documents(fw, specs, env, logs, history) if d.cp.number == number), None)
    except SupplementError as exc:
        print_problems(exc.problems, "text")
        sys.exit(EXIT_PROBLEMS)
    if doc is None:
        click.echo(f"tfpub cp: {number} has no document (a rejected CP, or an integrated one whose revision has no snapshot)", err=True)
        sys.exit(EXIT_PROBLEMS)
    return doc, env


@cp.command()
@click.argument("number", metavar="NUMBER")
@_specs_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True, help="md: the site page; html: one print-ready page; pdf: printed by headless Chromium; docx: Word, changes as revisions.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Output file (default: NUMBER.FORMAT; '-' for standard output, md and html only).")
@click.option("--markup", type=click.Choice(["revisions", "formatting"]), default="revisions", show_default=True, help="docx only: changes as Word revisions, or as formatting.")
def build(number: str, specs: Path, fmt: str, output: Path | None, markup: str) -> None:
    """Build the document of change proposal NUMBER (CP-ITI-1234)."""
    from .document import cp_docx, print_html, running_texts

    doc, env = _document(specs, number)
    output = output or Path(f"{number}.{fmt}")
    if fmt == "docx":
        from ..render.word import write_atomic

        if str(output) == "-":
            raise click.UsageError("a Word document cannot go to standard output; give -o FILE")
        write_atomic(output, cp_docx(doc, markup=markup))
    elif fmt == "pdf":
        from ..supplements.printing import PdfError, print_pdf

        if str(output) == "-":
            raise click.UsageError("a PDF cannot go to standard output; give -o FILE")
        try:
            header, footer = running_texts(doc)
            print_pdf(print_html(doc, env), output, header=header, footer=footer)
        except PdfError as exc:
            click.echo(f"tfpub cp: {exc}", err=True)
            sys.exit(EXIT_USAGE)
    else:
        text = doc.markdown if fmt == "md" else print_html(doc, env)
        if str(output) == "-":
            click.echo(text, nl=False)
            return
        output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)


@click.group()
def revision() -> None:
    """Revisions of the volumes: what each integrated; fold the final-text CPs into the next one."""


@revision.command("list")
@_specs_option
def list_revisions(specs: Path) -> None:
    """List each domain's revisions, oldest first, with what they integrated."""
    from ..load.discovery import domain_dirs
    from .revisions import load_log

    for ddir in domain_dirs(specs):
        log, problems = load_log(ddir)
        if problems:
            print_problems(problems, "text")
            sys.exit(EXIT_PROBLEMS)
        for r in log.revisions if log else []:
            click.echo(f"{ddir.name}\t{r.revision}\t{r.date}\t{', '.join(r.change_proposals + r.supplements) or '-'}")


@revision.command()
@_specs_option
@click.option("--domain", required=True, help="The domain to make a revision of (ITI).")
@click.option("--revision", "number", required=True, help="The new revision's number (21.0).")
@click.option("--date", required=True, help="The new revision's date (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Check and list the changes, but write nothing.")
def fold(specs: Path, domain: str, number: str, date: str, dry_run: bool) -> None:
    """Fold every final-text CP of DOMAIN into the volumes as the next revision, all or nothing.

    The CPs are marked integrated, the current volumes kept as the snapshot of the revision
    they were (history/<revision>/), domain.yaml gets the new revision and date, and the
    revision log (revisions.yaml) an entry with what went in. Supplements reach Final Text with
    'tfpub supplement incorporate'; the fold records those no revision has recorded yet.
    Nothing is written unless every check passes.
    """
    import re

    from .fold import fold as run

    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", date):
        raise click.UsageError(f"--date {date!r}: give the date as YYYY-MM-DD")
    result = run(specs, domain, number, date, dry_run=dry_run)
    for note in result.notes:
        click.echo(f"tfpub revision fold: {note}", err=True)
    if result.problems:
        print_problems(result.problems, "text")
    if not result.ok:
        click.echo("tfpub revision fold: refused; no file was changed", err=True)
        sys.exit(EXIT_PROBLEMS)
    if not result.edits and not dry_run:
        return  # an interrupted run of this very fold was finished (the note above says so)
    from ..load.discovery import display_path
    from .revisions import HISTORY

    snapshot = [e for e in result.edits if e.old_text is None and f"/{HISTORY}/" in e.shown.replace("\\", "/")]
    for e in result.edits:
        if e not in snapshot:
            click.echo(f"{('would add' if dry_run else 'added') if e.old_text is None else ('would change' if dry_run else 'changed')}: {e.shown}")
    for kept_revision in (result.previous, number):
        kept = [e for e in snapshot if f"/{HISTORY}/{kept_revision}/" in e.shown.replace("\\", "/")]
        if kept:
            folder = f"{display_path(specs / domain / HISTORY / kept_revision)}/"
            click.echo(f"{'would add' if dry_run else 'added'}: {folder} ({len(kept)} files: the volumes of Revision {kept_revision}, kept)")
    what = ", ".join(result.change_proposals + result.supplements)
    click.echo(f"{'would make' if dry_run else 'made'} {domain} Revision {number} ({date}) from {result.previous}: {what}", err=True)
