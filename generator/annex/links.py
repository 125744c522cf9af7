"""Where the citations in an annex point: requirement ids, TF-1 tables and chapters, TF-2 sections, transactions.

An annex's sentences are made by :mod:`.expand` as plain text ("... SHALL support
Registry Stored Query [ITI-18].", "Derived from RDS-005 through ITI TF-1 Table
10.1-1"). Rather than carry markup through the expansion (which the builder page
mirrors byte for byte), each renderer splits the finished text into
:class:`Span` pieces here and turns the pieces that cite something into links of
its own kind: relative Markdown links on the site, absolute URLs to the published
site (``site_url``) in files that travel, Word hyperlinks and bookmarks.

Only citations that resolve in the framework become links; anything else stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Framework
from ..render import numbering, site_paths
from .expand import Expansion, Requirement

# TF-1 table n of a profile chapter -> the heading anchor of that section on the profile page
TABLE_ANCHORS = {1: "actors-and-transactions", 2: "actor-options", 3: "required-groupings"}
_SITE_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?$")


@dataclass(frozen=True)
class Span:
    """A piece of text; ``page`` (a site source path, with ``anchor``) or ``req`` (a requirement id) when it cites something."""

    text: str
    page: str = ""
    anchor: str = ""
    req: str = ""

    @property
    def linked(self) -> bool:
        return bool(self.page or self.req)


def req_anchor(req_id: str) -> str:
    """The HTML id of a requirement's row ("rds-001")."""
    return site_paths.anchor_slug(req_id)


def bookmark(req_id: str) -> str:
    """A Word bookmark name for a requirement (letters, digits and underscores; at most 40 characters)."""
    return ("req_" + re.sub(r"[^A-Za-z0-9]", "_", req_id))[:40]


def valid_site_url(url: str) -> bool:
    return bool(_SITE_URL.match(url or ""))


_MKDOCS_SITE_URL = re.compile(r"^site_url:[ \t]*[\"']?([^\"'#\s]+)[\"']?[ \t]*(?:#.*)?$", re.M)


def project_site_url(specs_root) -> str:
    """``site_url`` of the project's mkdocs.yml (beside the specs folder), if it is a plain http(s) address; else "".

    Read with a pattern, not a YAML load: mkdocs.yml may hold ``!!python/name`` tags, and only
    this one top-level key is wanted."""
    from pathlib import Path

    path = Path(specs_root).resolve().parent / "mkdocs.yml"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    m = _MKDOCS_SITE_URL.search(text)
    return m.group(1) if m and valid_site_url(m.group(1)) else ""


class Citations:
    """Splits annex text into spans, resolving citations against one framework and one expansion."""

    def __init__(self, fw: Framework, e: Expansion):
        self.fw = fw
        self.ids = {r.id for r in e.requirements}
        self.chapters = {(p.domain, str(p.chapter)): p.acronym for p in fw.profiles.values()}
        self.sections = {(t.domain, numbering.transaction_section(t)): t.id for t in fw.transactions.values()}
        prefix = re.escape(e.annex.prefix)
        self.pattern = re.compile(
            rf"(?P<req>\b{prefix}-[0-9]+\b)"
            r"|(?P<table>\b(?P<td>[A-Z][A-Za-z0-9]*) TF-1 Table (?P<tc>[0-9]+)\.(?P<tn>[0-9]+)-1\b)"
            r"|(?P<chap>\b(?P<cd>[A-Z][A-Za-z0-9]*) TF-1: (?P<cc>[0-9]+)\b(?!\.[0-9]))"
            r"|(?P<tf2>\b(?P<sd>[A-Z][A-Za-z0-9]*) TF-2: (?P<ss>[0-9]+(?:\.[0-9]+)*))"
            r"|(?P<tx>\[(?P<tid>[A-Z][A-Za-z0-9]*-[0-9]+)\])"
        )

    def _resolve(self, m: re.Match) -> Span:
        text = m.group(0)
        if m.group("req"):
            return Span(text, req=text) if text in self.ids else Span(text)
        if m.group("table"):
            acronym = self.chapters.get((m.group("td"), m.group("tc")))
            if acronym:
                page = site_paths.profile_page(self.fw.profiles[acronym].domain, acronym)
                return Span(text, page=page, anchor=TABLE_ANCHORS.get(int(m.group("tn")), ""))
        elif m.group("chap"):
            acronym = self.chapters.get((m.group("cd"), m.group("cc")))
            if acronym:
                return Span(text, page=site_paths.profile_page(self.fw.profiles[acronym].domain, acronym))
        elif m.group("tf2"):
            tx = self.sections.get((m.group("sd"), m.group("ss")))
            if tx:
                return Span(text, page=site_paths.transaction_page(self.fw.transactions[tx].domain, tx))
        elif m.group("tx"):
            tx = m.group("tid")
            if tx in self.fw.transactions:
                return Span(text, page=site_paths.transaction_page(self.fw.transactions[tx].domain, tx))
        return Span(text)

    def spans(self, text: str) -> list[Span]:
        out: list[Span] = []
        pos = 0
        for m in self.pattern.finditer(text):
            if m.start() > pos:
                out.append(Span(text[pos : m.start()]))
            out.append(self._resolve(m))
            pos = m.end()
        if pos < len(text):
            out.append(Span(text[pos:]))
        return _merge(out)

    def source_text(self, r: Requirement) -> str:
        """The provenance, and for a transaction the TF-2 section that specifies it ('specified in ITI TF-2: 3.18')."""
        text = r.provenance
        if r.kind in ("transaction", "conditional-transaction"):
            tx = self._tx_of(r)
            if tx is not None:
                text += ("; s" if text else "S") + f"pecified in {numbering.transaction_ref(tx)}"
        return text

    def _tx_of(self, r: Requirement):
        for m in re.finditer(r"\[([A-Z][A-Za-z0-9]*-[0-9]+)\]", r.text):
            if m.group(1) in self.fw.transactions:
                return self.fw.transactions[m.group(1)]
        return None


def _merge(spans: list[Span]) -> list[Span]:
    """Adjacent plain spans joined (an unresolved citation reads as the text around it)."""
    out: list[Span] = []
    for s in spans:
        if out and not s.linked and not out[-1].linked:
            out[-1] = Span(out[-1].text + s.text)
        else:
            out.append(s)
    return out


class Hrefs:
    """How a span becomes a URL: relative to a site page, absolute on the published site, or only within the document."""

    def __init__(self, *, from_page: str = "", site_url: str = ""):
        self.from_page = from_page
        self.site_url = site_url.rstrip("/")

    def href(self, span: Span) -> str | None:
        if span.req:
            return "#" + req_anchor(span.req)
        if not span.page:
            return None
        if self.from_page:
            return site_paths.md_link(self.from_page, span.page, span.anchor)
        if self.site_url:
            return f"{self.site_url}/{site_paths.page_url(span.page)}" + (f"#{span.anchor}" if span.anchor else "")
        return None
