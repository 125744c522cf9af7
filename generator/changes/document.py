"""The CP document, computed as a supplement's: editor instructions and the sections it changes, marked.

The instructions, the change markup and the placing of volume text in the CP's
page are the supplements' (:func:`generator.supplements.document.compute_instructions`,
:func:`~generator.supplements.document.volume_bodies`): every volume page is
rendered from the framework before and after the CP by the volumes' own
templates, and each numbered section that differs becomes "amend Section" with
its changes marked. What is the CP's own is the page around them (number,
status, submitter, dates, rationale) in ``change-proposal.md.j2``, its print page
(``change-proposal-print.html.j2``, with the supplements' print stylesheet) and
its Word title page.

A CP open or at final text is computed against the volumes as they are; an
integrated one against the snapshot of the revision it was integrated into
(:mod:`.revisions`), which is what it was balloted against.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import markdown
from markupsafe import Markup

from ..model import Framework
from ..render import plain_text, site_paths, templating
from ..render.narrative import render as md
from ..render.pages import render_page
from ..render.views import Banner, Page
from ..render.word import TitlePage, WordOptions, markdown_to_html, write_docx
from ..supplements.apply import Applied
from ..supplements.diff import inserted
from ..supplements.document import (
    Instruction,
    Placer,
    Renderer,
    compute_instructions,
    local_anchors,
    site_srcs,
    volume_bodies,
)
from ..supplements.model import SupplementError
from ..supplements.printing import _standalone_links, _toc, print_css
from .apply import apply_change_proposal
from .model import STATUS_LABELS, ChangeProposal

STATUS_NOTES = {
    "submitted": "This change proposal has been submitted to the committee and is not yet assigned.",
    "assigned": "This change proposal is being worked on by its assigned editor.",
    "in-ballot": "This change proposal is out for ballot; it does not change the volumes yet.",
    "final-text": "This change proposal is final text: it will be integrated into the next revision of the volumes.",
    "integrated": "This change proposal has been integrated into the volumes.",
    "rejected": "This change proposal was rejected; it does not change the volumes.",
}


def cp_page(domain: str, number: str) -> str:
    return f"{domain}/change-proposals/{number}.md"


def cp_print_file(domain: str, number: str) -> str:
    return f"{domain}/change-proposals/{number}.html"


def cp_index(domain: str) -> str:
    return f"{domain}/change-proposals/index.md"


@dataclass
class CPDocument:
    cp: ChangeProposal
    base: Framework
    applied: Applied
    instructions: list[Instruction] = field(default_factory=list)
    before_pages: dict[str, str] = field(default_factory=dict)
    after_pages: dict[str, str] = field(default_factory=dict)
    markdown: str = ""  # the site page
    body: str = ""  # from the rationale on, as print and Word lay it out after their own cover
    integrated_in: str = ""  # the revision that integrated it


def banner(status: str) -> Banner:
    return Banner(status, STATUS_LABELS[status], STATUS_NOTES[status])


def build_cp_document(
    base: Framework,
    cp: ChangeProposal,
    env,
    *,
    applied: Applied | None = None,
    renderer: Renderer | None = None,
    downloads: list[tuple[str, str]] | None = None,
    integrated_in: str = "",
) -> CPDocument:
    """The document of ``cp`` against ``base``. Raises :class:`SupplementError` when it does not apply."""
    applied = applied or apply_change_proposal(base, cp)
    if not applied.ok:
        raise SupplementError([p for p in applied.problems if p.is_error])
    renderer = renderer or Renderer(env)
    doc = CPDocument(cp, base, applied, integrated_in=integrated_in)
    doc.instructions, doc.before_pages, doc.after_pages = compute_instructions(base, applied, cp.domain, renderer)
    page = cp_page(cp.domain, cp.number)
    placer = Placer(page, local_anchors(doc.instructions), site_srcs(base), set(doc.after_pages))
    domain = base.domains[cp.domain]
    context = {
        "cp": cp,
        "domain": domain,
        "status": STATUS_LABELS[cp.status],
        "rationale": Markup(placer.relink(md(cp.rationale, applied.framework, page), page)),
        "steps": [(STATUS_LABELS[s.status], s.date, s.note) for s in cp.history],
        "volumes_changed": ", ".join(f"{domain.acronym} TF-{v}" for v in cp.volumes),
        "integrated_in": integrated_in,
        "volumes": volume_bodies(doc.instructions, doc.after_pages, placer, cp.domain),
        "downloads": [Markup(f'<a href="{html.escape(site_paths.url_link(page, target))}">{plain_text.inline(label)}</a>') for label, target in (downloads or [])],
        "legend": {"added": inserted("added text"), "removed": Markup("<del>removed text</del>")},
    }
    title = f"{cp.number}: {cp.title}"
    front = render_page(env, Page(page, "change-proposal.md.j2", title, banner(cp.status), {**context, "part": "front"}))
    doc.body = render_page(env, Page(page, "change-proposal.md.j2", title, banner(cp.status), {**context, "part": "body"}))
    doc.markdown = front.rstrip("\n") + "\n\n" + doc.body
    return doc


# --------------------------------------------------------------------------- print and Word


def cover(doc: CPDocument) -> dict:
    cp, domain = doc.cp, doc.base.domains[doc.cp.domain]
    return {
        "framework": f"{domain.title} ({domain.acronym})",
        "number": cp.number,
        "title": cp.title,
        "status": STATUS_LABELS[cp.status],
        "date": cp.date,
        "applies_to": f"{domain.title}, Revision {cp.applies_to}",
        "submitter": ", ".join(x for x in (cp.submitter.name, cp.submitter.organization) if x),
        "note": STATUS_NOTES[cp.status],
    }


def print_html(doc: CPDocument, env) -> str:
    """The CP as one self-contained HTML page: cover, contents, rationale and changes."""
    converter = markdown.Markdown(extensions=["attr_list", "tables", "md_in_html", "toc", "def_list"], output_format="html")
    body = _standalone_links(converter.convert(doc.body))
    domain = doc.base.domains[doc.cp.domain]
    return templating.render(
        env,
        "change-proposal-print.html.j2",
        title=f"{domain.acronym} {doc.cp.number}: {doc.cp.title}",
        cover=cover(doc),
        css=print_css(),
        toc=_toc(converter.toc_tokens, set()),
        body=Markup(body),
    )


def running_texts(doc: CPDocument) -> tuple[str, str]:
    """The PDF's running header and footer (Chromium fills in the page numbers), as a supplement's read."""
    cp, domain = doc.cp, doc.base.domains[doc.cp.domain]
    esc = lambda t: html.escape(t, quote=True)
    box = 'style="font-family: \'DejaVu Sans\', Arial, sans-serif; font-size: 7.5pt; color: #333; width: 100%; margin: 0 16mm 0 26mm; display: flex; justify-content: space-between; gap: 6mm;"'
    header = f"<div {box}><span>{esc(domain.acronym)} {esc(cp.number)} \u2013 {esc(cp.title)}</span><span>{esc(STATUS_LABELS[cp.status])}</span></div>"
    footer = (
        f"<div {box}><span>{esc(cp.date)}</span>"
        '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span>'
        f"<span>{esc(domain.title)}</span></div>"
    )
    return header, footer


SITE_ONLY = {"tfpub-supplement-cover", "tfpub-status", "tfpub-downloads"}


def cp_docx(doc: CPDocument, *, markup: str = "revisions") -> bytes:
    """The CP as Word: title page, contents, rationale, and the amended sections as Word revisions."""
    cp, domain = doc.cp, doc.base.domains[doc.cp.domain]
    html_text = markdown_to_html(doc.markdown)
    start = html_text.find("</h1>")
    body = html_text[start + len("</h1>") :] if start >= 0 else html_text
    c = cover(doc)
    title_page = TitlePage(
        [
            ("Integrating the Healthcare Enterprise", "Subtitle"),
            (domain.title, "Subtitle"),
            ("Change Proposal", "Subtitle"),
            (f"{cp.number}: {cp.title}", "Title"),
            (f"Status: {c['status']} ({c['date']})", "Normal"),
            (f"Applies to: {c['applies_to']}", "Normal"),
            (f"Submitter: {c['submitter']}", "Normal"),
        ]
    )
    options = WordOptions(
        title=f"{domain.acronym} {cp.number}: {cp.title}",
        date=cp.date,
        markup=markup,
        heading_offset=1,
        subject=f"Change Proposal \u2013 {c['status']}",
        keywords=f"{domain.acronym}, {cp.number}",
        header=f"{domain.title} \u2013 {cp.number} \u2013 {c['status']}",
        line_numbers=cp.status == "in-ballot",
        skip_classes=set(SITE_ONLY),
    )
    return write_docx(body, options, title_page=title_page, contents=True)
