"""The machine-readable export of the whole resolved model (``tfpub export``).

Other tools (and the annex builder page, in the browser) read this instead of the
YAML, so it carries the resolved model with defaults filled in, in a stable order,
and without source locations. Its shape is described by
``generator/schemas/export.schema.json``.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, fields, is_dataclass
from functools import lru_cache
from typing import Any

from ..model import Chapter, Framework

FORMAT = "tfpub-model"
VERSION = 1
_RENAME = {"from_actor": "from", "to_actor": "to", "targets": "with"}
_LOCATIONS = frozenset({"loc", "locs", "participant_locs"})  # where things were written: not part of the model


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {_RENAME.get(k, k): _clean(v) for k, v in value.items() if k != "loc"}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _plain(value: Any) -> Any:
    """``_clean(asdict(value))`` in one pass, without asdict's deep copies of every string."""
    if isinstance(value, Chapter):
        return str(value)  # the placeholder "XX", as written
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return {_RENAME.get(name, name): _plain(getattr(value, name)) for name in _field_names(type(value)) if name not in _LOCATIONS}
    if isinstance(value, dict):
        return {_RENAME.get(k, k): _plain(v) for k, v in value.items() if k != "loc"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):  # asdict converts inside a tuple, and _clean does not look inside it
        return type(value)(asdict(v) if is_dataclass(v) and not isinstance(v, type) else copy.deepcopy(v) for v in value)
    return copy.deepcopy(value)


def export_model(fw: Framework) -> dict:
    """The model as plain data, sorted the way the volumes are."""
    return {
        "format": FORMAT,
        "version": VERSION,
        # a domain's profile groups are in its publishing settings already, as written
        "domains": [{k: v for k, v in _plain(d).items() if k != "profile_groups"} for _, d in sorted(fw.domains.items())],
        "actors": [_plain(a) | {"status": fw.status_of(a)} for a in sorted(fw.actors.values(), key=lambda a: a.id)],
        "transactions": [
            _plain(t) | {"status": fw.status_of(t)}
            for t in sorted(fw.transactions.values(), key=lambda t: (t.domain, t.number))
        ],
        "profiles": [_plain(p) for p in sorted(fw.profiles.values(), key=lambda p: (p.domain, p.chapter))],
        "content_modules": [
            _plain(c) | {"status": fw.status_of(c)}
            for c in sorted(fw.content_modules.values(), key=lambda c: (c.domain, [int(x) for x in c.section.split(".")]))
        ],
        "glossary": [_plain(g) for g in sorted(fw.glossary, key=lambda g: (g.domain, g.term.lower()))],
        "standards": [_plain(s) for s in sorted(fw.standards.values(), key=lambda s: s.id)],
    }


def export_json(fw: Framework) -> str:
    return json.dumps(export_model(fw), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
