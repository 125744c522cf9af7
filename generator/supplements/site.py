"""Supplements on the published site: their pages and downloads, the notes on the chapters they change, navigation.

* :func:`supplement_site_files`: mkdocs source path -> content: each open
  supplement's page (``site_paths.supplement_page``), its print-ready HTML beside
  it (``<DOMAIN>/supplements/<id>/<id>.html``) and, when asked for, its PDF
  (``<id>.pdf``); each domain's ``<DOMAIN>/supplements/index.md``; the stylesheet;
* :func:`chapter_notes`: ("profile", acronym) or ("transaction", id) -> HTML notes
  "This profile is updated by the ... supplement (Trial Implementation)";
* :func:`navigation`: a Supplements section for each domain's navigation;
* :func:`addition`: all of it, as the ``Addition`` page generation merges in.

Site PDFs are opt-in (``TFPUB_SUPPLEMENT_PDF=1`` at build time): printing needs
Chromium, takes seconds per supplement, and a PDF carries its creation time, so
builds with PDFs are not byte-identical. The HTML version is always published.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..model import STATUS_LABELS, Framework
from ..render import plain_text, site_paths
from ..render.site_source import Addition
from ..render.tables import Cell, Table, a
from .check import Checked, check_all, remembered
from .document import Renderer, SupplementDocument, build_document
from .model import SupplementError
from .printing import print_html, print_pdf, running_texts, supplement_css

STYLESHEET = "assets/tfpub-supplement.css"
PDF_SWITCH = "TFPUB_SUPPLEMENT_PDF"


def _checked(fw: Framework, specs_root: Path) -> list[Checked]:
    """The supplements under ``specs_root``, checked against ``fw``.

    Validation checked them against this very framework already (``check_all``
    remembers it), so a build checks once. Without supplements nothing is checked;
    for a framework that did not come from validating ``specs_root``, the sources the
    checks need are read here."""
    from .model import load_supplements

    found = remembered(specs_root, fw)
    if found is None:
        supplements, problems = load_supplements(Path(specs_root))
        if not supplements and not problems:
            return []
        from ..check.validate_framework import validate_framework

        found = check_all(Path(specs_root), fw, validate_framework(Path(specs_root)).sources)
    checked, problems = found
    errors = [p for p in problems if p.is_error]
    if errors:
        raise SupplementError(errors)
    return checked


def print_file(domain: str, supplement_id: str, ext: str) -> str:
    return f"{domain}/supplements/{supplement_id}/{supplement_id}.{ext}"


BALLOTED = "balloted"  # <supplement folder>/balloted.md and balloted.html, written by incorporation


def balloted_files(folder: Path, supplement_id: str) -> tuple[Path, Path]:
    """(site Markdown, print HTML) of an incorporated supplement's document as it was balloted
    (see :func:`.incorporate._balloted`); the site keeps publishing them at the supplement's own paths.

    They lie in the supplement folder itself, not a folder of their own: the incorporation
    journal must not create a folder before its commit point."""
    return folder / f"{BALLOTED}.md", folder / f"{BALLOTED}.html"


def _balloted(c: Checked) -> tuple[str, str] | None:
    """The balloted (Markdown, HTML) of an incorporated supplement, if its folder keeps them."""
    if c.applied is not None:
        return None
    md, page = balloted_files(c.supplement.folder, c.supplement.id)
    try:
        return md.read_text(encoding="utf-8"), page.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def index_page(domain: str) -> str:
    return f"{domain}/supplements/index.md"


def _pdf_wanted() -> bool:
    return os.environ.get(PDF_SWITCH, "") not in ("", "0", "false", "no")


def documents(fw: Framework, specs_root: Path, env, cache_dir: Path | None = None) -> list[SupplementDocument]:
    renderer = Renderer(env)
    out = []
    for c in _checked(fw, specs_root):
        if c.applied is not None:
            base = c.base or fw  # on the supplements it depends on, so it shows only its own changes
            out.append(build_document(base, c.supplement, env, applied=c.applied, renderer=renderer, downloads=_downloads(c.supplement),
                                      cache_dir=cache_dir))
    return out


def _downloads(supp) -> list[tuple[str, str]]:
    links = [("print-ready HTML", print_file(supp.domain, supp.id, "html"))]
    if _pdf_wanted():
        links.append(("PDF", print_file(supp.domain, supp.id, "pdf")))
    return links


def supplement_site_files(fw: Framework, specs_root: Path, env, cache_dir: Path | None = None) -> dict[str, str | bytes]:
    """``cache_dir``: the build's cache, whose diagram cache draws the documents' figures (default ``.tfpub-cache``)."""
    files: dict[str, str | bytes] = {}
    checked = _checked(fw, specs_root)
    if not checked:
        return files
    docs = {d.supplement.id: d for d in documents(fw, specs_root, env, cache_dir)}
    for doc in docs.values():
        supp = doc.supplement
        files[site_paths.supplement_page(supp.domain, supp.id)] = doc.markdown
        files.update(doc.images)  # authors' images of what the supplement adds (the volumes' own are the site's already)
        printable = print_html(doc, env)
        files[print_file(supp.domain, supp.id, "html")] = printable
        if _pdf_wanted():
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                header, footer = running_texts(doc)
                out = print_pdf(printable, Path(tmp) / "out.pdf", header=header, footer=footer)
                files[print_file(supp.domain, supp.id, "pdf")] = out.read_bytes()
    for c in checked:  # incorporated: the document as balloted, where it was published
        kept = _balloted(c)
        if kept is not None:
            files[site_paths.supplement_page(c.supplement.domain, c.supplement.id)] = kept[0]
            files[print_file(c.supplement.domain, c.supplement.id, "html")] = kept[1]
    for domain in sorted({c.supplement.domain for c in checked}):
        files[index_page(domain)] = _index(fw, domain, [c for c in checked if c.supplement.domain == domain], env)
    files[STYLESHEET] = supplement_css()
    return files


def _changes(fw: Framework, c: Checked, page: str) -> str:
    applied = c.applied
    parts = []
    for acronym in applied.new.get("profile", []):
        parts.append(f"adds the {plain_text.inline(acronym)} Profile")
    if applied.new.get("transaction"):
        parts.append("adds " + ", ".join(plain_text.inline(t) for t in applied.new["transaction"]))
    amended = sorted(k for k in applied.amended() if k[0] in ("profile", "transaction"))
    if amended:
        links = []
        for kind, key in amended:
            target = site_paths.profile_page(fw.profiles[key].domain, key) if kind == "profile" else site_paths.transaction_page(fw.transactions[key].domain, key)
            links.append(a(site_paths.url_link(page, target), key))
        parts.append("amends " + ", ".join(links))
    return "; ".join(parts) or "\u2013"


def _index(fw: Framework, domain: str, checked: list[Checked], env) -> str:
    page = index_page(domain)
    table = Table("supplements", "", f"{domain} supplements", ["Supplement", "Revision", "Date", "Status", "Changes"])
    for c in sorted(checked, key=lambda c: (c.supplement.status == "final-text", c.supplement.id)):
        s = c.supplement
        if c.applied is not None:
            title = a(site_paths.url_link(page, site_paths.supplement_page(domain, s.id)), s.title)
            changes = _changes(fw, c, page)
        elif _balloted(c) is not None:
            title = a(site_paths.url_link(page, site_paths.supplement_page(domain, s.id)), s.title)
            changes = f"Incorporated into the volumes of Revision {plain_text.inline(s.applies_to)}; the link is the document as balloted"
        else:
            title = plain_text.inline(s.title)
            changes = "Incorporated into the volumes"
        table.rows.append([Cell(title), Cell(plain_text.inline(s.revision)), Cell(plain_text.inline(s.date)), Cell(STATUS_LABELS[s.status]), Cell(changes)])
    from ..render.pages import render_page
    from ..render.views import Page

    intro = (
        "New work is published as supplements: each adds profiles, actors and transactions and amends sections of the volumes. "
        "Open supplements are published for Public Comment or Trial Implementation; at Final Text they are incorporated into the volumes."
    )
    return render_page(env, Page(page, "appendix.md.j2", f"{domain} Supplements", None, {"intro": intro, "table": table}))


def chapter_notes(fw: Framework, specs_root: Path) -> dict[tuple[str, str], list[str]]:
    """("profile", acronym) or ("transaction", id) -> notes (HTML) naming the open supplements that change it."""
    notes: dict[tuple[str, str], list[str]] = {}
    for c in _checked(fw, specs_root):
        if c.applied is None:
            continue
        s = c.supplement
        for kind, key in sorted(c.applied.amended()):
            if kind == "profile" and key in fw.profiles:
                page, word = site_paths.profile_page(fw.profiles[key].domain, key), "profile"
            elif kind == "transaction" and key in fw.transactions:
                page, word = site_paths.transaction_page(fw.transactions[key].domain, key), "transaction"
            else:
                continue
            link = a(site_paths.url_link(page, site_paths.supplement_page(s.domain, s.id)), f"{s.title} supplement")
            notes.setdefault((kind, key), []).append(f"This {word} is updated by the {link} ({STATUS_LABELS[s.status]}).")
    return notes


def navigation(fw: Framework, specs_root: Path) -> list[tuple[str, dict]]:
    """A 'Supplements' section (the index, then each open supplement) for each domain that has any."""
    by_domain: dict[str, list] = {}
    incorporated: dict[str, list] = {}
    for c in _checked(fw, specs_root):
        entries = by_domain.setdefault(c.supplement.domain, [index_page(c.supplement.domain)])
        entry = {plain_text.html_text(c.supplement.title): site_paths.supplement_page(c.supplement.domain, c.supplement.id)}
        if c.applied is not None:
            entries.append(entry)
        elif _balloted(c) is not None:
            incorporated.setdefault(c.supplement.domain, []).append(entry)
    for domain, kept in incorporated.items():
        by_domain[domain].append({"Incorporated": kept})
    return [(domain, {"Supplements": entries}) for domain, entries in by_domain.items()]


def addition(fw: Framework, specs_root: Path, env, cache_dir: Path | None = None) -> Addition:
    """The supplements' share of the site: their pages, notes on the chapters they change, navigation."""
    files = supplement_site_files(fw, specs_root, env, cache_dir)
    nav = navigation(fw, specs_root)
    return Addition(
        files=files,
        nav=nav,
        notes=chapter_notes(fw, specs_root),
        extra_css=[STYLESHEET] if STYLESHEET in files else [],
        home_links=[(domain, "Supplements", index_page(domain)) for domain, _entry in nav],
    )
