"""The Jinja2 environment every page template runs in, and how its failures are reported.

Templates are inputs like specs: a framework overrides them from ``specs/templates``
through pull requests, so a template is untrusted code. It runs in Jinja2's
immutable sandbox (no attribute starting with ``_``, no calls to unsafe methods,
no changes to lists and dicts it is given, ranges bounded), may include only
files that really lie in a template folder, and cannot build huge strings or
numbers with ``*`` and ``**``. Anything a template gets wrong, from a syntax error
to an attempt to reach Python internals, becomes one located problem
(``specs/templates/actor.md.j2:12:1: error: ... [template-unsafe]``) that the
build reports like a spec error, never a traceback.
"""

from __future__ import annotations

import operator
import os
import traceback
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..load.discovery import display_path
from ..problems import Loc, Problem, error

# ``'x' * n`` and ``a ** b`` are the cheap ways to exhaust memory or time from a template.
MAX_SEQUENCE = 1_000_000  # items (characters) a repetition may produce
MAX_EXPONENT = 256


class TemplateFailure(Exception):
    """A template could not be rendered; ``problems`` say where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class _ConfinedLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that refuses a file resolving outside its folder (a symlink out)."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(filename).resolve()
        if not any(real.is_relative_to(Path(folder).resolve()) for folder in self.searchpath):
            raise SecurityError(f"template {template!r} is a link to {real}, outside the template folders")
        return source, filename, uptodate


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox with repetition and exponent bounded."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, op: str, left, right):
        if op == "**" and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT and isinstance(left, (int, float)) and abs(left) > 1:
            raise SecurityError(f"exponent {right} is too large for a template (at most {MAX_EXPONENT})")
        if op == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int) and len(seq) * count > MAX_SEQUENCE:
                    raise SecurityError(f"repeating a {type(seq).__name__} {count} times is too large for a template (at most {MAX_SEQUENCE} items)")
        return {"*": operator.mul, "**": operator.pow}[op](left, right)


def environment(folders: list[Path], finalize=None) -> jinja2.Environment:
    """Templates from the first folder that has a file of that name, sandboxed.

    ``finalize`` is applied to every value a template prints (autoescape is on; views mark their HTML safe)."""
    env = _Sandbox(
        loader=_ConfinedLoader([str(p) for p in folders]),
        autoescape=True,
        finalize=finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    del env.globals["lipsum"]  # placeholder text no page needs, and unbounded: lipsum(10**9) would run for ever
    return env


def render(env: jinja2.Environment, name: str, **context) -> str:
    """``name`` rendered with ``context``; any failure raises :class:`TemplateFailure`."""
    try:
        return env.get_template(name).render(**context)
    except Exception as exc:  # noqa: BLE001 - a template is untrusted: whatever it raises is its fault
        raise TemplateFailure([template_problem(env, name, exc)]) from None


def template_problem(env: jinja2.Environment, name: str, exc: BaseException) -> Problem:
    """One located problem for what went wrong while ``name`` was rendered."""
    file, line = _where(env, name, exc)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        message, rule = f"template syntax error: {exc.message}", "template-syntax"
    elif isinstance(exc, SecurityError):
        message, rule = f"the template tried something templates may not do: {str(exc).rstrip('.')}; a template may only show the values it is given", "template-unsafe"
    elif isinstance(exc, jinja2.UndefinedError):
        message, rule = f"{exc.message}: use only the values the page gives this template (see the packaged template of the same name)", "template-undefined"
    elif isinstance(exc, jinja2.TemplateNotFound):
        message, rule = f"no template {exc.name!r} in specs/templates or the packaged templates", "template-not-found"
    elif isinstance(exc, OverflowError) and "sandbox" in str(exc).lower():
        message, rule = f"the template tried something templates may not do: {exc}", "template-unsafe"
    else:
        message, rule = f"the template failed: {type(exc).__name__}: {exc}", "template-failed"
    return error(Loc(file, line), " ".join(message.split()), rule)


def _where(env: jinja2.Environment, name: str, exc: BaseException) -> tuple[str, int]:
    """The template file and line: the innermost template frame of the (rewritten) traceback."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return display_path(Path(exc.filename)), exc.lineno or 1
    folders = [os.path.abspath(p) for p in getattr(env.loader, "searchpath", [])]
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = os.path.abspath(frame.filename)
        if any(path.startswith(folder + os.sep) for folder in folders):
            return display_path(Path(path)), frame.lineno or 1
    for folder in folders:  # the error came before any template line ran: the file that was asked for
        candidate = Path(folder) / name
        if candidate.exists() or candidate.is_symlink():
            return display_path(candidate), 1
    return name, 1
