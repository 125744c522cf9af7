"""Cross-references written inside narrative Markdown: ``[[ITI-18]]`` and friends.

Editors never type a section number or a link by hand. They name the entity, and
the publisher writes its number, name and link. The forms are:

==============================  =========================================
``[[ITI-18]]``                  a transaction (any ``DOMAIN-n`` id)
``[[profile:XDS.b]]``           a profile, by acronym
``[[actor:document-consumer]]`` an actor, by id
``[[option:XDS.b/on-demand-documents]]``  an option of a profile
``[[content:bppc-consent]]``    a content module
``[[standard:HL7-FHIR-R4]]``    a referenced standard
``[[XDS.b]]``                   shorthand for ``[[profile:XDS.b]]``
``[[figure:fig-flow]]``         an author's figure (or ``table:``) of the same file
``[[ITI-18|the stored query]]`` any of the above with the link text given
==============================  =========================================

This module finds and resolves them; it is shared by the validator (which
reports the ones that do not resolve) and the publisher (which renders them).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Iterator

from ..model import Framework

REF_RE = re.compile(r"\[\[([^\[\]|\n]+?)(?:\|([^\[\]\n]+))?\]\]")
TRANSACTION_RE = re.compile(r"^[A-Z][A-Z0-9]{1,11}-([0-9]{1,5}|YY[0-9]{0,3})$")  # YY: a Public Comment placeholder
KINDS = ("actor", "transaction", "profile", "option", "content", "standard", "figure", "table")
LOCAL_KINDS = ("figure", "table")  # an author's figure or table, named by the id it has in the same spec file (check.author_content)


@dataclass(frozen=True)
class Ref:
    kind: str
    key: str  # the id; for options "PROFILE/option-id"
    label: str  # link text given by the author, or ""
    start: int
    end: int


@dataclass(frozen=True)
class RefError:
    start: int
    message: str


def find_refs(text: str) -> Iterator[Ref | RefError]:
    for m in REF_RE.finditer(text):
        target, label = m.group(1).strip(), (m.group(2) or "").strip()
        if ":" in target:
            kind, _, key = target.partition(":")
            kind, key = kind.strip(), key.strip()
            if kind not in KINDS:
                yield RefError(m.start(), f"unknown reference kind '{kind}' in [[{target}]]; use one of: {', '.join(KINDS)}")
                continue
        elif TRANSACTION_RE.match(target):
            kind, key = "transaction", target
        else:
            kind, key = "profile", target
        yield Ref(kind, key, label, m.start(), m.end())


def _candidates(fw: Framework, kind: str) -> list[str]:
    if kind == "actor":
        return list(fw.actors)
    if kind == "transaction":
        return list(fw.transactions)
    if kind == "profile":
        return list(fw.profiles)
    if kind == "content":
        return list(fw.content_modules)
    if kind == "standard":
        return list(fw.standards)
    if kind == "option":
        return [f"{p.acronym}/{o.id}" for p in fw.profiles.values() for o in p.options]
    return []


def exists(fw: Framework, ref: Ref) -> bool:
    if ref.kind == "option":
        acronym, _, option = ref.key.partition("/")
        profile = fw.profiles.get(acronym)
        return bool(profile and profile.option(option))
    table = {
        "actor": fw.actors,
        "transaction": fw.transactions,
        "profile": fw.profiles,
        "content": fw.content_modules,
        "standard": fw.standards,
    }.get(ref.kind)
    return table is not None and ref.key in table  # as ``in _candidates(...)``, without building the list


def suggestion(value: str, candidates: list[str]) -> str:
    """' (did you mean 'X'?)' for the closest candidate, or ''."""
    lowered = {c.lower(): c for c in candidates}
    if value.lower() in lowered:
        return f" (did you mean '{lowered[value.lower()]}'?)"
    close = difflib.get_close_matches(value, candidates, n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


def unresolved_message(fw: Framework, ref: Ref) -> str:
    hint = suggestion(ref.key, _candidates(fw, ref.kind))
    return f"reference [[{ref.kind}:{ref.key}]] names no {ref.kind}{hint}"
