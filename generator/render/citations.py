"""Technical Framework citations written in a spec ("ITI TF-2: 3.46"), printed as written and
linked when the section they name is on this site.

A published Reference cell is a fact: an option may be specified in Volume 2, a grouping
cites the section of the grouped actor ("ITI TF-1: 7.1"), not its chapter. The text stays
exactly as the editor wrote it; only the link is derived, so a citation of a section this
framework does not hold (another domain's, or one not yet modelled) is printed without one.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..model import Framework
from . import numbering, plain_text, site_paths

# The form the profile schema enforces: domain, "TF-" volume, colon, section.
CITATION = re.compile(r"^(?P<domain>[A-Z][A-Za-z0-9]*) TF-(?P<volume>[1-4])[a-z]?: ?(?P<section>[0-9A-Z][0-9A-Za-z.\-]*)$")


@dataclass(frozen=True)
class Target:
    page: str
    anchor: str = ""


def parse(text: str) -> tuple[str, int, str] | None:
    """(domain, volume, section) of a citation, or None when it is not of the citation form."""
    m = CITATION.match(text.strip())
    if not m:
        return None
    return m["domain"], int(m["volume"]), m["section"].rstrip(".")


def _profile_anchors(profile) -> dict[str, str]:
    """The sections of a profile page that have an anchor, by number."""

    def sec(sub: str) -> str:
        return numbering.profile_section(profile, sub)

    anchors = {
        sec(numbering.ACTORS): "actors-and-transactions",
        sec(numbering.ACTOR_DESCRIPTIONS): "actor-descriptions",
        sec(numbering.OPTIONS): "actor-options",
        sec(numbering.GROUPINGS): "required-groupings",
        sec(numbering.OVERVIEW): "overview",
        sec(numbering.CONCEPTS): "concepts",
        sec(numbering.USE_CASES): "use-cases",
        sec(numbering.SECURITY): "security-considerations",
        sec(numbering.CROSS_PROFILE): "cross-profile-considerations",
    }
    anchors.update({numbering.actor_section(profile, pa.actor): f"actor-{pa.actor}" for pa in profile.actors})
    anchors.update({numbering.option_section(profile, o.id): f"option-{o.id}" for o in profile.options})
    anchors.update({numbering.use_case_section(profile, u.id): f"use-case-{u.id}" for u in profile.use_cases})
    return anchors


def _within(section: str, candidates: dict[str, object]):
    """The candidate whose section is ``section`` or the nearest one containing it (3.19 holds 3.19.6.1.4)."""
    parts = section.split(".")
    for n in range(len(parts), 0, -1):
        hit = candidates.get(".".join(parts[:n]))
        if hit is not None:
            return hit
    return None


def target(fw: Framework, text: str) -> Target | None:
    """Where on the site a citation points, or None when the section is not published here."""
    parsed = parse(text)
    if parsed is None:
        return None
    domain, volume, section = parsed
    if domain not in fw.domains:
        return None
    if volume == 1:
        chapter = section.split(".")[0]
        profile = next((p for p in fw.profiles.values() if p.domain == domain and str(p.chapter) == chapter), None)
        if profile is None:
            return None
        return Target(site_paths.profile_page(domain, profile.acronym), _within(section, _profile_anchors(profile)) or "")
    if volume == 2:
        txs = {numbering.transaction_section(t): t for t in fw.transactions.values() if t.domain == domain}
        tx = _within(section, txs)
        return Target(site_paths.transaction_page(domain, tx.id)) if tx else None
    if volume == 3:
        modules = {c.section: c for c in fw.content_modules.values() if c.domain == domain}
        module = _within(section, modules)
        return Target(site_paths.content_page(domain, module.id)) if module else None
    return None


def citation_html(fw: Framework, text: str, page: str) -> str:
    """One citation as written, linked when its section is on the site."""
    where = target(fw, text)
    label = plain_text.inline(text)
    if where is None:
        return str(label)
    href = site_paths.url_link(page, where.page, where.anchor)
    return f'<a href="{html.escape(href)}">{label}</a>'


STRUCTURE = (numbering.ACTORS, numbering.ACTOR_DESCRIPTIONS, numbering.OPTIONS, numbering.GROUPINGS, numbering.OVERVIEW,
             numbering.CONCEPTS, numbering.USE_CASES, numbering.SECURITY, numbering.CROSS_PROFILE)


def _own_section(profile, text: str) -> bool:
    """A citation of a subsection of ``profile``'s own chapter ("ITI TF-1: 14.3.9", "ITI TF-1: 14.4.1";
    not "ITI TF-1: 14.2" or "ITI TF-1: 14"), whose number may name another section here."""
    parsed = parse(text)
    if parsed is None or parsed[0] != profile.domain or parsed[1] != 1:
        return False
    section = parsed[2]
    sections = {numbering.profile_section(profile, sub) for sub in STRUCTURE}
    structural = {str(profile.chapter)} | {s for s in sections if s.count(".") == 1}  # X.1 ... X.6: the same in every layout
    return section.split(".")[0] == str(profile.chapter) and section not in structural


def references_html(fw: Framework, refs: list[str], page: str, own: tuple | None = None) -> str:
    """Several citations, one per line as IHE prints them in a cell.

    ``own`` is (profile, anchor) of the row that cites: a published chapter in an older layout
    numbers its sections otherwise than the template this site prints (PAM's options are
    14.3.n, ATNA's 9.2.2 is Radiology Audit Trail where the site's 9.2.2 is another option), so
    a citation into a subsection of the row's own chapter links to what the row describes (the
    option's section, the groupings) rather than to the site's section of that number."""
    out = []
    for r in refs:
        if own is not None and _own_section(own[0], r):
            profile, anchor = own
            href = site_paths.url_link(page, site_paths.profile_page(profile.domain, profile.acronym), anchor)
            out.append(f'<a href="{html.escape(href)}">{plain_text.inline(r)}</a>')
        else:
            out.append(citation_html(fw, r, page))
    return "<br>".join(out)
