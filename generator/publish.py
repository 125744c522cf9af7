"""The publishing pipeline from a specs folder to site source, with its file I/O.

Both ``tfpub build`` and a plain ``mkdocs build`` (through the hook in
``generator/mkdocs_hook.py``) come here, so they produce the same site. The
result is memoised on the specs' file fingerprints: the build command validates
first and the hook then reuses that work instead of doing it twice.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from .figures import add_figures
from .pages import SiteSource, generate
from .problems import Problem
from .validate import Validation, validate


@dataclass
class Published:
    validation: Validation
    source: SiteSource | None
    problems: list[Problem] = field(default_factory=list)  # validation problems plus later stages'

    @property
    def ok(self) -> bool:
        return self.source is not None and not any(p.is_error for p in self.problems)


_MEMO: dict[tuple, Published] = {}


def fingerprint(*folders: Path) -> str:
    """Changes when any file under the folders is added, removed or touched."""
    digest = hashlib.sha256()
    for folder in folders:
        if not folder.exists():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def template_dirs(specs: Path) -> list[Path]:
    """A framework overrides templates from ``<specs>/templates``, file by file."""
    return [specs / "templates"]


def source_date_epoch(published: Published) -> int:
    """A fixed build date (the newest domain date), so two builds are byte-identical."""
    from datetime import datetime, timezone

    dates = sorted(d.date for d in published.validation.framework.domains.values())
    if not dates:
        return 0
    return int(datetime.strptime(dates[-1], "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp())


def publish(specs: Path, *, cache_dir: Path | None = None, docs_dir: Path | None = None) -> Published:
    """Validate ``specs`` and generate the site source; ``docs_dir`` holds hand-written pages,
    whose diagrams are rendered in the same batch as the generated ones."""
    specs = specs.resolve()
    cache_dir = (cache_dir or Path(".tfpub-cache")).resolve()
    overrides = template_dirs(specs)
    folders = [specs, *overrides] + ([docs_dir.resolve()] if docs_dir else [])
    key = (str(specs), str(cache_dir), str(docs_dir), fingerprint(*folders))
    if key in _MEMO:
        return _MEMO[key]
    result = validate(specs)
    problems = list(result.problems)
    source = None
    if result.ok:
        figures = _figure_stage(cache_dir, docs_dir, problems)
        source = generate(result.framework, template_dirs=overrides, figures=figures, specs_root=specs)  # specs_root: supplements
    published = Published(result, source, problems)
    _MEMO.clear()
    _MEMO[key] = published
    return published


def _figure_stage(cache_dir: Path, docs_dir: Path | None, problems: list[Problem]):
    """Render every diagram of the site in one batch; their problems join the build's."""

    def run(fw, pages):
        replacements, found = add_figures(fw, pages, cache_dir, docs_dir)
        problems.extend(found)
        return replacements

    return run


def ensure_source_date_epoch(published: Published) -> None:
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(source_date_epoch(published)))
