"""A volume, or one chapter or section of it, as Word: the site's pages, in volume order.

The pages are the site's: the same views, the same templates (a framework's own
overrides included), the same figures, rendered to HTML with the site's Markdown
extensions and written by :mod:`.word`. What the site adds that a volume does not
have (the unnumbered index sections such as "Used by", the status line under a
title) is left out, as the supplement document leaves it out. Figures are pictures,
drawn as PNG by the local PlantUML (:mod:`.word_figures`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..diagrams import model_diagrams
from ..model import STATUS_LABELS, Framework
from . import author_figures, numbering, views
from .figures import add_figures, taken_numbers
from .pages import render_page
from .word import TitlePage, WordOptions, markdown_to_html, write_docx
from .word_figures import Pictures, draw_png, image_pictures, shown_diagrams

VOLUME_NAMES = {1: "Volume 1 (TF-1): Integration Profiles", 2: "Volume 2 (TF-2): Transactions", 3: "Volume 3 (TF-3): Content Modules"}
_HEADING = re.compile(r"^(#{1,6}) (.+?)(?: \{ #[^}]+\})?\s*$")
_NUMBERED = re.compile(r"^\d+(?:\.\d+)*\s")


class WordSelectionError(ValueError):
    """The selection names nothing (an unknown profile, a volume with no pages)."""


@dataclass
class Selection:
    """What to put in the document: one page, or a whole volume of a domain."""

    domain: str
    volume: int
    pages: list[views.Page]
    title: str  # of the document


def select(fw: Framework, *, profile: str = "", transaction: str = "", content: str = "", volume: int = 0, domain: str = "") -> Selection:
    """The pages for ``--profile``/``--transaction``/``--content`` (one chapter or section) or ``--volume``."""
    if profile:
        p = fw.profiles.get(profile)
        if p is None:
            raise WordSelectionError(_unknown("profile", profile, sorted(fw.profiles)))
        return Selection(p.domain, 1, [views.profile_page(fw, p)], f"{p.domain} TF-1: {p.chapter} {_plain(p.name)} ({p.acronym})")
    if transaction:
        t = fw.transactions.get(transaction)
        if t is None:
            raise WordSelectionError(_unknown("transaction", transaction, sorted(fw.transactions)))
        return Selection(t.domain, 2, [views.transaction_page(fw, t)], f"{t.domain} TF-2: {numbering.transaction_section(t)} {_plain(t.label)}")
    if content:
        c = fw.content_modules.get(content)
        if c is None:
            raise WordSelectionError(_unknown("content module", content, sorted(fw.content_modules)))
        return Selection(c.domain, 3, [views.content_page(fw, c)], f"{c.domain} TF-3: {c.section} {_plain(c.name)}")
    if volume not in (1, 2, 3):
        raise WordSelectionError("give a chapter or section (--profile, --transaction, --content) or a volume (--volume 1, 2 or 3)")
    if not domain:
        if len(fw.domains) != 1:
            raise WordSelectionError(f"the specs hold several domains ({', '.join(sorted(fw.domains))}): name one with --domain")
        domain = next(iter(fw.domains))
    if domain not in fw.domains:
        raise WordSelectionError(_unknown("domain", domain, sorted(fw.domains)))
    if volume == 1:
        pages = [views.profile_page(fw, p) for p in numbering.profiles_in_order(fw, domain)]
    elif volume == 2:
        pages = [views.transaction_page(fw, t) for t in numbering.transactions_in_order(fw, domain)]
    else:
        pages = [views.content_page(fw, c) for c in numbering.content_in_order(fw, domain)]
    if not pages:
        raise WordSelectionError(f"{domain} has nothing in Volume {volume}")
    return Selection(domain, volume, pages, f"{fw.domains[domain].title} \u2013 {VOLUME_NAMES[volume]}")


def _plain(text: str) -> str:
    from .plain_text import inline

    return str(inline(text))


def _unknown(kind: str, name: str, known: list[str]) -> str:
    from difflib import get_close_matches

    near = get_close_matches(name, known, n=1)
    return f"no {kind} '{name}'" + (f" (did you mean '{near[0]}'?)" if near else "")


def volume_text(markdown: str) -> str:
    """The page without what only the site has: its front matter (mkdocs' search settings),
    unnumbered sections below the title, the status line."""
    out: list[str] = []
    keep = True
    lines = markdown.splitlines()
    if lines and lines[0] == "---" and "---" in lines[1:]:
        lines = lines[lines.index("---", 1) + 1 :]
    for line in lines:
        m = _HEADING.match(line)
        if m:
            keep = len(m.group(1)) == 1 or bool(_NUMBERED.match(m.group(2)))
        if keep and 'class="tfpub-meta"' not in line:
            out.append(line)
    return "\n".join(out) + "\n"


def selection_html(fw: Framework, env, selection: Selection, cache_dir: Path, pictures: Pictures | None = None) -> str:
    """The selected pages as one HTML fragment, figures drawn (or their source shown) as on the site.

    With ``pictures``, each figure is also drawn as PNG, put into ``pictures`` and
    marked in the HTML (see :mod:`.word_figures`); its warning, if any, too.
    """
    diagrams = model_diagrams(fw)
    replacements, _ = add_figures(fw, selection.pages, cache_dir, model_diagrams=diagrams)  # diagram problems are the build's to report
    model = {d.key: d for d in diagrams}
    shown = {page.src: shown_diagrams(page, model) for page in selection.pages}
    if pictures is not None:
        pictures.warnings += draw_png([d for by_id in shown.values() for d in by_id.values()], cache_dir)
    parts = []
    for page in selection.pages:
        text = render_page(env, page)
        for placeholder, figure in replacements.get(page.src, {}).items():
            text = text.replace(placeholder, str(figure))
        page_html = markdown_to_html(volume_text(author_figures.number_page(text, taken_numbers(page.context))))
        if pictures is not None:
            page_html = pictures.mark(page_html, {fid: d.png for fid, d in shown[page.src].items() if d.png} | image_pictures(page))
        parts.append(page_html)
    return "\n".join(parts)


def selection_docx(fw: Framework, env, selection: Selection, cache_dir: Path) -> tuple[bytes, list[str]]:
    """The .docx of the selection, and the warning lines to show (figures that could not be drawn)."""
    domain = fw.domains[selection.domain]
    status = STATUS_LABELS.get(domain.status, str(domain.status))
    whole_volume = len(selection.pages) > 1
    options = WordOptions(
        title=selection.title,
        date=domain.date,
        markup="formatting",  # the volumes carry no change markup; nothing is a revision
        heading_offset=0,
        subject=f"{domain.title}, Revision {domain.revision}",
        keywords=f"{domain.acronym}, TF-{selection.volume}",
        header=f"{domain.title} ({domain.acronym} TF-{selection.volume}) \u2013 Revision {domain.revision} \u2013 {status}",
    )
    title_page = None
    if whole_volume:
        title_page = TitlePage([
            ("Integrating the Healthcare Enterprise", "Subtitle"),
            (domain.title, "Title"),
            (VOLUME_NAMES[selection.volume], "Subtitle"),
            (f"Revision {domain.revision} \u2013 {status}", "Normal"),
            (f"Date: {domain.date}", "Normal"),
        ])
    pictures = Pictures()
    body = selection_html(fw, env, selection, cache_dir, pictures)
    return write_docx(body, options, title_page=title_page, contents=whole_volume, pictures=pictures.png), pictures.warnings
