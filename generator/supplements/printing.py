"""The supplement as one print-ready HTML page, and as PDF through headless Chromium.

The print page is for circulating a supplement outside the site (for public
comment by e-mail, say), so it stands alone: its stylesheet is inline, links
within the document work, links to the published volumes are kept as text (they
would not resolve from a mailbox), and links to the web stay links.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import markdown
from markupsafe import Markup

from ..model import STATUS_LABELS
from ..render import templating
from ..render.views import STATUS_NOTES
from .chromium import PrintOptions, ProtocolError, log_tail, print_to_pdf
from .document import SupplementDocument


def _css(name: str) -> str:
    return resources.files("generator.supplements").joinpath(name).read_text(encoding="utf-8")


def supplement_css() -> str:
    """The change markup and cover styles, shared by the site and print."""
    return _css("supplement.css")


def print_css() -> str:
    return _css("supplement.css") + "\n" + _css("print.css")


_LINK = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.S)


def _standalone_links(body: str) -> str:
    def sub(m: re.Match) -> str:
        href = html.unescape(m.group(1))
        if href.startswith("#") or re.match(r"^(https?|mailto):", href):
            return m.group(0)
        return m.group(2)

    return _LINK.sub(sub, body)


_FRAME = re.compile(r'<div class="tfpub-diagram-frame"([^>]*)>(.*?</svg>)', re.S)
_CAPTION_ID = re.compile(r'aria-labelledby="[^" ]+ ([^"]+)"')


def _focusable_frames(body: str) -> str:
    """A diagram whose links the print page dropped is reached by keyboard through its frame, as
    on the site (``generator.diagrams.svg.figure_html``): the frame may scroll on a narrow screen."""
    def sub(m: re.Match) -> str:
        attrs, inner = m.group(1), m.group(2)
        if "tabindex" in attrs or "<a " in inner:
            return m.group(0)
        cap = _CAPTION_ID.search(inner)
        named = f' aria-labelledby="{cap.group(1)}"' if cap else ""
        return f'<div class="tfpub-diagram-frame"{attrs} tabindex="0" role="group"{named}>{inner}'

    return _FRAME.sub(sub, body)


_IMG = re.compile(r'(<img class="tfpub-image" src=")([^"]*)(")')
_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".svg": "image/svg+xml"}


def _embedded_images(body: str, images: dict[str, bytes]) -> str:
    """Authors' images inside the page (data: URLs), so the print page still stands alone."""
    import base64
    import posixpath

    by_name = {posixpath.basename(path): data for path, data in images.items()}

    def sub(m: re.Match) -> str:
        name = posixpath.basename(html.unescape(m.group(2)))
        data = by_name.get(name)
        if data is None:
            return m.group(0)
        kind = _IMAGE_TYPES.get(posixpath.splitext(name)[1], "application/octet-stream")
        return f"{m.group(1)}data:{kind};base64,{base64.b64encode(data).decode('ascii')}{m.group(3)}"

    return _IMG.sub(sub, body)


TOC_DEPTH = 5  # the contents list volumes (h2), chapters and transactions (h3), their sections (h4) and subsections (h5: an amended option is one)


@dataclass
class TocEntry:
    level: int
    anchor: str
    title: str  # HTML
    children: list["TocEntry"] = field(default_factory=list)


def _toc(tokens: list[dict], skip: set[str]) -> list[TocEntry]:
    out = []
    for t in tokens:
        if t["id"] in skip or t["level"] > TOC_DEPTH:
            continue
        out.append(TocEntry(t["level"], t["id"], html.escape(html.unescape(t["name"]), quote=False), _toc(t["children"], skip)))
    return out


def _split_after_foreword(body: str) -> tuple[str, str]:
    """The foreword, and the rest: the contents go between them."""
    at = re.search(r'<h2[^>]*\bid="introduction"', body)
    return (body[: at.start()], body[at.start() :]) if at else ("", body)


def cover(doc: SupplementDocument) -> dict:
    """What the cover page says, as plain values (the template escapes them)."""
    supp = doc.supplement
    domain = doc.base.domains[supp.domain]
    return {
        "framework": f"{domain.title} ({domain.acronym})",
        "title": supp.title,
        "revision": f"Revision {supp.revision} \u2013 {STATUS_LABELS[supp.status]}",
        "status": STATUS_LABELS[supp.status],
        "date": supp.date,
        "comments_due": supp.comments_due if supp.status == "public-comment" else "",
        "applies_to": f"{domain.title}, Revision {supp.applies_to}",
        "editors": [", ".join(x for x in (e.name, e.organization) if x) + (f" <{e.email}>" if e.email else "") for e in supp.editors],
        "note": STATUS_NOTES.get(supp.status, ""),
    }


def running_texts(doc: SupplementDocument) -> tuple[str, str]:
    """The running header and footer (HTML templates for Chromium's print; Chromium fills in the page numbers)."""
    supp = doc.supplement
    domain = doc.base.domains[supp.domain]
    esc = lambda s: html.escape(s, quote=True)  # noqa: E731
    box = 'style="font-family: \'DejaVu Sans\', Arial, sans-serif; font-size: 7.5pt; color: #333; width: 100%; margin: 0 16mm 0 26mm; display: flex; justify-content: space-between; gap: 6mm;"'
    header = f'<div {box}><span>{esc(domain.acronym)} Supplement \u2013 {esc(supp.title)}</span><span>{esc(STATUS_LABELS[supp.status])}</span></div>'
    footer = (
        f'<div {box}><span>Rev. {esc(supp.revision)} \u2013 {esc(supp.date)}</span>'
        '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span>'
        f"<span>{esc(domain.title)}</span></div>"
    )
    return header, footer


def print_html(doc: SupplementDocument, env) -> str:
    """The whole supplement as one self-contained HTML page: cover, foreword, contents, the body.

    Public Comment supplements have their lines numbered, for comments that cite them."""
    converter = markdown.Markdown(extensions=["attr_list", "tables", "md_in_html", "toc", "def_list"], output_format="html")
    body = _embedded_images(_focusable_frames(_standalone_links(converter.convert(doc.body))), doc.images)
    foreword, rest = _split_after_foreword(body)
    supp = doc.supplement
    domain = doc.base.domains[supp.domain]
    return templating.render(
        env,
        "supplement-print.html.j2",
        title=f"{domain.acronym} Supplement: {supp.title}",
        cover=cover(doc),
        css=print_css(),
        foreword=Markup(foreword),
        toc=_toc(converter.toc_tokens, {"foreword"}),
        body=Markup(rest),
        lined=supp.status == "public-comment",
    )


class PdfError(Exception):
    pass


def find_chromium() -> str | None:
    """Debian's Chromium (package ``chromium``), or the browser named by TFPUB_CHROMIUM."""
    named = os.environ.get("TFPUB_CHROMIUM")
    if named:
        return named if Path(named).is_file() or shutil.which(named) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def print_pdf(html_text: str, out: Path, *, timeout: float = 180, header: str = "", footer: str = "") -> Path:
    """Print ``html_text`` to ``out`` as PDF with headless Chromium, with the running ``header`` and ``footer``
    (templates: see :func:`running_texts`). Raises PdfError with a clear message."""
    browser = find_chromium()
    if browser is None:
        raise PdfError(
            "making a PDF needs Chromium, which was not found: install Debian's 'chromium' package "
            "(apt-get install chromium), or name a Chromium binary in TFPUB_CHROMIUM. The HTML version needs nothing: "
            "use --format html and print it from any browser"
        )
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tfpub-pdf-") as tmp:
        page = Path(tmp) / "supplement.html"
        page.write_text(html_text, encoding="utf-8")
        profile = Path(tmp) / "profile"
        try:
            data = print_to_pdf(browser, page, profile, PrintOptions(header, footer), timeout=timeout)
        except ProtocolError as exc:
            detail = log_tail(profile)
            raise PdfError(f"Chromium printed no PDF ({exc})" + (f": {detail}" if detail else ""))
        except OSError as exc:
            raise PdfError(f"cannot run Chromium ({browser}): {exc}")
        if not data.startswith(b"%PDF"):
            raise PdfError("Chromium printed no PDF: its answer is not a PDF")
        partial = out.with_name(out.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, out)  # never a half-written PDF under the real name
    return out


def print_document(doc: SupplementDocument, env, out: Path, *, timeout: float = 180) -> Path:
    """The supplement's PDF: its print HTML, with the running header and footer."""
    header, footer = running_texts(doc)
    return print_pdf(print_html(doc, env), out, timeout=timeout, header=header, footer=footer)
