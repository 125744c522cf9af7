"""The supplement document, in the IHE shape, computed from the base and the amended framework.

Every volume page (profile, transaction, content module) is rendered twice by the
volumes' own views and templates: from the base, and from the framework with the
supplement applied. Pages that only the amended framework has are new chapters or
sections ("Add new Section"); pages that differ are compared section by section,
and each numbered section that changed becomes an "Amend Section" instruction
showing the section with its changes marked (:mod:`.diff`), rendered from the
merged view by the same template. So the numbers a supplement allocates (a new
option's X.2.n, a new table's number, a transaction's 3.n) are those the volumes
will have, and the text it shows is, change for change, the text they will have.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup

from ..model import STATUS_LABELS, Framework
from ..render import numbering, plain_text, site_paths, views
from ..render.narrative import render as md
from ..render.pages import render_page
from ..render.tables import DASH, Cell, Table
from .apply import Applied, apply
from .diff import has_changes, inserted, merge, word_diff
from .figures import DocFigure, FigureSet, draw, fill, tokens_in, without_tokens
from .model import Supplement, SupplementError

VOLUME_TITLES = {1: "Volume 1 \u2013 Profiles", 2: "Volume 2 \u2013 Transactions", 3: "Volume 3 \u2013 Content Modules"}
HEADING = re.compile(r"^(#{1,6}) (.+?)(?: \{ #([^}]+)\})?\s*$")
NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\s+(.*)$")
SHIFT = 2  # a page's "# title" becomes a level-3 heading under the supplement's "## Volume n"


@dataclass
class PageSection:
    level: int
    title: str  # heading text, number included
    anchor: str  # "" for the page's own title
    text: str  # the heading line and the section's own content, up to the next heading

    @property
    def number(self) -> str:
        m = NUMBERED.match(self.title)
        return m.group(1) if m else ""

    @property
    def name(self) -> str:
        m = NUMBERED.match(self.title)
        return m.group(2) if m else self.title


def split_sections(markdown: str) -> list[PageSection]:
    out: list[PageSection] = []
    for line in markdown.splitlines(keepends=True):
        m = HEADING.match(line.rstrip("\n"))
        if m:
            out.append(PageSection(len(m.group(1)), m.group(2), m.group(3) or "", line))
        elif out:
            out[-1].text += line
        else:
            out.append(PageSection(0, "", "", line))
    return out


@dataclass
class Instruction:
    volume: int
    kind: str  # "add" (a new chapter or section) or "amend"
    number: str  # section number: "10.2", or a chapter's "91"
    title: str  # section title without its number
    page: str  # the volume page's source path
    anchor: str  # the section's anchor on that page ("" for the page itself)
    after: str  # the section as the volume will read (Markdown); for a new page, the whole page
    shown: str  # what the supplement shows: the changes marked (amend) or the new text (add)
    follows: str = ""  # the section a new one is added after

    @property
    def citation(self) -> str:
        return f"TF-{self.volume}: {self.number}"


@dataclass
class SupplementDocument:
    supplement: Supplement
    base: Framework
    applied: Applied
    instructions: list[Instruction] = field(default_factory=list)
    before_pages: dict[str, str] = field(default_factory=dict)  # volume pages of the base that change
    after_pages: dict[str, str] = field(default_factory=dict)  # the same pages, and the new ones, as amended
    markdown: str = ""  # the site page: its title, the cover block, then ``body``
    body: str = ""  # the document from the Foreword on (Markdown), as print and other formats lay it out after their own cover
    figures: dict = field(default_factory=dict)  # figure id on the supplement page -> the Diagram it shows (Word draws them as PNG)
    figure_problems: list = field(default_factory=list)  # what the diagram renderer reported
    images: dict = field(default_factory=dict)  # authors' image files the document shows: site path -> bytes
    pictures: dict = field(default_factory=dict)  # authors' PNG image figures: id on the supplement page -> bytes (Word)

    @property
    def framework(self) -> Framework:
        return self.applied.framework


# --------------------------------------------------------------------------- volume pages


def volume_pages(fw: Framework, domain: str) -> dict[str, tuple[int, views.Page]]:
    with views.indexed(fw):  # who-uses-what lookups once for all pages, not a scan of every profile per page
        return _volume_pages(fw, domain)


def _volume_pages(fw: Framework, domain: str) -> dict[str, tuple[int, views.Page]]:
    out: dict[str, tuple[int, views.Page]] = {}
    for p in numbering.profiles_in_order(fw, domain):
        page = views.profile_page(fw, p)
        out[page.src] = (1, page)
    for t in numbering.transactions_in_order(fw, domain):
        page = views.transaction_page(fw, t)
        out[page.src] = (2, page)
    for c in numbering.content_in_order(fw, domain):
        page = views.content_page(fw, c)
        out[page.src] = (3, page)
    return out


def _page_number(fw: Framework, src: str) -> str:
    for p in fw.profiles.values():
        if site_paths.profile_page(p.domain, p.acronym) == src:
            return str(p.chapter)
    for t in fw.transactions.values():
        if site_paths.transaction_page(t.domain, t.id) == src:
            return numbering.transaction_section(t)
    for c in fw.content_modules.values():
        if site_paths.content_page(c.domain, c.id) == src:
            return c.section
    return ""


class Renderer:
    """Renders pages with one template environment, remembering the base's pages across supplements."""

    def __init__(self, env):
        self.env = env
        self._cache: dict[tuple[int, str], str] = {}

    def render(self, page: views.Page, fw: Framework | None = None) -> str:
        if fw is not None:
            key = (id(fw), page.src)
            if key not in self._cache:
                self._cache[key] = render_page(self.env, page)
            return self._cache[key]
        return render_page(self.env, page)


def _with_status(page: views.Page, status: str) -> views.Page:
    """``page`` labelled with ``status``: a new item is at the status of the supplement that brings it."""
    context = dict(page.context)
    if "status" in context:
        context["status"] = STATUS_LABELS[status]
    return views.Page(page.src, page.template, page.title, views.banner(status), context)


def compute_instructions(base: Framework, applied: Applied, domain: str, renderer: Renderer, status: str = "",
                         figures: FigureSet | None = None) -> tuple[list[Instruction], dict, dict]:
    """The editor instructions; ``figures`` (when given) gets the figures of the pages, which then show them as tokens."""
    new_fw = applied.framework
    before = volume_pages(base, domain)
    after = volume_pages(new_fw, domain)
    if figures is not None:
        for fw, pages in ((base, before), (new_fw, after)):
            for _volume, page in pages.values():
                figures.mark(fw, page)
    instructions: list[Instruction] = []
    before_md: dict[str, str] = {}
    after_md: dict[str, str] = {}
    def rendered(page: views.Page, fw: Framework | None = None, numbers_of: str = "") -> str:
        text = renderer.render(page, fw)
        return figures.narrative(page, text, numbers_of) if figures is not None else text

    for src, (volume, page) in after.items():
        text = rendered(page)
        if src not in before:
            after_md[src] = without_tokens(text)
            # what the supplement shows of a new page carries the supplement's status, not the one the volumes will give it
            shown_text = rendered(_with_status(page, status), numbers_of=src) if status else text
            shown = "".join(s.text for s in split_sections(shown_text) if s.level <= 1 or s.number)  # not tfpub's own indexes ("Used by")
            instructions.append(Instruction(volume, "add", _page_number(new_fw, src), page.title.split(" ", 1)[-1], src, "", without_tokens(text), shown))
            continue
        old_page = before[src][1]
        old_text = rendered(old_page, base)
        if old_text == text:
            continue
        before_md[src], after_md[src] = without_tokens(old_text), without_tokens(text)
        merged = views.Page(page.src, page.template, page.title, page.banner, merge(old_page.context, page.context))
        marked = {s.anchor: s for s in split_sections(rendered(merged, numbers_of=src))}
        old_anchors = {s.anchor for s in split_sections(old_text)}
        previous: dict[int, str] = {}
        for s in split_sections(text):
            if s.level and s.number:
                follows = previous.get(s.level, "")
                previous[s.level] = s.number
            else:
                follows = ""
            if not s.number:
                continue  # unnumbered parts (indexes such as "Used by") are not part of the volume text
            if s.anchor not in old_anchors:
                instructions.append(Instruction(volume, "add", s.number, s.name, src, s.anchor, without_tokens(s.text), s.text, follows))
            elif s.anchor in marked and has_changes(marked[s.anchor].text):
                instructions.append(Instruction(volume, "amend", s.number, s.name, src, s.anchor, without_tokens(s.text), marked[s.anchor].text))
    order = {src: i for i, src in enumerate(after)}
    instructions.sort(key=lambda i: (i.volume, order[i.page]))  # stable: sections keep their page order
    return instructions, before_md, after_md


# --------------------------------------------------------------------------- placing page text in the supplement


def _url_to_src(srcs: set[str]) -> dict[str, str]:
    return {site_paths.page_url(s): s for s in srcs}


_HREF = re.compile(r'<a href="([^"]*)"([^>]*)>(.*?)</a>', re.S)
_ATTR_ANCHOR = re.compile(r"\{ #([^}]+)\}")
_ID = re.compile(r'\bid="([^"]+)"')


def prefix_for(src: str) -> str:
    stem = posixpath.splitext(posixpath.basename(src))[0]
    return site_paths.anchor_slug(stem) + "-"


class Placer:
    """Moves page text into the supplement page: headings demoted, anchors made unique, links rewritten."""

    def __init__(self, target: str, local: dict[tuple[str, str], str], site_srcs: set[str], all_srcs: set[str]):
        self.target = target
        self.local = local  # (page, anchor) -> anchor in the supplement
        self.site_srcs = site_srcs  # pages the site has (the base's)
        self.urls = _url_to_src(all_srcs | site_srcs | {target})

    def link(self, href: str, source: str) -> str | None:
        """The link from the supplement page for ``href`` written on page ``source``; None: no such place."""
        if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I):
            return href
        path, _, frag = href.partition("#")
        base = site_paths.page_url(source)
        resolved = base
        if path:
            resolved = posixpath.normpath(posixpath.join(base or ".", path))
            resolved = "" if resolved == "." else resolved + ("/" if path.endswith("/") else "")
        src = self.urls.get(resolved)
        if src is None:
            return None
        if (src, frag) in self.local:
            return "#" + self.local[(src, frag)]
        if (src, "") in self.local and src not in self.site_srcs:
            return "#" + self.local[(src, "")]
        if src == self.target:
            return "#" + frag if frag else "#"
        if src in self.site_srcs:
            return site_paths.url_link(self.target, src, frag)
        return None

    def relink(self, text: str, source: str) -> str:
        def sub(m: re.Match) -> str:
            target = self.link(html.unescape(m.group(1)), source)
            if target is None:
                return m.group(3)
            return f'<a href="{html.escape(target)}"{m.group(2)}>{m.group(3)}</a>'

        return _HREF.sub(sub, text)

    def place(self, text: str, source: str, shift: int = SHIFT) -> str:
        prefix = prefix_for(source)
        out = []
        for line in text.splitlines():
            m = HEADING.match(line)
            if m:
                level = min(6, len(m.group(1)) + shift)
                anchor = self.local.get((source, m.group(3) or ""), prefix + (m.group(3) or "top"))
                line = f"{'#' * level} {m.group(2)} {{ #{anchor}}}"
            line = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', line)
            out.append(line)
        return self.relink("\n".join(out), source)


def nest_headings(markdown: str, base: int) -> str:
    """Headings one level below the heading they follow, never skipping one.

    A supplement shows only the sections it changes: 10.1.1.1 may follow 10.1 with
    10.1.1 not shown, and a heading two levels down reads, to a screen reader's list of
    headings, as if a level were missing. Each heading goes one below the nearest
    shown heading of a lower section level (its number still says where it is).
    ``base`` is the level of the heading the text sits under.
    """
    stack: list[tuple[int, int]] = [(base, base)]  # (level in the volume, level shown)
    out = []
    for line in markdown.splitlines():
        m = HEADING.match(line)
        if m:
            level = len(m.group(1))
            while len(stack) > 1 and stack[-1][0] >= level:
                stack.pop()
            shown = min(level, stack[-1][1] + 1)
            stack.append((level, shown))
            line = "#" * shown + line[level:]
        out.append(line)
    return "\n".join(out)


def local_anchors(instructions: list[Instruction]) -> dict[tuple[str, str], str]:
    local: dict[tuple[str, str], str] = {}
    for ins in instructions:
        prefix = prefix_for(ins.page)
        if ins.kind == "add" and ins.anchor == "":
            for s in split_sections(ins.shown):
                local[(ins.page, s.anchor)] = prefix + (s.anchor or "top")
            for m in _ID.finditer(ins.shown):
                local[(ins.page, m.group(1))] = prefix + m.group(1)
        else:
            local[(ins.page, ins.anchor)] = prefix + (ins.anchor or "top")
            for m in _ID.finditer(ins.shown):
                local[(ins.page, m.group(1))] = prefix + m.group(1)
    return local


# --------------------------------------------------------------------------- the document


def site_srcs(fw: Framework) -> set[str]:
    """Every page of the site the framework publishes."""
    out = {site_paths.HOME}
    for d in fw.domains:
        out |= {site_paths.domain_home(d), site_paths.appendix_page(d, "A"), site_paths.appendix_page(d, "B"), site_paths.appendix_page(d, "D")}
        out |= {site_paths.volume_index(d, v) for v in (1, 2, 3)}
        out |= {site_paths.index_page(d, n) for n in ("transactions", "standards")}
    out |= {site_paths.profile_page(p.domain, p.acronym) for p in fw.profiles.values()}
    out |= {site_paths.transaction_page(t.domain, t.id) for t in fw.transactions.values()}
    out |= {site_paths.content_page(c.domain, c.id) for c in fw.content_modules.values()}
    out |= {site_paths.actor_page(a.domain, a.id) for a in fw.actors.values()}
    return out


def editor_box(text: str) -> str:
    return f'<div class="tfpub-editor" role="note"><strong>Editor:</strong> {text}</div>'


def _instruction_text(ins: Instruction, domain: str) -> str:
    where = f"{domain} TF-{ins.volume}: {ins.number}"
    title = plain_text.inline(ins.title)
    if ins.kind == "add" and ins.anchor == "":
        what = {1: "chapter", 2: "section", 3: "section"}[ins.volume]
        return f"add the new {what} {where} <em>{title}</em>, as follows:"
    if ins.kind == "add":
        after = f" after Section {ins.follows}" if ins.follows else ""
        return f"add new Section {where} <em>{title}</em>{after}, as follows:"
    return f"amend Section {where} <em>{title}</em> as follows:"


def _appendix_tables(doc: SupplementDocument, page: str) -> dict[str, Table]:
    base, fw, applied = doc.base, doc.framework, doc.applied
    actors = Table("appendix-a", "", "New and modified actors", ["Actor", "Definition"])
    for actor_id in applied.new.get("actor", []):
        a = fw.actors[actor_id]
        actors.rows.append([Cell(plain_text.inline(a.name)), Cell(md(a.definition, fw, page))])
    for kind, key in sorted(applied.amended()):
        if kind == "actor" and key in base.actors and base.actors[key].definition != fw.actors[key].definition:
            actors.rows.append([Cell(plain_text.inline(fw.actors[key].name)), Cell(word_diff(md(base.actors[key].definition, base, page), md(fw.actors[key].definition, fw, page)))])
    transactions = Table("appendix-b", "", "New and modified transactions", ["Transaction", "Definition"])
    for tx_id in sorted(applied.new.get("transaction", []), key=lambda t: fw.transactions[t].number):
        t = fw.transactions[tx_id]
        transactions.rows.append([Cell(plain_text.inline(t.label)), Cell(md(t.scope, fw, page))])
    for kind, key in sorted(applied.amended()):
        if kind == "transaction" and base.transactions[key].scope != fw.transactions[key].scope:
            t = fw.transactions[key]
            transactions.rows.append([Cell(plain_text.inline(t.label)), Cell(word_diff(md(base.transactions[key].scope, base, page), md(t.scope, fw, page)))])
    glossary = Table("appendix-d", "", "New glossary terms", ["Term", "Definition", "Synonyms"])
    for term in applied.new_terms:
        glossary.rows.append([Cell(plain_text.inline(term.term)), Cell(md(term.definition, fw, page)), Cell(plain_text.inline(", ".join(term.synonyms)) or DASH)])
    for table, none in ((actors, "No new actors"), (transactions, "No new transactions"), (glossary, "No new terms")):
        if not table.rows:
            table.rows.append([Cell(none)] + [Cell("") for _ in table.headings[1:]])
    return {"actors": actors, "transactions": transactions, "glossary": glossary}


def comment_url(tracker: str, supp: Supplement, section: str) -> str:
    title = f"[{supp.id}] {section}"
    body = (
        f"Supplement: {supp.title}\nRevision {supp.revision}, {STATUS_LABELS[supp.status]}, {supp.date}\n"
        f"Section: {section}\n\nComment:\n\nProposed change:\n"
    )
    return tracker.replace("{title}", quote(title, safe="")).replace("{body}", quote(body, safe=""))


COMMENTED_FRONT = {"introduction", "open-issues", "appendix-a", "appendix-b", "appendix-d"}
COMMENTED_LEVEL = SHIFT + 2  # a page's title (###) and its numbered sections (####); deeper ones are commented there


def commented(markdown: str) -> list[int]:
    """The lines of the headings that get a comment link: one per numbered section, not one per heading.

    Those are the chapters, transactions and content modules and their first-level
    sections, every section an editor instruction adds or amends (however deep),
    and the parts of the front matter there is something to comment on. Deeper
    subsections (38.1.1.1, 3.78.4.1.2 Message Semantics) are commented through the
    section they belong to, whose comment names them by line."""
    out, after_instruction = [], False
    for n, line in enumerate(markdown.splitlines()):
        if line.startswith('<div class="tfpub-editor"'):
            after_instruction = True
            continue
        m = HEADING.match(line)
        if not m:
            continue
        level, numbered = len(m.group(1)), bool(NUMBERED.match(html.unescape(m.group(2))))
        if (numbered and (level <= COMMENTED_LEVEL or after_instruction)) or m.group(3) in COMMENTED_FRONT:
            out.append(n)
        after_instruction = False
    return out


def add_comment_links(markdown: str, tracker: str, supp: Supplement) -> str:
    """A 'comment' link under each commented section's heading (:func:`commented`), opening a prefilled issue in the tracker."""
    lines = markdown.splitlines()
    for n in reversed(commented(markdown)):
        m = HEADING.match(lines[n])
        url = comment_url(tracker, supp, html.unescape(m.group(2)))  # the heading as readers see it
        lines[n + 1 : n + 1] = ["", f'<p class="tfpub-comment"><a href="{html.escape(url)}" title="Open a public comment on this section">Comment on this section</a></p>']
    return "\n".join(lines) + "\n"


def volume_bodies(instructions: list[Instruction], after_pages: dict[str, str], placer: Placer, domain: str) -> list[dict]:
    """Per volume that changes, its title, anchor and body: the editor instructions with the new and
    amended sections placed in the document's page. Shared with the change proposals' documents."""
    volumes = []
    for volume in (1, 2, 3):
        parts: list[str] = []
        current = None
        for ins in (i for i in instructions if i.volume == volume):
            if ins.kind == "add" and ins.anchor == "":
                parts += [editor_box(_instruction_text(ins, domain)), "", placer.place(ins.shown, ins.page), ""]
                current = None
                continue
            if ins.page != current:
                current = ins.page
                if ins.anchor != "":
                    # the page's title heading: the first section with one (what the template writes before it is none)
                    title = next((s.title for s in split_sections(after_pages[ins.page]) if s.level), "")
                    parts += [f"### {title} {{ #{prefix_for(ins.page)}chapter}}", ""]
            parts += [editor_box(_instruction_text(ins, domain)), "", placer.place(ins.shown, ins.page), ""]
        if parts:
            volumes.append({"title": VOLUME_TITLES[volume], "anchor": f"volume-{volume}", "body": Markup(nest_headings("\n".join(parts), 2))})
    return volumes


def build_document(
    base: Framework,
    supp: Supplement,
    env,
    *,
    applied: Applied | None = None,
    renderer: Renderer | None = None,
    downloads: list[tuple[str, str]] | None = None,
    cache_dir: Path | None = None,
) -> SupplementDocument:
    """The supplement document for ``supp`` against ``base``: its instructions, and its page's Markdown.

    Its figures (new ones, and replacements of changed ones) are drawn by the local
    PlantUML through the diagram cache in ``cache_dir`` (default ``.tfpub-cache``, as
    the site build's). Raises :class:`SupplementError` when the supplement does not apply.
    """
    applied = applied or apply(base, supp)
    if not applied.ok:
        raise SupplementError([p for p in applied.problems if p.is_error])
    renderer = renderer or Renderer(env)
    doc = SupplementDocument(supp, base, applied)
    figures = FigureSet()
    doc.instructions, doc.before_pages, doc.after_pages = compute_instructions(base, applied, supp.domain, renderer, supp.status, figures)
    page = site_paths.supplement_page(supp.domain, supp.id)
    fw = applied.framework
    local = local_anchors(doc.instructions)
    for ins in doc.instructions:  # a figure's id, for the links to it ("Figure 38.4.1-1")
        for token in tokens_in(ins.shown):
            f = figures.by_token[token]
            local.setdefault((f.page, f.anchor), prefix_for(f.page) + f.anchor)
    placer = Placer(page, local, site_srcs(base), set(doc.after_pages))
    volumes = volume_bodies(doc.instructions, doc.after_pages, placer, supp.domain)
    context = {
        "supplement": supp,
        "domain": base.domains[supp.domain],
        "status": STATUS_LABELS[supp.status],
        "introduction": Markup(placer.relink(md(supp.introduction, fw, page), page)),
        "open_issues": [views.Section("", f"issue-{site_paths.anchor_slug(i.id)}", i.id, placer.relink(md(i.text, fw, page), page)) for i in supp.open_issues],
        "closed_issues": [views.Section("", f"issue-{site_paths.anchor_slug(i.id)}", i.id, placer.relink(md(i.text, fw, page), page)) for i in supp.closed_issues],
        "editors": supp.editors,
        "comments_due": supp.comments_due if supp.status == "public-comment" else "",
        "appendix": {k: _relinked_table(t, placer, page) for k, t in _appendix_tables(doc, page).items()},
        "volumes": volumes,
        "downloads": [Markup(f'<a href="{html.escape(site_paths.url_link(page, target))}">{plain_text.inline(label)}</a>') for label, target in (downloads or [])],
        "legend": {"added": inserted("added text"), "removed": Markup("<del>removed text</del>")},
    }
    title = supp.title
    front = render_page(env, views.Page(page, "supplement.md.j2", title, views.banner(supp.status), {**context, "part": "front"}))
    body = render_page(env, views.Page(page, "supplement.md.j2", title, views.banner(supp.status), {**context, "part": "body"}))
    tracker = base.domains[supp.domain].publishing.get("issue_tracker", "")
    if tracker.lower().startswith(("http://", "https://")) and supp.is_open:  # the schema allows http(s) only; never a script link
        body = add_comment_links(body, tracker, supp)
    doc.figure_problems = draw(figures, [body], Path(cache_dir or ".tfpub-cache").resolve())

    def figure_id(f: DocFigure) -> str:
        return prefix_for(f.page) + f.anchor

    def instruction(f: DocFigure) -> str:
        return editor_box(f"replace Figure {html.escape(f.number)} with:")

    doc.body = fill(body, figures, figure_id, placer.link, instruction, doc.figures)
    doc.images = dict(figures.images)
    for ins in doc.instructions:  # an image figure's id on the supplement page is prefixed as the page's other ids
        for fid, png in figures.pictures.items():
            doc.pictures.setdefault(prefix_for(ins.page) + fid, png)
    doc.markdown = front.rstrip("\n") + "\n\n" + doc.body
    return doc


def _relinked_table(table: Table, placer: Placer, page: str) -> Table:
    for row in table.rows:
        for cell in row:
            cell.html = Markup(placer.relink(str(cell.html), page))
    return table
