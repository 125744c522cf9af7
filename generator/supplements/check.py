"""Checking supplements against the framework they amend, and against each other.

Each open supplement is applied to the base (:func:`.apply.apply`), and the
framework's own cross-reference checks run on the result: whatever is wrong in the
amended framework and was not wrong before is the supplement's doing, and is
reported (where possible at the supplement's own line). Then every pair of open
supplements of a domain is compared change by change: two that change one thing
in different ways conflict.

Cost: applying copies only what the supplement touches (:func:`.apply.apply`), and
the checks of the amended framework look only where the supplement can have made a
problem (:class:`generator.check.checks.Scope`), so checking a supplement costs about
what it changes, not the framework's size. :func:`check_all` remembers its last
result for the same framework object and the same supplement files, so that one
build (validation, then the site's notes, pages and navigation) checks once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..check.checks import Scope, run_checks
from ..load.discovery import walk
from ..model import Framework, chapter_of, is_placeholder_chapter, is_placeholder_id
from ..model.resolve import Sources
from ..problems import Problem, error, sort_problems, warning
from .apply import Applied, Change, apply
from .model import (
    Supplement,
    SupplementError,
    entity_key,
    load_supplements,
    supplement_folders,
)
from .order import dependency_order, prerequisites


@dataclass
class Checked:
    supplement: Supplement
    applied: Applied | None  # None for final-text supplements: they are part of the base already
    problems: list[Problem]
    base: Framework | None = None  # what it was applied to: the volumes with the supplements it depends on (None: the volumes)

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def _sources_with(base: Sources, supp: Supplement, scope: Scope | None = None) -> Sources:
    """``base`` with the supplement's files; ``scope`` (when given) notes the definitions and documents added."""
    scope = scope if scope is not None else Scope()
    src = Sources(
        documents=dict(base.documents),
        definitions=dict(base.definitions),  # a list that gains a place is replaced, never changed: base's stay as they are
        extra_documents=list(base.extra_documents),
        broken=set(base.broken),
    )
    for kind, doc in supp.entities:
        key = entity_key(kind, doc)
        id_key = "acronym" if kind == "profile" else "id"
        if (kind, key) in base.definitions:
            continue  # already in the framework: reported once, as supplement-exists
        src.definitions[(kind, key)] = src.definitions.get((kind, key), []) + [doc.loc((id_key,))]
        scope.definitions.add((kind, key))
        if (kind, key) not in src.documents:
            src.documents[(kind, key)] = doc
            scope.documents.append(doc)
    for doc in (supp.doc, supp.glossary, supp.standards, supp.amendments_doc):
        if doc is not None:
            src.extra_documents.append(doc)
            scope.documents.append(doc)
    if supp.standards is not None:
        for i, s in enumerate(supp.standards.data["standards"]):
            src.definitions[("standard", s["id"])] = src.definitions.get(("standard", s["id"]), []) + [supp.standards.loc(("standards", i, "id"))]
            scope.definitions.add(("standard", s["id"]))
    return src


_KINDS = {"profile": "profiles", "transaction": "transactions", "actor": "actors", "content": "content"}


def _scope(base: Framework, applied: Applied) -> Scope | None:
    """What ``applied`` changed of ``base``, for checks that look only there; None when the
    change is not of the shape :class:`generator.check.checks.Scope` needs (then everything is checked)."""
    fw = applied.framework
    scope = Scope()
    for kind, key in applied.touched:
        if kind not in _KINDS:
            return None
        getattr(scope, _KINDS[kind]).add(key)
        table = {"profile": base.profiles, "transaction": base.transactions, "actor": base.actors, "content": base.content_modules}[kind]
        old = table.get(key)
        if old is None:
            scope.new.add((kind, key))
            continue
        new = {"profile": fw.profiles, "transaction": fw.transactions, "actor": fw.actors, "content": fw.content_modules}[kind][key]
        if kind == "transaction" and not {(r.actor, r.role) for r in old.roles} <= {(r.actor, r.role) for r in new.roles}:
            return None
        if kind == "profile":
            if not {o.id for o in old.options} <= {o.id for o in new.options}:
                return None
            for pa in old.actors:
                now = new.actor(pa.actor)
                if now is None or not {c.option for c in pa.options} <= {c.option for c in now.options}:
                    return None
                scope.unused |= {("transaction", u.transaction) for u in pa.transactions} - {("transaction", u.transaction) for u in now.transactions}
    # the tables only grew: apply copies them and adds
    for attr in ("actors", "transactions", "profiles", "content_modules", "standards"):
        if not getattr(base, attr).keys() <= getattr(fw, attr).keys():
            return None
    return scope


def check_supplement(fw: Framework, sources: Sources, supp: Supplement, before: set[Problem] | None = None) -> Checked:
    """Apply ``supp`` to ``fw`` and report what is wrong with it, located in its own files where possible."""
    problems: list[Problem] = []
    domain = fw.domains.get(supp.domain)
    if domain is None:
        return Checked(supp, None, [error(supp.loc, f"supplement '{supp.id}' lies in folder {supp.domain}, which is not a domain", "supplement-base")])
    if not supp.is_open:
        return Checked(supp, None, [])
    if supp.applies_to != domain.revision:
        problems.append(
            warning(
                supp.doc.loc(("applies_to", "revision")),
                f"the supplement was written against {supp.domain} TF Revision {supp.applies_to}, but the framework is Revision {domain.revision}; "
                "check that it still applies, then update applies_to",
                "supplement-base",
            )
        )
    applied = apply(fw, supp)
    problems += applied.problems
    problems += _placeholders(supp)
    if before is None:
        before = set(run_checks(fw, sources))
    own_files = {d.display for d in supp.documents()}
    # The checks look only where the supplement can have made a problem, when the base was sound.
    scope = _scope(fw, applied) if not any(p.is_error for p in before) else None
    amended_sources = _sources_with(sources, supp, scope)
    for p in run_checks(applied.framework, amended_sources, scope):
        if p in before:
            continue
        if p.loc.file not in own_files:
            p = Problem(p.loc, p.severity, f"{p.message} (once supplement '{supp.id}' is applied)", p.rule)
        problems.append(p)
    return Checked(supp, applied, sort_problems(problems))


def _placeholders(supp: Supplement) -> list[Problem]:
    """Placeholder numbers ("chapter: XX", "ITI-YY1") are allowed while a supplement is out for
    Public Comment; from Trial Implementation on, numbers are assigned."""
    if supp.status == "public-comment":
        return []
    out = []
    for kind, doc in supp.entities:
        if kind == "profile" and is_placeholder_chapter(chapter_of(doc.data.get("chapter"))):
            out.append(error(doc.loc(("chapter",)), f"chapter XX is a placeholder for Public Comment; supplement '{supp.id}' is {supp.status}: assign {doc.data['acronym']}'s chapter number", "placeholder-number"))
        elif kind == "transaction" and is_placeholder_id(doc.data["id"]):
            out.append(error(doc.loc(("id",)), f"{doc.data['id']} is a placeholder for Public Comment; supplement '{supp.id}' is {supp.status}: assign the transaction's number", "placeholder-number"))
    return out


def _check_on_dependencies(fw: Framework, sources: Sources, supp: Supplement, known: set[Problem], ordered: list[Supplement]) -> Checked:
    """``check_supplement`` on the volumes with the supplements ``supp`` depends on applied first."""
    deps = prerequisites(supp, ordered) if supp.is_open else []
    if not deps:
        return check_supplement(fw, sources, supp, known)
    base, src = fw, sources
    for dep in deps:
        applied = apply(base, dep)
        if not applied.ok:
            i = supp.depends_on.index(dep.id) if dep.id in supp.depends_on else 0
            return Checked(supp, None, [error(supp.doc.loc(("depends_on", i)), f"supplement '{supp.id}' depends on '{dep.id}', which does not apply (its errors are reported); fix it first", "supplement-dependency")])
        base, src = applied.framework, _sources_with(src, dep)
    result = check_supplement(base, src, supp, set(run_checks(base, src)))
    result.base = base
    return result


def _dependent_pairs(ordered: list[Supplement]) -> set[tuple[str, str]]:
    """(id, id) of two supplements one of which builds on the other: they change one thing on purpose."""
    pairs = set()
    for s in ordered:
        for dep in prerequisites(s, ordered):
            pairs |= {(s.id, dep.id), (dep.id, s.id)}
    return pairs


def conflicts(checked: list[Checked], dependent: set[tuple[str, str]] = frozenset()) -> list[Problem]:
    """Open supplements of one domain that change the same thing in different ways
    (except one that builds on the other: ``dependent`` pairs of ids)."""
    problems: list[Problem] = []
    seen: dict[tuple, tuple[Supplement, Change]] = {}
    for c in sorted(checked, key=lambda c: (c.supplement.domain, c.supplement.id)):
        if c.applied is None:
            continue
        for change in c.applied.changes:
            key = (c.supplement.domain,) + change.key
            if key not in seen:
                seen[key] = (c.supplement, change)
                continue
            other, first = seen[key]
            if other.id == c.supplement.id or (other.id, c.supplement.id) in dependent:
                continue
            if change.mode == "append" and first.mode == "append":
                continue  # two additions to one text compose
            what = describe(change.key)
            if change.value == first.value:
                problems.append(
                    warning(
                        change.loc,
                        f"supplements '{other.id}' ({first.loc}) and '{c.supplement.id}' both make this change to {what}; "
                        "once one is incorporated the other cannot be: keep it in one of them",
                        "supplement-overlap",
                    )
                )
            else:
                problems.append(
                    error(
                        change.loc,
                        f"conflicting supplements: '{c.supplement.id}' and '{other.id}' ({first.loc}) change {what} in different ways; "
                        "agree on one change, in one supplement",
                        "supplement-conflict",
                    )
                )
    return problems


def describe(key: tuple) -> str:
    kind = key[0]
    if kind == "row":
        return f"the {key[3]} row of {key[2]} in {key[1]}"
    if kind == "option":
        return f"option '{key[2]}' of {key[1]}"
    if kind == "narrative":
        return f"the {key[-1]} text of {' '.join(str(k) for k in key[1:-1])}"
    if kind == "grouping":
        return f"the grouping of {key[2]} in {key[1]}"
    if kind == "profile-actor":
        return f"actor {key[2]} of {key[1]}"
    if kind == "use-case":
        return f"use case '{key[2]}' of {key[1]}"
    if kind == "role":
        return f"the {key[3]} role of {key[2]} in {key[1]}"
    if kind == "new":
        return f"new {key[1]} '{key[2]}'"
    if kind == "chapter":
        return f"chapter {key[2]} of {key[1]} TF-1"
    if kind == "term":
        return f"glossary term '{key[2]}'"
    return " ".join(str(k) for k in key)


# The last check_all: (framework, sources, (root, supplement files' stamp), result).
_LAST: list[tuple] = []


def _stamp(root: Path) -> tuple[str, str]:
    """The specs folder and a digest of every supplement file's name and bytes."""
    digest = hashlib.blake2b(digest_size=20)
    for _domain, folder in supplement_folders(root):
        for path in walk(root, folder)[0]:  # as the loader reads them: links inside the specs only
            if path.is_file():
                digest.update(f"{path}\0{path.stat().st_size}\0".encode("utf-8", "surrogateescape"))  # any path, any locale
                digest.update(path.read_bytes())
    return str(root.resolve()), digest.hexdigest()


def check_all(root: Path, fw: Framework, sources: Sources, *, before: list[Problem] | None = None) -> tuple[list[Checked], list[Problem]]:
    """Every supplement under ``root``, checked; and every problem, conflicts included.

    ``before``: the framework checks' problems of ``fw``, when the caller has them
    (validation does), so they are not computed again. The result is remembered for
    this framework object and these supplement files (:func:`remembered`).
    """
    root = Path(root)
    stamp = _stamp(root)
    if _LAST and _LAST[0][0] is fw and _LAST[0][1] is sources and _LAST[0][2] == stamp:
        checked, problems = _LAST[0][3]
        return list(checked), list(problems)
    supplements, problems = load_supplements(root)
    ordered, found = dependency_order(supplements)
    problems += found
    checked = []
    if any(s.is_open for s in supplements):
        known = set(run_checks(fw, sources) if before is None else before)
        checked = [_check_on_dependencies(fw, sources, s, known, ordered) for s in supplements]
    else:
        checked = [check_supplement(fw, sources, s, set()) for s in supplements]  # no framework checks: nothing is applied
    for c in checked:
        problems += c.problems
    problems += conflicts(checked, _dependent_pairs(ordered))
    result = (checked, sort_problems(problems))
    _LAST[:] = [(fw, sources, stamp, result)]
    return list(result[0]), list(result[1])


def remembered(root: Path, fw: Framework) -> tuple[list[Checked], list[Problem]] | None:
    """What :func:`check_all` found for this very framework object and the supplement files as they are now, if it ran."""
    if _LAST and _LAST[0][0] is fw and _LAST[0][2] == _stamp(Path(root)):
        checked, problems = _LAST[0][3]
        return list(checked), list(problems)
    return None


def validate_supplements(root: Path, fw: Framework, sources: Sources | None = None, *, base_ok: bool = True, before: list[Problem] | None = None) -> list[Problem]:
    """The problems ``tfpub validate`` reports for the supplements under ``root``.

    Without the framework's sources, or when the framework itself has errors, the
    supplements are only read and schema-checked: applying them to a broken base
    would report its faults again.
    """
    from .journal import pending

    root = Path(root)
    interrupted = pending(root)  # an incorporation cut short: the tree is mid-change (supplements/journal.py)
    if sources is None or not base_ok:
        return interrupted + load_supplements(root)[1]
    return interrupted + check_all(root, fw, sources, before=before)[1]


def framework_with_supplements(specs_root: Path) -> Framework:
    """The framework as published: the base specs with every open supplement applied.

    IHE publishes new profiles and changes as supplements (Public Comment, Trial
    Implementation) beside the volumes; what implementers and the published tables
    see is the volumes *and* those supplements. This builds that framework: the base
    under ``specs_root`` is validated, then each open supplement is applied in turn
    (in domain and id order, each to the result of the ones before), exactly as the
    supplement documents and ``tfpub supplement incorporate`` apply them. Final-text
    supplements are part of the base already and are skipped.

    Raises :class:`.model.SupplementError` with the problems when the specs or
    a supplement has errors (as ``tfpub validate`` reports them).
    """
    from ..check.validate_framework import validate_framework

    root = Path(specs_root)
    result = validate_framework(root)
    if result.errors:
        raise SupplementError(result.errors)
    fw = result.framework
    problems = check_all(root, fw, result.sources, before=result.checked)[1]
    if any(p.is_error for p in problems):
        raise SupplementError([p for p in problems if p.is_error])
    supplements, _problems = load_supplements(root)
    for supp in dependency_order(supplements)[0]:  # open ones, each after those it depends on
        applied = apply(fw, supp)
        if not applied.ok:
            raise SupplementError([p for p in applied.problems if p.is_error])
        fw = applied.framework
    return fw
