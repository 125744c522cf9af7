"""Render every page of the site from the model: the pure heart of publishing.

``generate(framework)`` returns the whole site source (Markdown pages, the model
export, stylesheets) as a mapping from mkdocs source paths to content, plus the
navigation. mkdocs only turns that into HTML; it never reads the specs itself.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable

import jinja2
from markupsafe import Markup

from ..diagrams import model_diagrams
from ..fingerprint import fingerprint
from ..model import Framework
from . import (
    author_figures,
    grouping,
    numbering,
    plain_text,
    site_paths,
    templating,
    views,
)
from .export import export_json
from .figures import figures_in, images_of, taken_numbers
from .site_source import FIGURE_FILES, Addition, NavItem, SiteSource

__all__ = ["Addition", "Incremental", "SiteSource", "environment", "generate", "navigation", "render_page"]


def default_templates_dir() -> Path:
    """The packaged templates: the repo's templates/ in a checkout, generator/_templates in a wheel."""
    packaged = Path(str(resources.files("generator"))) / "_templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def environment(overrides: list[Path] | None = None) -> jinja2.Environment:
    """Templates from a framework's own folders win over the defaults, file by file.

    Overrides are untrusted, so every template runs sandboxed (render/templating.py)."""
    folders = [p for p in (overrides or []) if p.is_dir()] + [default_templates_dir()]
    # names and titles from YAML are escaped, and written so that Markdown cannot parse them either
    return templating.environment(folders, finalize=plain_text.finalize)


def render_page(env: jinja2.Environment, page: views.Page) -> str:
    """The page's Markdown; a template that fails raises templating.TemplateFailure (a located problem)."""
    text = templating.render(env, page.template, title=page.title, page_banner=page.banner, **page.context)
    return _with_search_data(page, _tidy(text))


def _with_search_data(page: views.Page, text: str) -> str:
    """What the search index needs beyond the visible page, added outside the templates so an
    overridden template keeps it: the page's boost (front matter, read by Material's search)
    and the id's other spellings, in a ``hidden`` paragraph at the end of the page's opening
    section (indexed with it; neither shown nor read out by screen readers)."""
    if page.search_aliases:
        aliases = '<p class="tfpub-search-aliases" hidden>' + html.escape(" ".join(page.search_aliases)) + "</p>\n"
        at = text.find("\n## ")
        text = text + "\n" + aliases if at < 0 else text[: at + 1] + aliases + text[at:]
    if page.search_boost is not None:
        text = f"---\nsearch:\n  boost: {page.search_boost:g}\n---\n\n" + text
    return text


def _tidy(text: str) -> str:
    """Collapse the blank lines template logic leaves behind, so output diffs stay readable."""
    lines, blank = [], 0
    for line in text.splitlines():
        blank = blank + 1 if not line.strip() else 0
        if blank <= 1:
            lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"


# Fills the pages' figures; returns, per page, HTML for the narrative diagram placeholders.
# In ``tfpub serve`` it is also given ``model_diagrams=``, the model diagrams already computed.
FigureHook = Callable[[Framework, list[views.Page]], dict[str, dict[str, str]]]


def all_pages(fw: Framework, home_links: dict[str, list[tuple[str, str]]] | None = None) -> list[views.Page]:
    with views.indexed(fw):  # who-uses-what lookups, computed once for all pages
        return _all_pages(fw, home_links)


def _all_pages(fw: Framework, home_links=None) -> list[views.Page]:
    return [make() for _src, _own, make in page_plan(fw, home_links)]


PlanEntry = tuple  # (src, the entity the page is about as (kind, id) or None, a function that computes the Page)


def page_plan(fw: Framework, home_links: dict[str, list[tuple[str, str]]] | None = None) -> list[PlanEntry]:
    """Every page of the framework, in order, before any is computed.

    ``home_links``: per domain, the (text, source path) links the later stages add to its home page."""
    home_links = home_links or {}
    plan: list[PlanEntry] = [(site_paths.HOME, None, lambda: views.site_home(fw))]
    for domain in sorted(fw.domains):
        d = domain
        plan.append((site_paths.domain_home(d), ("domain", d), lambda d=d: views.domain_home(fw, d, home_links.get(d, []))))
        for volume in (1, 2, 3):
            plan.append((site_paths.volume_index(d, volume), ("domain", d), lambda d=d, v=volume: views.volume_index(fw, d, v)))
        plan += [(site_paths.profile_page(d, p.acronym), ("profile", p.acronym), lambda p=p: views.profile_page(fw, p)) for p in numbering.profiles_in_order(fw, d)]
        plan += [(site_paths.transaction_page(d, t.id), ("transaction", t.id), lambda t=t: views.transaction_page(fw, t)) for t in numbering.transactions_in_order(fw, d)]
        plan += [(site_paths.content_page(d, c.id), ("content", c.id), lambda c=c: views.content_page(fw, c)) for c in numbering.content_in_order(fw, d)]
        plan.append((site_paths.appendix_page(d, "A"), ("domain", d), lambda d=d: views.appendix_a(fw, d)))
        plan += [
            (site_paths.actor_page(d, x.id), ("actor", x.id), lambda x=x: views.actor_page(fw, x))
            for x in sorted(fw.actors.values(), key=lambda x: x.name.lower())
            if x.domain == d
        ]
        plan += [
            (site_paths.appendix_page(d, "B"), ("domain", d), lambda d=d: views.appendix_b(fw, d)),
            (site_paths.appendix_page(d, "D"), ("domain", d), lambda d=d: views.appendix_d(fw, d)),
        ]
        plan += [
            (site_paths.index_page(d, "transactions"), ("domain", d), lambda d=d: views.transactions_index(fw, d)),
            (site_paths.index_page(d, "standards"), ("domain", d), lambda d=d: views.standards_index(fw, d)),
        ]
    return plan


# --------------------------------------------------------------------------- tfpub serve: only the pages a change reaches

_TABLES = {"domains": "domain", "actors": "actor", "transactions": "transaction", "profiles": "profile", "content_modules": "content", "standards": "standard"}


class _Noted(dict):
    """A table of the model that notes, while a page is computed, which entries the page reads."""

    def __init__(self, kind: str, data: dict):
        super().__init__(data)
        self.kind = kind

    def __getitem__(self, key):
        views.note(self.kind, key)
        return dict.__getitem__(self, key)

    def get(self, key, default=None):
        views.note(self.kind, key)
        return dict.get(self, key, default)

    def __contains__(self, key):
        views.note(self.kind, key)
        return dict.__contains__(self, key)

    def __iter__(self):
        views.note(self.kind, "*")
        return dict.__iter__(self)

    def __len__(self):
        views.note(self.kind, "*")
        return dict.__len__(self)

    def keys(self):
        views.note(self.kind, "*")
        return dict.keys(self)

    def values(self):
        views.note(self.kind, "*")
        return dict.values(self)

    def items(self):
        views.note(self.kind, "*")
        return dict.items(self)


class _NotedList(list):
    def __iter__(self):
        views.note("glossary", "*")
        return list.__iter__(self)

    def __len__(self):
        views.note("glossary", "*")
        return list.__len__(self)


@dataclass
class Incremental:
    """What ``tfpub serve`` keeps between builds to compute again only the pages a change reaches.

    Each page's reads of the model are noted while it is computed (entities by id,
    whole tables, who-uses-what lists, its diagrams). On the next build the model is
    compared with the previous one, entity by entity; a page none of whose reads
    changed keeps its Markdown. Anything this cannot follow (templates, a page that
    is new) computes the page again.
    """

    tables: dict = field(default_factory=dict)  # kind -> {id: entity} of the previous build
    glossary: list = field(default_factory=list)
    signatures: dict = field(default_factory=dict)  # who-uses-what lists of the previous build
    diagrams: dict = field(default_factory=dict)  # diagram key -> PlantUML source
    pages: dict = field(default_factory=dict)  # src -> (reads, Markdown)
    figure_files: dict = field(default_factory=dict)  # src -> {site path: SVG}, its figures' full-size pictures
    notes: dict = field(default_factory=dict)  # (kind, id) -> the supplements' notes on that page, as last shown
    images: dict = field(default_factory=dict)  # src -> the authors' image files the page shows (site path -> bytes)
    templates: str = ""
    computed: int = 0
    reused: int = 0

    def changes(self, fw: Framework, signatures: dict, diagrams: dict) -> dict[str, set]:
        changed: dict[str, set] = {}
        for attr, kind in _TABLES.items():
            old, new = self.tables.get(kind, {}), getattr(fw, attr)
            keys = set(old.keys() ^ new.keys())
            keys.update(k for k in new.keys() & old.keys() if old[k] is not new[k] and old[k] != new[k])
            changed[kind] = keys
        changed["glossary"] = {"*"} if self.glossary != fw.glossary else set()
        for name, new_sig in signatures.items():
            old_sig = self.signatures.get(name, {})
            changed[name] = {k for k in old_sig.keys() | new_sig.keys() if old_sig.get(k) != new_sig.get(k)}
        changed["diagram"] = {k for k in self.diagrams.keys() | diagrams.keys() if self.diagrams.get(k) != diagrams.get(k)}
        return changed

    @staticmethod
    def stale(reads: frozenset, changed: dict[str, set]) -> bool:
        for kind, key in reads:
            keys = changed.get(kind)
            if keys and (key in keys or key == "*" or "*" in keys):
                return True
        return False


def _incremental_pages(
    fw: Framework, state: Incremental, templates: str, notes: dict | None = None, home_links: dict | None = None
) -> tuple[list[views.Page], dict[str, str], dict[str, frozenset], dict, list]:
    """(pages computed, Markdown kept from the last build by src, reads of the computed pages, the
    model as this build saw it, the model diagrams). ``state`` is not changed: the caller commits once the build succeeded.

    ``notes``: the open supplements' notes on profile and transaction pages, (kind, id) -> notes;
    a page whose notes changed is computed again."""
    notes = notes or {}
    with views.indexed(fw):
        index = views.active_index()
        signatures = index.signatures()
        model = model_diagrams(fw)  # computed once per build: the figure stage takes them too
        diagrams = {d.key: d.source for d in model}
        full = templates != state.templates or not state.pages
        changed = {} if full else state.changes(fw, signatures, diagrams)
        plan = page_plan(fw, home_links)
        kept: dict[str, str] = {}
        todo = []
        for src, own, make in plan:
            old = state.pages.get(src)
            if (
                not full
                and old is not None
                and not state.stale(old[0], changed)
                and not (own and own[1] in changed.get(own[0], ()))
                and not (own and notes.get(own) != state.notes.get(own))
            ):
                kept[src] = old[1]
            else:
                todo.append((src, own, make))
        saved = {attr: getattr(fw, attr) for attr in _TABLES}
        glossary = fw.glossary
        pages, reads = [], {}
        try:
            for attr, kind in _TABLES.items():
                setattr(fw, attr, _Noted(kind, saved[attr]))
            fw.glossary = _NotedList(glossary)
            for src, own, make in todo:
                views.READS = set()
                try:
                    page = make()
                finally:
                    noted, views.READS = views.READS, None
                if own:
                    noted.add(own)
                noted.update(("diagram", f.key) for f in figures_in(page.context) if isinstance(f, views.Figure))
                if page.src != src:  # the plan and the views disagree: compute everything next time
                    noted.add(("domain", "*"))
                pages.append(page)
                reads[page.src] = frozenset(noted)
        finally:
            for attr in _TABLES:
                setattr(fw, attr, saved[attr])
            fw.glossary = glossary
    snapshot = {
        "tables": {kind: dict(saved[attr]) for attr, kind in _TABLES.items()},
        "glossary": list(glossary),
        "signatures": signatures,
        "diagrams": diagrams,
        "templates": templates,
        "notes": dict(notes),
    }
    return pages, kept, reads, snapshot, model


def navigation(fw: Framework) -> list[NavItem]:
    """Nested by domain and volume: with navigation.prune each page carries only its branch.

    Themes print navigation titles as HTML, unescaped, so titles taken from the
    specs are escaped here.
    """
    return _escaped(_navigation(fw))


def _escaped(nav: list[NavItem]) -> list[NavItem]:
    out: list[NavItem] = []
    for item in nav:
        if isinstance(item, dict):
            out.append({plain_text.html_text(k): (_escaped(v) if isinstance(v, list) else v) for k, v in item.items()})
        else:
            out.append(item)
    return out


def _navigation(fw: Framework) -> list[NavItem]:
    nav: list[NavItem] = [{"Home": site_paths.HOME}]
    for domain in sorted(fw.domains):
        profiles = [
            {g.title: [{f"{p.chapter} {p.acronym}": site_paths.profile_page(domain, p.acronym)} for p in g.profiles]}
            for g in grouping.profile_groups(fw, domain)
        ]
        transactions = _in_runs(
            numbering.transactions_in_order(fw, domain),
            lambda t: t.id,
            lambda t: {f"{t.id} {t.name}": site_paths.transaction_page(domain, t.id)},
        )
        modules = [{f"{c.section} {c.name}": site_paths.content_page(domain, c.id)} for c in numbering.content_in_order(fw, domain)]
        actors = _in_runs(
            [x for x in sorted(fw.actors.values(), key=lambda x: x.name.lower()) if x.domain == domain],
            lambda x: x.name,
            lambda x: {x.name: site_paths.actor_page(domain, x.id)},
        )
        nav.append(
            {
                domain: [
                    site_paths.domain_home(domain),
                    {"Volume 1: Profiles": [site_paths.volume_index(domain, 1)] + profiles},
                    {"Volume 2: Transactions": [site_paths.volume_index(domain, 2)] + transactions},
                    {"Volume 3: Content Modules": [site_paths.volume_index(domain, 3)] + modules},
                    *([{"Actors": actors}] if actors else []),
                    {
                        "Appendices and Indexes": [
                            site_paths.appendix_page(domain, "A"),  # the section opens on Appendix A
                            {"Appendix B: Transactions": site_paths.appendix_page(domain, "B")},
                            {"Appendix D: Glossary": site_paths.appendix_page(domain, "D")},
                            {"Index of Transactions": site_paths.index_page(domain, "transactions")},
                            {"Index of Standards": site_paths.index_page(domain, "standards")},
                        ]
                    },
                ]
            }
        )
    return nav


def _in_runs(entries: list, label, item) -> list[NavItem]:
    """Navigation entries, cut into titled runs when there are many (``grouping.runs``)."""
    out: list[NavItem] = []
    for title, chunk in grouping.runs(entries, label):
        items = [item(e) for e in chunk]
        if title:
            out.append({title: items})
        else:
            out.extend(items)
    return out


def stylesheet() -> str:
    return resources.files("generator").joinpath("assets/tfpub.css").read_text(encoding="utf-8")


def generate(
    fw: Framework,
    *,
    template_dirs: list[Path] | None = None,
    env: jinja2.Environment | None = None,
    figures: FigureHook | None = None,
    incremental: Incremental | None = None,
    additions: list[Addition] | tuple[Addition, ...] = (),
) -> SiteSource:
    """The whole site source for ``fw``. ``figures`` fills in diagrams, when that stage runs.

    ``additions`` are what the stages above the volumes contribute (supplements,
    annexes; see ``publish.site_source``): their notes on volume pages, their files,
    stylesheets and navigation. ``incremental`` (``tfpub serve``) keeps the Markdown
    of the pages the change since the last call with the same state does not reach;
    the result is the same.
    """
    env = env or environment(template_dirs)
    kept: dict[str, str] = {}
    known_diagrams = None  # the model diagrams, when the incremental check computed them already
    notes: dict[tuple[str, str], list[str]] = {}
    home_links: dict[str, list[tuple[str, str]]] = {}
    for addition in additions:
        for key, found in addition.notes.items():
            notes.setdefault(key, []).extend(found)
        for domain, text, target in addition.home_links:
            home_links.setdefault(domain, []).append((text, target))
    if incremental is None:
        pages = all_pages(fw, home_links)
    else:
        templates = fingerprint(default_templates_dir(), *(template_dirs or []))
        # a domain home's links are a page input like notes: a change computes the home again
        tracked = notes | {("domain", d): [f"{t}\0{s}" for t, s in links] for d, links in home_links.items()}
        pages, kept, reads, snapshot, known_diagrams = _incremental_pages(fw, incremental, templates, tracked, home_links)
        planned = [src for src, _own, _make in page_plan(fw, home_links)]
        if {page.src for page in pages} | kept.keys() != set(planned) or len(pages) + len(kept) != len(planned):
            incremental.__init__()  # the plan and the views disagree: build whole, and start afresh
            return generate(fw, template_dirs=template_dirs, env=env, figures=figures, additions=additions)
    if not figures:
        replacements = {}
    elif known_diagrams is not None:
        replacements = figures(fw, pages, model_diagrams=known_diagrams)
    else:
        replacements = figures(fw, pages)
    figure_files = replacements.pop(FIGURE_FILES, {})  # page source -> {site path: SVG} (figures.add_figures)
    _annotate(pages, notes)
    site = SiteSource(nav=navigation(fw), extra_css=["assets/tfpub.css"])
    rendered, images = {}, {}
    for page in pages:
        text = render_page(env, page)
        for placeholder, figure in replacements.get(page.src, {}).items():
            text = text.replace(placeholder, figure)
        rendered[page.src] = author_figures.number_page(text, taken_numbers(page.context))
        images[page.src] = images_of(page)
    if incremental is None:
        site.files.update(rendered)
        for by_path in figure_files.values():
            site.files.update(by_path)
    else:
        for src in planned:
            site.files[src] = rendered[src] if src in rendered else kept[src]
            site.files.update(figure_files.get(src, {}) if src in rendered else incremental.figure_files.get(src, {}))
        images = {src: images.get(src, incremental.images.get(src, {})) for src in planned}
    for by_path in images.values():  # authors' images, beside the pages that show them
        site.files.update(by_path)
    for addition in additions:
        site.files.update(addition.files)
        site.extra_css.extend(css for css in addition.extra_css if css not in site.extra_css)
        _extend_navigation(site.nav, addition.nav)
    site.files[site_paths.EXPORT] = export_json(fw)
    site.files["model.schema.json"] = resources.files("generator.schemas").joinpath("export.schema.json").read_text(encoding="utf-8")
    site.files["assets/tfpub.css"] = stylesheet()
    if incremental is not None:  # the build succeeded: remember it
        incremental.pages = {src: (reads[src], rendered[src]) for src in rendered} | {src: incremental.pages[src] for src in kept}
        incremental.figure_files = {src: figure_files.get(src, {}) for src in rendered} | {src: incremental.figure_files.get(src, {}) for src in kept}
        for name, value in snapshot.items():
            setattr(incremental, name, value)
        incremental.computed, incremental.reused = len(rendered), len(kept)
        incremental.images = images
    return site


def _annotate(pages: list[views.Page], notes: dict[tuple[str, str], list[str]]) -> None:
    """Give each profile and transaction page the notes handed in for it (``updated_by``)."""
    for page in pages:
        if page.template == "profile.md.j2":
            key = ("profile", page.context["profile"].acronym)
        elif page.template == "transaction.md.j2":
            key = ("transaction", page.context["tx"].id)
        else:
            continue
        page.context["updated_by"] = [Markup(n) for n in notes.get(key, [])]


def _extend_navigation(nav: list[NavItem], entries: list[tuple[str, NavItem]]) -> None:
    """Append each (domain, entry) to that domain's section of the navigation."""
    for domain, entry in entries:
        for item in nav:
            if isinstance(item, dict) and isinstance(item.get(domain), list):
                item[domain].append(entry)
