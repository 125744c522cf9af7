"""Check every internal link and anchor of a built site.

mkdocs checks links between Markdown files, but most links in a framework live
in generated tables and diagrams as HTML, which it never sees. This reads the
built HTML (and inline SVG) with lxml and resolves each relative link to a file
and, where it names one, an element id.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import html as lxml_html

_LINK_ATTRS = ("href", "src", "{http://www.w3.org/1999/xlink}href")


@dataclass(frozen=True)
class BrokenLink:
    page: str  # site-relative path of the page holding the link
    target: str  # the link as written
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.target}: {self.reason}"


def _ids(doc) -> set[str]:
    return {el.get("id") for el in doc.iter() if isinstance(el.tag, str) and el.get("id")} | {
        el.get("name") for el in doc.iter("a") if el.get("name")
    }


def _links(doc):
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in _LINK_ATTRS:
            value = el.get(attr)
            if value is not None:
                yield value


def check_site(site: Path) -> list[BrokenLink]:
    pages = {p.relative_to(site).as_posix(): p for p in site.rglob("*.html")}
    parsed = {rel: lxml_html.parse(str(path)).getroot() for rel, path in pages.items()}
    ids = {rel: _ids(doc) for rel, doc in parsed.items()}
    broken: list[BrokenLink] = []
    for rel, doc in sorted(parsed.items()):
        base = posixpath.dirname(rel)
        for link in _links(doc):
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "data:", "javascript:")):
                continue
            if not parts.path:
                target_rel = rel
            else:
                path = unquote(parts.path)
                # Absolute paths (the 404 page uses them) are taken from the site root.
                joined = path.lstrip("/") or "." if path.startswith("/") else posixpath.join(base, path)
                target_rel = posixpath.normpath(joined)
                if target_rel.startswith(".."):
                    broken.append(BrokenLink(rel, link, "points outside the site"))
                    continue
                candidate = site / target_rel
                if candidate.is_dir() or link.endswith("/"):
                    target_rel = posixpath.join(target_rel, "index.html") if target_rel != "." else "index.html"
                    candidate = site / target_rel
                if not candidate.exists():
                    broken.append(BrokenLink(rel, link, "no such file"))
                    continue
            if parts.fragment and target_rel in ids and unquote(parts.fragment) not in ids[target_rel]:
                broken.append(BrokenLink(rel, link, f"no element with id '{parts.fragment}'"))
    return broken
