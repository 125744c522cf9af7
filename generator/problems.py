"""Problems found in specs, and the three ways of printing them.

Every check in tfpub reports through :class:`Problem` rather than raising, so
that one run can show an editor *all* of their mistakes at once, each with the
place to fix it.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Iterable


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Loc:
    """A place in a spec file: 1-based line and column, as editors count."""

    file: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


# What would end a line or drive a terminal (ANSI escapes from a file name, say): C0 and C1
# controls, DEL, and the Unicode line breaks that str.splitlines() splits at.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NOT_TAB = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` folded onto one line, with nothing in it that a terminal or log would act on.

    Messages quote other programs (PyYAML's "...\\n  in <unicode string>", jsonschema,
    PlantUML) and spec text; however they read, every format prints one line per
    problem, so a `path:line:col:` prefix and a `::error` annotation always start a
    line. Line breaks become one space; other control characters, and lone surrogates
    (which cannot be printed as UTF-8), are shown as escapes.
    """
    if _UNPRINTABLE.search(text):
        text = " ".join(part.strip() for part in text.splitlines() if part.strip()).replace("\t", " ")
        text = _NOT_TAB.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass(frozen=True)
class Problem:
    loc: Loc
    severity: Severity
    message: str
    rule: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple:
        return (self.loc.file, self.loc.line, self.loc.col, self.rule, self.message)

    def __str__(self) -> str:
        return one_line(f"{self.loc}: {self.severity.value}: {self.message} [{self.rule}]")


def error(loc: Loc, message: str, rule: str) -> Problem:
    return Problem(loc, Severity.ERROR, message, rule)


def warning(loc: Loc, message: str, rule: str) -> Problem:
    return Problem(loc, Severity.WARNING, message, rule)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Sorted by file and line, with exact repeats removed (two checks may meet the same fault)."""
    seen: set[tuple] = set()
    unique = []
    for p in problems:
        key = p.sort_key() + (p.severity.value,)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return sorted(unique, key=Problem.sort_key)


def format_text(problems: list[Problem]) -> str:
    lines = [str(p) for p in problems]
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    if problems:
        lines.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(lines)


def format_json(problems: list[Problem]) -> str:
    rows = []
    for p in problems:
        row = asdict(p.loc)
        row.update(severity=p.severity.value, message=one_line(p.message), rule=one_line(p.rule))
        rows.append(row)
    return json.dumps(rows, indent=2, ensure_ascii=False)


def _github_escape(text: str, *, prop: bool = False) -> str:
    """Workflow-command escaping, as the GitHub Actions runner defines it (on one line)."""
    text = one_line(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(problems: list[Problem]) -> str:
    lines = []
    for p in problems:
        props = ",".join(
            [
                f"file={_github_escape(p.loc.file, prop=True)}",
                f"line={p.loc.line}",
                f"col={p.loc.col}",
                f"title={_github_escape(p.rule, prop=True)}",
            ]
        )
        lines.append(f"::{p.severity.value} {props}::{_github_escape(p.message)}")
    return "\n".join(lines)


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}
