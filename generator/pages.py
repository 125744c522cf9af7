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

from . import numbering, site_paths, views
from .export import export_json
from .model import Framework

NavItem = dict | str


@dataclass
class SiteSource:
    files: dict[str, str | bytes] = field(default_factory=dict)
    nav: list[NavItem] = field(default_factory=list)
    extra_css: list[str] = field(default_factory=list)
    extra_javascript: list[str] = field(default_factory=list)


def default_templates_dir() -> Path:
    """The packaged templates: the repo's templates/ in a checkout, generator/_templates in a wheel."""
    packaged = Path(str(resources.files("generator"))) / "_templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


def environment(overrides: list[Path] | None = None) -> jinja2.Environment:
    """Templates from a framework's own folders win over the defaults, file by file."""
    dirs = [str(p) for p in (overrides or []) if p.is_dir()] + [str(default_templates_dir())]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(dirs),
        autoescape=True,  # names and titles from YAML are escaped; views mark their HTML safe
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_page(env: jinja2.Environment, page: views.Page) -> str:
    template = env.get_template(page.template)
    text = template.render(title=page.title, page_banner=page.banner, **page.context)
    return _tidy(text)


def _tidy(text: str) -> str:
    """Collapse the blank lines template logic leaves behind, so output diffs stay readable."""
    lines, blank = [], 0
    for line in text.splitlines():
        blank = blank + 1 if not line.strip() else 0
        if blank <= 1:
            lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"


# Fills the pages' figures; returns, per page, HTML for the narrative diagram placeholders.
FigureHook = Callable[[Framework, list[views.Page]], dict[str, dict[str, str]]]


def all_pages(fw: Framework) -> list[views.Page]:
    with views.indexed(fw):  # who-uses-what lookups, computed once for all pages
        return _all_pages(fw)


def _all_pages(fw: Framework) -> list[views.Page]:
    pages = [views.site_home(fw)]
    for domain in sorted(fw.domains):
        pages.append(views.domain_home(fw, domain, []))
        for volume in (1, 2, 3):
            pages.append(views.volume_index(fw, domain, volume))
        pages += [views.profile_page(fw, p) for p in numbering.profiles_in_order(fw, domain)]
        pages += [views.transaction_page(fw, t) for t in numbering.transactions_in_order(fw, domain)]
        pages += [views.content_page(fw, c) for c in numbering.content_in_order(fw, domain)]
        pages.append(views.appendix_a(fw, domain))
        pages += [views.actor_page(fw, x) for x in sorted(fw.actors.values(), key=lambda x: x.name.lower()) if x.domain == domain]
        pages += [views.appendix_b(fw, domain), views.appendix_d(fw, domain)]
        pages += [views.transactions_index(fw, domain), views.standards_index(fw, domain)]
    return pages


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
            out.append({html.escape(k, quote=False): (_escaped(v) if isinstance(v, list) else v) for k, v in item.items()})
        else:
            out.append(item)
    return out


def _navigation(fw: Framework) -> list[NavItem]:
    nav: list[NavItem] = [{"Home": site_paths.HOME}]
    for domain in sorted(fw.domains):
        profiles = [{f"{p.chapter} {p.acronym}": site_paths.profile_page(domain, p.acronym)} for p in numbering.profiles_in_order(fw, domain)]
        transactions = [{f"{t.id} {t.name}": site_paths.transaction_page(domain, t.id)} for t in numbering.transactions_in_order(fw, domain)]
        modules = [{f"{c.section} {c.name}": site_paths.content_page(domain, c.id)} for c in numbering.content_in_order(fw, domain)]
        actors = [
            {x.name: site_paths.actor_page(domain, x.id)}
            for x in sorted(fw.actors.values(), key=lambda x: x.name.lower())
            if x.domain == domain
        ]
        nav.append(
            {
                domain: [
                    site_paths.domain_home(domain),
                    {"Volume 1: Profiles": [site_paths.volume_index(domain, 1)] + profiles},
                    {"Volume 2: Transactions": [site_paths.volume_index(domain, 2)] + transactions},
                    {"Volume 3: Content Modules": [site_paths.volume_index(domain, 3)] + modules},
                    {"Actors": [site_paths.appendix_page(domain, "A")] + actors},
                    {
                        "Appendices and Indexes": [
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


def stylesheet() -> str:
    return resources.files("generator").joinpath("assets/tfpub.css").read_text(encoding="utf-8")


def _add_annexes(site: SiteSource, fw: Framework, specs_root: Path) -> None:
    """Annex pages, their downloads, and the annex builder, under each domain's 'Annexes'."""
    from .annex import site as annex_site

    files = annex_site.annex_site_files(fw, specs_root)
    site.files.update(files)
    for item in site.nav:
        if not isinstance(item, dict):
            continue
        for domain, children in item.items():
            index = annex_site.index_page(domain)
            if index not in files or not isinstance(children, list):
                continue
            pages = sorted(p for p in files if p.startswith(f"{domain}/annexes/") and p.endswith(".md") and p not in (index, annex_site.builder_page(domain)))
            children.append({"Annexes": [index, {"Annex builder": annex_site.builder_page(domain)}] + pages})


def generate(
    fw: Framework, *, template_dirs: list[Path] | None = None, figures: FigureHook | None = None, specs_root: Path | None = None
) -> SiteSource:
    """The whole site source for ``fw``. ``figures`` fills in diagrams, when that stage runs.

    ``specs_root`` (the specs folder) adds what lies beside the specs, such as supplements.
    """
    env = environment(template_dirs)
    pages = all_pages(fw)
    replacements = figures(fw, pages) if figures else {}
    # --- supplements (generator/supplements): notes on the chapters that open supplements change
    if specs_root is not None:
        from .supplements import site as supplements_site

        supplements_site.annotate_pages(fw, specs_root, pages)
    # --- end supplements
    site = SiteSource(nav=navigation(fw), extra_css=["assets/tfpub.css"])
    for page in pages:
        text = render_page(env, page)
        for placeholder, figure in replacements.get(page.src, {}).items():
            text = text.replace(placeholder, figure)
        site.files[page.src] = text
    # --- supplements: their pages, print versions and index, stylesheet and navigation
    if specs_root is not None:
        site.files.update(supplements_site.supplement_site_files(fw, specs_root, env))
        if supplements_site.STYLESHEET in site.files:
            site.extra_css.append(supplements_site.STYLESHEET)
        supplements_site.add_navigation(site.nav, fw, specs_root)
    # --- end supplements
    if specs_root is not None:
        _add_annexes(site, fw, specs_root)
    site.files[site_paths.EXPORT] = export_json(fw)
    site.files["model.schema.json"] = resources.files("generator.schemas").joinpath("export.schema.json").read_text(encoding="utf-8")
    site.files["assets/tfpub.css"] = stylesheet()
    return site
