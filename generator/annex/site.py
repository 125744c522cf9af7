"""Annexes on the published site: validation for ``tfpub validate``, and the files the publisher adds.

:func:`annex_site_files` returns mkdocs source paths mapped to their content:

* ``<DOMAIN>/annexes/<id>.md`` for each annex, with the annex rendered and links
  to its downloads, which lie beside it: ``<id>.docx``, ``.xlsx``, ``.csv``, ``.json``;
* ``<DOMAIN>/annexes/index.md``, listing the domain's annexes;
* ``<DOMAIN>/annexes/builder.md``, the annex builder page, which loads
  :data:`BUILDER_JS` with a relative ``<script>`` tag and fetches the model export
  (:data:`generator.render.site_paths.EXPORT`) with a relative URL, both computed for
  mkdocs' directory URLs (``use_directory_urls: true``);
* :data:`BUILDER_JS` itself, the builder's script;
* the builder's browser libraries for Word, Excel and YAML (:mod:`.vendor`), each with
  its LICENSE, under :data:`VENDOR_FOLDER`, when the install step fetched them. Without
  them the build still works, and the builder page says what is unavailable and how to fix it.
"""

from __future__ import annotations

import hashlib
import html
import json
from importlib import resources
from pathlib import Path

from ..load.discovery import display_path, domain_dirs, inside
from ..model import STATUS_LABELS, STATUS_RANK, Framework
from ..problems import Loc, Problem, sort_problems, warning
from ..render import site_paths
from ..render.site_source import Addition
from .expand import CONFORMANCE, expand
from .links import Hrefs, project_site_url
from .office import annex_docx, annex_xlsx
from .render import (
    COMPLIANCE_CHOICES,
    REQUIREMENT_COLUMNS,
    VENDOR_COLUMNS,
    md_escape,
    names,
    to_csv,
    to_json,
    to_markdown,
)
from .selection import (
    DEFAULT_ID,
    DEFAULT_PREFIX,
    DEFAULT_TITLE,
    Annex,
    AnnexError,
    Statement,
    check_annex,
    read_annex,
    read_statement,
)
from .statement import check_statement
from .vendor import FIX, LIBRARIES, Library, installed

ANNEX_FOLDER = "annexes"
STATEMENT_FOLDER = "statements"
BUILDER_JS = "assets/tfpub-annex-builder.js"
VENDOR_FOLDER = "assets/vendor"
DOWNLOADS = [("Word (.docx)", "docx"), ("Excel compliance matrix (.xlsx)", "xlsx"), ("CSV", "csv"), ("JSON", "json")]


def index_page(domain: str) -> str:
    return f"{domain}/{ANNEX_FOLDER}/index.md"


def builder_page(domain: str) -> str:
    return f"{domain}/{ANNEX_FOLDER}/builder.md"


# --------------------------------------------------------------------------- reading and validating


def _yaml_files(folder: Path, problems: list[Problem], root: Path) -> list[Path]:
    """The .yaml files of ``folder``; a link that leaves the specs folder ``root`` is not read (discovery reports it)."""
    if not folder.is_dir() or not inside(folder, root):
        return []
    out = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file() or not inside(path, root):
            continue
        if path.suffix == ".yml":
            problems.append(warning(Loc(display_path(path)), "annex and statement files end in .yaml; rename this file so it is read", "unknown-file"))
        elif path.suffix == ".yaml":
            out.append(path)
    return out


def load_annexes(root: Path, fw: Framework) -> tuple[list[Annex], list[Problem]]:
    """Every annex under ``root/<DOMAIN>/annexes/`` that loads and checks without errors, and all problems."""
    annexes, problems = [], []
    for ddir in domain_dirs(root) if root.is_dir() else []:
        for path in _yaml_files(ddir / ANNEX_FOLDER, problems, root):
            annex, found = read_annex(path, ddir.name)
            problems += found
            if annex is None or any(p.is_error for p in found):
                continue
            checked = check_annex(fw, annex)
            problems += checked
            if any(p.is_error for p in checked):
                continue
            problems += status_warnings(fw, annex)
            annexes.append(annex)
    return annexes, problems


def load_statements(root: Path, fw: Framework) -> tuple[list[Statement], list[Problem]]:
    statements, problems = [], []
    for ddir in domain_dirs(root) if root.is_dir() else []:
        for path in _yaml_files(ddir / STATEMENT_FOLDER, problems, root):
            statement, found = read_statement(path)
            problems += found
            if statement is None or any(p.is_error for p in found):
                continue
            checked = check_statement(fw, statement)
            problems += checked
            if not any(p.is_error for p in checked):
                statements.append(statement)
    return statements, problems


def status_warnings(fw: Framework, annex: Annex) -> list[Problem]:
    """One warning per flag (retired, deprecated, or below the annex's minimum status)."""
    e = expand(fw, annex)
    where = {(s.profile, s.actor): s for s in annex.selection}
    out = []
    for r in e.requirements:
        if not r.flags:
            continue
        loc = annex.at("minimum_status")
        if len(r.subject) == 1 and r.applies_if is None:
            sel = where.get((r.subject[0].profile, r.subject[0].actor))
            if sel is not None:
                loc = sel.loc
                if r.kind == "option" and r.met_by and r.met_by[0].options:
                    option = r.met_by[0].options[-1]
                    if option in sel.options and sel.options.index(option) < len(sel.option_locs):
                        loc = sel.option_locs[sel.options.index(option)]
        for flag in r.flags:
            out.append(warning(loc, f"{r.id}: {flag} ({r.text})", "annex-status"))
    return out


def validate_annexes(root: Path, fw: Framework) -> list[Problem]:
    """Problems of every annex and integration statement under ``root`` (for ``tfpub validate``)."""
    _, problems = load_annexes(root, fw)
    _, more = load_statements(root, fw)
    return sort_problems(problems + more)


# --------------------------------------------------------------------------- site files


def builder_javascript() -> str:
    """The builder script: the shared wording and constants, then the static code."""
    constants = {
        "conformance": CONFORMANCE,
        "statusLabels": STATUS_LABELS,
        "statusRank": STATUS_RANK,
        "requirementColumns": REQUIREMENT_COLUMNS,
        "vendorColumns": VENDOR_COLUMNS,
        "complianceChoices": COMPLIANCE_CHOICES,
        "defaults": {"id": DEFAULT_ID, "title": DEFAULT_TITLE, "prefix": DEFAULT_PREFIX, "minimumStatus": "final-text"},
        "vendorFix": "the publisher can " + FIX,
    }
    code = resources.files("generator.annex").joinpath("assets/tfpub-annex-builder.js").read_text(encoding="utf-8")
    prelude = "/* Generated by tfpub: wording shared with the Python annex builder. */\nvar TFPUB_ANNEX = " + json.dumps(constants, indent=1, ensure_ascii=False) + ";\n"
    return prelude + code


def vendor_path(lib: Library, name: str) -> str:
    return f"{VENDOR_FOLDER}/{lib.folder}/{name}"


def vendored_files() -> dict[str, bytes]:
    """Site path -> content of each installed builder library and its licence (pinned hashes checked)."""
    files: dict[str, bytes] = {}
    for lib in LIBRARIES:
        found = installed(lib)
        if found is not None:
            files[vendor_path(lib, lib.script_name)], files[vendor_path(lib, "LICENSE.txt")] = found
    return files


def builder_markdown(fw: Framework, domain: str, available: list[Library] | None = None) -> str:
    """The builder page; ``available``: the vendored libraries the site carries (default: those installed)."""
    if available is None:
        available = [lib for lib in LIBRARIES if installed(lib) is not None]
    page = builder_page(domain)
    model_url = site_paths.url_link(page, site_paths.EXPORT)
    script_url = site_paths.url_link(page, BUILDER_JS)
    d = fw.domains[domain]
    missing = [lib for lib in LIBRARIES if lib not in available]
    libs = [
        f"[{md_escape(lib.name)} {md_escape(lib.version)}]({site_paths.md_link(page, vendor_path(lib, 'LICENSE.txt'))}) ({lib.spdx}, for {lib.purpose})"
        for lib in available
    ]
    notes = []
    if libs:
        notes.append("Libraries used by this page: " + "; ".join(libs) + ".")
    if missing:
        notes.append(
            '<p class="tfpub-annex-unavailable" id="tfpub-annex-unavailable">'
            + html.escape(", ".join(lib.purpose for lib in missing))
            + " unavailable: this site was built without the builder's "
            + html.escape(", ".join(f"{lib.name} {lib.version}" for lib in missing))
            + " librar" + ("y" if len(missing) == 1 else "ies") + ". The publisher fixes this: "
            + html.escape(FIX) + ".</p>"
        )
    attrs = {
        "id": "tfpub-annex-builder",
        "class": "tfpub-annex-builder",
        "data-model": model_url,
        "data-domain": domain,
    }
    div = "<div " + " ".join(f'{k}="{html.escape(v, quote=True)}"' for k, v in attrs.items()) + "></div>"
    return "\n".join(
        [
            "# Annex builder",
            "",
            f"Tick the actors a system shall (or should) implement and the options each shall support, then build the annex. "
            f"The builder expands the selection against the {md_escape(d.title)} ({md_escape(domain)} TF) Revision {md_escape(d.revision)} "
            "with the same rules as the command line (`tfpub annex build`): every transaction the actors require, their options, "
            "and every actor they must be grouped with, transitively, each traced to what required it.",
            "",
            "Everything runs in your browser; nothing is sent anywhere. The selection is kept in the page address, so "
            "reloading keeps it and the address can be shared. Load an annex YAML file, or the JSON the builder or "
            "`tfpub annex build` wrote, to start from it. Download the annex as Word, as an Excel compliance matrix, "
            "as Markdown, CSV or JSON.",
            "",
            *[x for n in notes for x in (n, "")],
            div,
            "",
            '<noscript><p>The annex builder needs JavaScript. Without it, use <code>tfpub annex build --select PROFILE:actor</code>.</p></noscript>',
            "",
            *[f'<script src="{html.escape(site_paths.url_link(page, vendor_path(lib, lib.script_name)), quote=True)}"></script>' for lib in available],
            f'<script src="{html.escape(script_url, quote=True)}"></script>',
            "",
        ]
    )


def index_markdown(fw: Framework, domain: str, annexes: list[Annex], expansions: dict) -> str:
    page = index_page(domain)
    out = [f"# {md_escape(domain)} requirement annexes", ""]
    out.append(
        "Procurement annexes list, for a selection of IHE actors, every requirement the Technical Framework implies, "
        "each traced to the requirement and table it comes from. Each annex can be downloaded as Word, as an Excel "
        "compliance matrix for vendor responses, as CSV and as JSON."
    )
    out.append("")
    if annexes:
        out += ["| Annex | Buyer | Requirements |", "| --- | --- | --- |"]
        for a in annexes:
            link = site_paths.md_link(page, site_paths.annex_page(domain, a.id))
            e = expansions[a.id]
            out.append(f"| [{md_escape(' '.join(a.title.split()))}]({link}) | {md_escape(' '.join(a.buyer.split())) or '—'} | {len(e.requirements)} |")
    else:
        out.append("No annexes are published for this domain yet.")
    out += ["", f"To make your own, use the [annex builder]({site_paths.md_link(page, builder_page(domain))}).", ""]
    return "\n".join(out)


# Word and Excel files already written, by what they are made from (see office_files).
_OFFICE: dict[str, tuple[bytes, bytes]] = {}
_OFFICE_LIMIT = 256


def office_key(e, fw: Framework, site_url: str = "") -> str:
    """What an annex's Word and Excel files are made from: the expansion, and the framework's names.

    ``annex_docx`` and ``annex_xlsx`` read nothing of the framework but the profile,
    actor and option names (``render.names``)."""
    n = names(fw)
    return hashlib.sha256(repr((e, site_url, sorted(n["profile"].items()), sorted(n["actor"].items()), sorted(n["option"].items()))).encode()).hexdigest()


def office_files(e, fw: Framework, site_url: str = "") -> tuple[bytes, bytes]:
    """(Word, Excel) of an expansion, remembered across builds (``tfpub serve`` rebuilds after each edit).

    A downloaded Word file has left the site, so its citations link to ``site_url`` (absolute), or stay text."""
    key = office_key(e, fw, site_url)
    found = _OFFICE.get(key)
    if found is None:
        found = (annex_docx(e, fw, site_url=site_url), annex_xlsx(e, fw))
        if len(_OFFICE) >= _OFFICE_LIMIT:
            _OFFICE.clear()
        _OFFICE[key] = found
    return found


def annex_site_files(fw: Framework, specs_root: Path) -> dict[str, bytes | str]:
    """mkdocs source path -> content, for every annex in the specs plus each domain's index and builder page.

    Raises :class:`AnnexError` with the problems if an annex has errors (``tfpub validate``
    reports them first, through :func:`validate_annexes`).
    """
    annexes, problems = load_annexes(Path(specs_root), fw)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise AnnexError(sort_problems(errors))
    files: dict[str, bytes | str] = {}
    site_url = project_site_url(specs_root)
    by_domain: dict[str, list[Annex]] = {d: [] for d in fw.domains}
    for a in annexes:
        by_domain.setdefault(a.domain, []).append(a)
    for domain in sorted(by_domain):
        if domain not in fw.domains:
            continue
        domain_annexes = sorted(by_domain[domain], key=lambda a: a.id)
        expansions = {}
        for a in domain_annexes:
            e = expansions[a.id] = expand(fw, a)
            page = site_paths.annex_page(domain, a.id)
            stem = page[: -len(".md")]
            downloads = [(label, site_paths.md_link(page, f"{stem}.{ext}")) for label, ext in DOWNLOADS]
            files[page] = to_markdown(e, fw, downloads, hrefs=Hrefs(from_page=page))
            files[f"{stem}.docx"], files[f"{stem}.xlsx"] = office_files(e, fw, a.output.site_url or site_url)
            files[f"{stem}.csv"] = to_csv(e)
            files[f"{stem}.json"] = to_json(e)
        files[index_page(domain)] = index_markdown(fw, domain, domain_annexes, expansions)
    vendored = vendored_files()
    available = [lib for lib in LIBRARIES if vendor_path(lib, lib.script_name) in vendored]
    for domain in sorted(d for d in by_domain if d in fw.domains):
        files[builder_page(domain)] = builder_markdown(fw, domain, available)
    files[BUILDER_JS] = builder_javascript()
    files.update(vendored)
    return files


def addition(fw: Framework, specs_root: Path) -> Addition:
    """The annexes' share of the site: their pages and downloads, and an 'Annexes' section
    (the index, the builder, then each annex) in each domain's navigation that has them."""
    files = annex_site_files(fw, specs_root)
    nav, links = [], []
    for domain in sorted(fw.domains):
        index, builder = index_page(domain), builder_page(domain)
        if index not in files:
            continue
        pages = sorted(p for p in files if p.startswith(f"{domain}/annexes/") and p.endswith(".md") and p not in (index, builder))
        nav.append((domain, {"Annexes": [index, {"Annex builder": builder}] + pages}))
        links.append((domain, "Procurement Annexes", index))
    return Addition(files=files, nav=nav, home_links=links)
