"""The whole checking pipeline: the framework, then what stands on it.

Every stage reports problems instead of stopping, so one run lists everything
that is wrong. The framework is checked first (``validate_framework``); each open
supplement is then checked against it and against the others, and the annexes
and integration statements, which name profiles and actors, only on a sound
model. The checks are composed here, above all three, so none of them imports
another's stage.
"""

from __future__ import annotations

from pathlib import Path

from . import annex, changes, supplements
from .check.validate_framework import (
    Validation,
    reuse_unchanged_files,
    validate_framework,
)
from .load.yaml_loader import collector_paused
from .problems import sort_problems

__all__ = ["Validation", "reuse_unchanged_files", "validate", "validate_framework"]


def validate(root: Path) -> Validation:
    with collector_paused():  # trees, no cycles: see collector_paused
        return _validate(root)


def _validate(root: Path) -> Validation:
    result = validate_framework(root)
    problems = list(result.problems)
    # Remembered for this framework: the site's supplement pages and notes use the same result.
    problems.extend(
        supplements.validate_supplements(root, result.framework, result.sources, base_ok=not result.errors, before=result.checked)
    )
    problems.extend(changes.validate_change_proposals(root, result.framework, result.sources, base_ok=not result.errors, before=result.checked))
    if not any(p.is_error for p in problems):
        problems.extend(annex.validate_annexes(root, result.framework))
    result.problems = sort_problems(problems)
    return result
