"""The machine-readable export of the whole resolved model (``tfpub export``).

Other tools (and the annex builder page, in the browser) read this instead of the
YAML, so it carries the resolved model with defaults filled in, in a stable order,
and without source locations. Its shape is described by
``generator/schemas/export.schema.json``.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from .model import Framework

FORMAT = "tfpub-model"
VERSION = 1
_RENAME = {"from_actor": "from", "to_actor": "to", "targets": "with"}


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {_RENAME.get(k, k): _clean(v) for k, v in value.items() if k != "loc"}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def export_model(fw: Framework) -> dict:
    """The model as plain data, sorted the way the volumes are."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "domains": [_clean(asdict(d)) for _, d in sorted(fw.domains.items())],
        "actors": [_clean(asdict(a)) | {"status": fw.status_of(a)} for a in sorted(fw.actors.values(), key=lambda a: a.id)],
        "transactions": [
            _clean(asdict(t)) | {"status": fw.status_of(t)}
            for t in sorted(fw.transactions.values(), key=lambda t: (t.domain, t.number))
        ],
        "profiles": [_clean(asdict(p)) for p in sorted(fw.profiles.values(), key=lambda p: (p.domain, p.chapter))],
        "content_modules": [
            _clean(asdict(c)) | {"status": fw.status_of(c)}
            for c in sorted(fw.content_modules.values(), key=lambda c: (c.domain, [int(x) for x in c.section.split(".")]))
        ],
        "glossary": [_clean(asdict(g)) for g in sorted(fw.glossary, key=lambda g: (g.domain, g.term.lower()))],
        "standards": [_clean(asdict(s)) for s in sorted(fw.standards.values(), key=lambda s: s.id)],
    }


def export_json(fw: Framework) -> str:
    return json.dumps(export_model(fw), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
