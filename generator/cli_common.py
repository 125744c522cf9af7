"""What every ``tfpub`` command shares: exit codes, printing problems, loading the specs.

It sits below the top command and the sub-command groups (annex, supplement) alike, so
each group imports it and the top command imports the groups: no command imports another.

Exit codes are the same for every command: 0 success, 1 problems found in the specs,
2 the command itself could not be carried out as asked.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .problems import FORMATTERS, Problem

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def print_problems(problems: list[Problem], fmt: str = "text") -> None:
    """Text goes to standard error (it is a report); json and github to standard output (they are data)."""
    out = FORMATTERS[fmt](problems)
    if out:
        click.echo(out, err=(fmt == "text"))


def load_or_exit(specs: Path):
    """Validate SPECS; print the problems and exit when there are errors, else return the model."""
    from .validate import validate as run

    result = run(specs)
    if result.problems:
        print_problems(result.problems, "text")
    if any(p.rule == "no-specs" for p in result.problems):
        sys.exit(EXIT_USAGE)
    if result.errors:
        click.echo("tfpub: stopped: fix the errors above first", err=True)
        sys.exit(EXIT_PROBLEMS)
    return result.framework
