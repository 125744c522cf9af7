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
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

import markdown

from ..model import STATUS_LABELS
from .document import SupplementDocument

PRINT_CSS = """
@page { size: A4; margin: 20mm 18mm 22mm; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 10pt; line-height: 1.4; color: #000; max-width: 60em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 18pt; } h2 { font-size: 14pt; margin-top: 1.6em; } h3 { font-size: 12pt; } h4, h5, h6 { font-size: 10.5pt; }
h1, h2, h3, h4, h5, h6 { break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; font-size: 9pt; }
th, td { border: 1px solid #888; padding: 3px 5px; vertical-align: top; text-align: left; }
th { background: #eee; }
caption { font-weight: 700; text-align: left; padding: 4px 0; caption-side: top; }
.tfpub-table, figure { break-inside: avoid; }
.tfpub-note { font-size: 8.5pt; margin: 2px 0; }
.tfpub-meta { color: #444; font-size: 9pt; }
.tfpub-status { border: 1px solid #000; padding: 6px 10px; margin: 0 0 1em; }
a { color: inherit; }
a[href^="http"]::after { content: " <" attr(href) ">"; font-size: 8pt; }
@media screen { .tfpub-comment a::after { content: none; } }
"""


def supplement_css() -> str:
    return resources.files("generator.supplements").joinpath("supplement.css").read_text(encoding="utf-8")


_LINK = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.S)


def _standalone_links(body: str) -> str:
    def sub(m: re.Match) -> str:
        href = html.unescape(m.group(1))
        if href.startswith("#") or re.match(r"^(https?|mailto):", href):
            return m.group(0)
        return m.group(2)

    return _LINK.sub(sub, body)


def print_html(doc: SupplementDocument, env) -> str:
    """The whole supplement as one self-contained HTML page."""
    converter = markdown.Markdown(extensions=["attr_list", "tables", "md_in_html", "toc", "def_list"], output_format="html")
    body = _standalone_links(converter.convert(doc.markdown))
    supp = doc.supplement
    domain = doc.base.domains[supp.domain]
    template = env.get_template("supplement-print.html.j2")
    return template.render(
        title=f"{domain.acronym} Supplement: {supp.title}",
        subtitle=f"Revision {supp.revision} \u2013 {STATUS_LABELS[supp.status]}, {supp.date}",
        css=PRINT_CSS + supplement_css(),
        body=body,
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


def print_pdf(html_text: str, out: Path, *, timeout: float = 180) -> Path:
    """Print ``html_text`` to ``out`` as PDF with headless Chromium. Raises PdfError with a clear message."""
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
        target = Path(tmp) / "supplement.pdf"
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium did not finish printing within {timeout:.0f} s")
        except OSError as exc:
            raise PdfError(f"cannot run Chromium ({browser}): {exc}")
        if not target.is_file() or target.stat().st_size == 0:
            detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise PdfError(f"Chromium printed no PDF (exit {done.returncode}): {' '.join(detail)}")
        shutil.move(str(target), out)
    return out
