"""The supplement document as Word, for committees that comment, ballot and edit in Word.

It is written from the supplement's own document (:class:`.document.SupplementDocument`):
its Markdown, the site page, goes through the site's Markdown extensions into HTML
and :mod:`generator.render.word` walks that HTML. The site's own furniture is left
out (the cover block and status banner, which the title page replaces, and the
"Comment on this section" links: in Word a reviewer comments in the margin), and
links into the volumes become text, as on the print page. Amended sections carry
their changes as Word revisions by default (``markup="revisions"``), so that
accepting all of them in Word gives the volume text as it will read.
"""

from __future__ import annotations

from pathlib import Path

from ..model import STATUS_LABELS
from ..render.word import TitlePage, WordOptions, markdown_to_html, write_docx
from ..render.word_figures import Pictures, draw_png
from .document import SupplementDocument

# Site furniture the Word document replaces or leaves out: its title page stands for
# the cover block, the status banner and the title line; comments go in Word's margin.
SITE_ONLY = {"tfpub-supplement-cover", "tfpub-status", "tfpub-comment", "tfpub-downloads"}


def _body(doc: SupplementDocument) -> str:
    html_text = markdown_to_html(doc.markdown)  # web links stay links; links into the site become text (render.word)
    # The page's first heading is its title, which the title page shows.
    start = html_text.find("</h1>")
    return html_text[start + len("</h1>") :] if start >= 0 else html_text


def title_page(doc: SupplementDocument) -> TitlePage:
    supp = doc.supplement
    domain = doc.base.domains[supp.domain]
    editors = "; ".join(e.name + (f", {e.organization}" if e.organization else "") for e in supp.editors)
    lines = [
        ("Integrating the Healthcare Enterprise", "Subtitle"),
        (domain.title, "Subtitle"),
        ("Supplement", "Subtitle"),
        (supp.title, "Title"),
        (f"Revision {supp.revision} \u2013 {STATUS_LABELS[supp.status]}", "Normal"),
        (f"Date: {supp.date}", "Normal"),
        (f"Applies to: {domain.title}, Revision {supp.applies_to}", "Normal"),
    ]
    if editors:
        lines.append((f"Editors: {editors}", "Normal"))
    if supp.status == "public-comment":
        lines.append(("Please give comments by line number, in Word's margin or in the comment tracker.", "Normal"))
    return TitlePage(lines)


def supplement_docx(doc: SupplementDocument, *, markup: str = "revisions", cache_dir: Path | None = None,
                    warnings: list[str] | None = None) -> bytes:
    """The supplement as a .docx (bytes): title page, contents, then the document with its changes.

    Its figures are pictures, drawn as PNG by the local PlantUML as the volumes' Word
    documents draw theirs (:mod:`generator.render.word_figures`), through the diagram
    cache in ``cache_dir`` (default ``.tfpub-cache``); without Java each is a box with
    its text alternative, and the line saying so is added to ``warnings``.
    """
    supp = doc.supplement
    domain = doc.base.domains[supp.domain]
    options = WordOptions(
        title=f"{domain.acronym} Supplement: {supp.title}",
        date=supp.date,
        markup=markup,
        heading_offset=1,  # the page's "## Foreword" / "## Volume 1" are Heading 1
        subject=f"Revision {supp.revision} \u2013 {STATUS_LABELS[supp.status]}",
        keywords=f"{domain.acronym}, {supp.id}",
        header=f"{domain.title} Supplement \u2013 {supp.title} \u2013 Revision {supp.revision} \u2013 {STATUS_LABELS[supp.status]}",
        line_numbers=supp.status == "public-comment",
        skip_classes=set(SITE_ONLY),
    )
    pictures = Pictures()
    said = draw_png(list(doc.figures.values()), Path(cache_dir or ".tfpub-cache").resolve())
    if warnings is not None:
        warnings.extend(said)
    body = pictures.mark(_body(doc), {fid: d.png for fid, d in doc.figures.items() if d.png} | doc.pictures)
    return write_docx(body, options, title_page=title_page(doc), contents=True, pictures=pictures.png)
