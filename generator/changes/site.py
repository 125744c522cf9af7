"""Change proposals and revisions on the published site, as an :class:`~generator.render.site_source.Addition`.

* ``<DOMAIN>/change-proposals/index.md``: every CP with its status; a page per CP
  that is not rejected (its document, :mod:`.document`) and its print-ready HTML;
* ``<DOMAIN>/revisions/index.md`` and ``<DOMAIN>/revisions/<revision>.md``: what
  each revision integrated, and what changed on the volume pages since the
  revision before, with the change markup (:mod:`.history`);
* a note on every profile, transaction and content module page: the revision it last changed in,
  with a link to what changed then;
* Change Proposals and Revisions sections in the domain's navigation.
"""

from __future__ import annotations

import sys

from pathlib import Path

from markupsafe import Markup

from ..load.discovery import domain_dirs
from ..model import Framework
from ..render import plain_text, site_paths
from ..render.pages import render_page
from ..render.site_source import Addition
from ..render.tables import Cell, Table, a
from ..render.views import Page
from ..supplements.diff import inserted
from ..supplements.document import (
    Placer,
    Renderer,
    local_anchors,
    prefix_for,
    site_srcs,
    volume_bodies,
)
from ..supplements.model import SupplementError, load_supplements
from ..supplements.printing import supplement_css
from ..supplements.site import STYLESHEET
from .check import CheckedCP, check_change_proposals, remembered
from .document import (
    CPDocument,
    build_cp_document,
    cp_index,
    cp_page,
    cp_print_file,
    print_html,
)
from .history import RevisionChanges, changes, last_changed, since_current
from .model import STATUS_LABELS
from .revisions import RevisionLog, load_log


def revision_index(domain: str) -> str:
    return f"{domain}/revisions/index.md"


def revision_page(domain: str, revision: str) -> str:
    return f"{domain}/revisions/{revision}.md"


def _checked(fw: Framework, specs_root: Path) -> list[CheckedCP]:
    """The CPs, as validation checked them against this very framework (remembered), or checked now."""
    found = remembered(specs_root, fw)
    if found is None:
        from ..check.validate_framework import validate_framework

        found = check_change_proposals(specs_root, fw, validate_framework(specs_root).sources)
    checked, problems = found
    errors = [p for p in problems if p.is_error]
    if errors:
        raise SupplementError(errors)
    return checked


def cp_documents(fw: Framework, specs_root: Path, env, logs: dict[str, RevisionLog], history: dict[str, list[RevisionChanges]]) -> list[CPDocument]:
    """The document of every CP that has one: the open ones against the volumes, the integrated
    ones against the revision they were integrated into's predecessor (its snapshot)."""
    renderer = Renderer(env)
    out = []
    for c in _checked(fw, specs_root):
        cp = c.cp
        downloads = [("print-ready HTML", cp_print_file(cp.domain, cp.number))]
        if c.applied is not None:
            out.append(build_cp_document(fw, cp, env, applied=c.applied, renderer=renderer, downloads=downloads))
        elif cp.status == "integrated" and cp.domain in logs:
            rev = logs[cp.domain].integrated_in(cp.number, "cp")
            item = next((h for h in history.get(cp.domain, []) if rev is not None and h.revision.revision == rev.revision), None)
            if item is not None and item.base is not None:
                try:
                    out.append(build_cp_document(item.base, cp, env, renderer=renderer, downloads=downloads, integrated_in=rev.revision))
                except SupplementError as exc:
                    # the kept volumes no longer take the CP (edited by hand since): its page lists it without
                    # its changes, and the build says where, rather than failing on the record of a past revision
                    for p in exc.problems:
                        print(f"warning: {p.loc}: {cp.number} cannot be shown against the kept Revision {rev.revision}: {p.message}", file=sys.stderr)
    return out


def _index(domain: str, checked: list[CheckedCP], docs: dict[str, CPDocument], logs: dict[str, RevisionLog], env) -> str:
    page = cp_index(domain)
    table = Table("change-proposals", "", f"{domain} change proposals", ["CP", "Title", "Status", "Date", "Volumes", "Changes"])
    for c in sorted(checked, key=lambda c: c.cp.number):
        cp = c.cp
        doc = docs.get(cp.number)
        title = a(site_paths.url_link(page, cp_page(domain, cp.number)), cp.title) if doc else plain_text.inline(cp.title)
        if doc is not None:
            changed = ", ".join(f"{domain} TF-{i.citation.split('TF-', 1)[1]}" for i in doc.instructions) or "\u2013"
        else:
            changed = "\u2013"
        if cp.status == "integrated" and domain in logs:
            rev = logs[domain].integrated_in(cp.number, "cp")
            if rev is not None:
                changed = f"Integrated into {a(site_paths.url_link(page, revision_page(domain, rev.revision)), 'Revision ' + rev.revision)}: {changed}"
        table.rows.append([Cell(plain_text.inline(cp.number)), Cell(title), Cell(STATUS_LABELS[cp.status]), Cell(plain_text.inline(cp.date)),
                           Cell(", ".join(f"TF-{v}" for v in cp.volumes)), Cell(changed)])
    intro = (
        "Change proposals (CPs) correct and clarify the volumes between revisions. A CP is submitted, assigned to an editor, balloted, "
        "and at Final Text integrated into the next revision. Each page shows the sections a CP changes, with the changes marked."
    )
    return render_page(env, Page(page, "appendix.md.j2", f"{domain} Change Proposals", None, {"intro": intro, "table": table}))


def _revision_markdown(fw: Framework, domain: str, item: RevisionChanges, docs: dict[str, CPDocument], supplements: dict, env) -> str:
    page = revision_page(domain, item.revision.revision)
    rev = item.revision
    table = Table(f"revision-{site_paths.anchor_slug(rev.revision)}", "", f"Integrated in Revision {rev.revision}", ["Kind", "Number or id", "Title"])
    for number in rev.change_proposals:
        doc = docs.get(number)
        title = a(site_paths.url_link(page, cp_page(domain, number)), doc.cp.title) if doc else plain_text.inline(number)
        table.rows.append([Cell("Change proposal"), Cell(plain_text.inline(number)), Cell(title)])
    for sid in rev.supplements:
        s = supplements.get(sid)
        title = a(site_paths.url_link(page, site_paths.supplement_page(domain, sid)), s.title) if s is not None else plain_text.inline(sid)
        table.rows.append([Cell("Supplement"), Cell(plain_text.inline(sid)), Cell(title)])
    if not table.rows:
        table.rows.append([Cell("Nothing recorded"), Cell(""), Cell("")])
    volumes, changed = [], []
    if item.instructions:
        placer = Placer(page, local_anchors(item.instructions), site_srcs(fw), set(item.after_pages))
        volumes = volume_bodies(item.instructions, item.after_pages, placer, domain)
        changed = [Markup(a("#" + _page_anchor(src), _page_title(item, src))) for src in item.changed_pages]
    context = {
        "revision": rev,
        "previous": item.previous,
        "table": table,
        "volumes": volumes,
        "changed": changed,
        "legend": {"added": inserted("added text"), "removed": Markup("<del>removed text</del>")},
    }
    return render_page(env, Page(page, "revision.md.j2", f"{domain} Revision {rev.revision}", None, context))


def _page_anchor(src: str) -> str:
    return prefix_for(src) + "chapter"


def _page_title(item: RevisionChanges, src: str) -> str:
    from ..supplements.document import split_sections

    return next((s.title for s in split_sections(item.after_pages[src]) if s.level), src)


def _revision_index(domain: str, history: list[RevisionChanges], env) -> str:
    page = revision_index(domain)
    table = Table("revisions", "", f"{domain} revisions", ["Revision", "Date", "Change proposals", "Supplements", "Pages changed"])
    for item in reversed(history):
        r = item.revision
        table.rows.append([
            Cell(a(site_paths.url_link(page, revision_page(domain, r.revision)), f"Revision {r.revision}")),
            Cell(plain_text.inline(r.date)),
            Cell(plain_text.inline(", ".join(r.change_proposals)) or "\u2013"),
            Cell(plain_text.inline(", ".join(r.supplements)) or "\u2013"),
            Cell(str(len(item.changed_pages)) if item.previous else "\u2013"),
        ])
    intro = "Each revision of the volumes, newest first, with the change proposals and supplements it integrated. Each revision's page shows what changed on the volume pages since the revision before."
    return render_page(env, Page(page, "appendix.md.j2", f"{domain} Revisions", None, {"intro": intro, "table": table}))


def _notes(fw: Framework, domain: str, history: list[RevisionChanges], pending: list[str] = ()) -> dict[tuple[str, str], list[str]]:
    changed = last_changed(history)
    current = history[-1].revision.revision
    first = history[0].revision.revision
    notes: dict[tuple[str, str], list[str]] = {}
    pages = [("profile", p.acronym, site_paths.profile_page(domain, p.acronym)) for p in fw.profiles.values() if p.domain == domain]
    pages += [("transaction", t.id, site_paths.transaction_page(domain, t.id)) for t in fw.transactions.values() if t.domain == domain]
    pages += [("content", c.id, site_paths.content_page(domain, c.id)) for c in fw.content_modules.values() if c.domain == domain]
    for kind, key, src in pages:
        item = changed.get(src)
        if src in pending:
            text = f"Changed since Revision {plain_text.inline(current)}: this page as it is now goes into the next revision."
        elif item is None:
            text = f"Unchanged since Revision {plain_text.inline(first)}, the first revision in the {a(site_paths.url_link(src, revision_index(domain)), 'revision history')}."
        else:
            target = site_paths.url_link(src, revision_page(domain, item.revision.revision), _page_anchor(src))
            text = (f"Last changed in Revision {plain_text.inline(item.revision.revision)} ({plain_text.inline(item.revision.date)}): "
                    f"{a(target, 'what changed since Revision ' + item.previous.revision)}.")
        notes[(kind, key)] = [text]
    return notes


def history_of(fw: Framework, specs_root: Path, env) -> tuple[dict[str, RevisionLog], dict[str, list[RevisionChanges]]]:
    """Each domain's revision log, and what changed in each of its revisions."""
    specs_root = Path(specs_root)
    logs: dict[str, RevisionLog] = {}
    history: dict[str, list[RevisionChanges]] = {}
    for ddir in domain_dirs(specs_root) if specs_root.is_dir() else []:
        log, problems = load_log(ddir)
        if problems:
            raise SupplementError(problems)
        if log is not None and ddir.name in fw.domains:
            logs[ddir.name] = log
            history[ddir.name] = changes(ddir, log, fw, env)
    return logs, history


def addition(fw: Framework, specs_root: Path, env) -> Addition:
    """The change proposals' and revisions' share of the site."""
    specs_root = Path(specs_root)
    files: dict[str, str | bytes] = {}
    nav: list = []
    notes: dict = {}
    home: list = []
    logs, history = history_of(fw, specs_root, env)
    checked = _checked(fw, specs_root)
    docs = {d.cp.number: d for d in cp_documents(fw, specs_root, env, logs, history)}
    supplements = {s.id: s for s in load_supplements(specs_root)[0]}
    for domain in sorted({c.cp.domain for c in checked}):
        mine = [c for c in checked if c.cp.domain == domain]
        files[cp_index(domain)] = _index(domain, mine, docs, logs, env)
        entries = [cp_index(domain)]
        for c in sorted(mine, key=lambda c: c.cp.number):
            doc = docs.get(c.cp.number)
            if doc is None:
                continue
            files[cp_page(domain, c.cp.number)] = doc.markdown
            files[cp_print_file(domain, c.cp.number)] = print_html(doc, env)
            entries.append({plain_text.html_text(c.cp.number): cp_page(domain, c.cp.number)})
        nav.append((domain, {"Change Proposals": entries}))
        home.append((domain, "Change Proposals", cp_index(domain)))
    for domain, items in history.items():
        files[revision_index(domain)] = _revision_index(domain, items, env)
        entries = [revision_index(domain)]
        for item in reversed(items):
            files[revision_page(domain, item.revision.revision)] = _revision_markdown(fw, domain, item, docs, supplements, env)
            entries.append({f"Revision {item.revision.revision}": revision_page(domain, item.revision.revision)})
        nav.append((domain, {"Revisions": entries}))
        home.append((domain, "Revisions", revision_index(domain)))
        notes.update(_notes(fw, domain, items, since_current(specs_root / domain, logs[domain], fw, env)))
    if files:
        files[STYLESHEET] = supplement_css()
    return Addition(files=files, nav=nav, notes=notes, extra_css=[STYLESHEET] if files else [], home_links=home)
