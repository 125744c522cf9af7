"""IHE Integration Statements: render them, check them, and check them against annexes.

The layout follows Appendix F of the IHE General Introduction: who and what the
statement is about, then per Technical Framework a table of Integration
Profiles, Actors and Options implemented, then where to find more.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from ..model import Framework
from ..problems import Problem, warning
from .expand import Expander, Expansion, Requirement, Target, expand, norm
from .render import md_escape
from .selection import Annex, Selected, Statement, check_selection

IHE_INFO = "https://www.ihe.net/"
CLAIM_SENTENCE = (
    "The product named above implements every transaction that the IHE Technical Framework requires of each "
    "actor listed below, for the Integration Profiles and with the Options shown."
)


@dataclass
class ClaimRow:
    domain: str
    profile: str
    profile_name: str
    actor: str
    actor_name: str
    options: list[str]


def claim_rows(fw: Framework, statement: Statement) -> list[ClaimRow]:
    ex = Expander(fw)
    rows = []
    for s in statement.implements:
        t = ex.canonical_targets([Target(s.profile, s.actor, tuple(s.options))])[0]
        prof = fw.profiles[t.profile]
        rows.append(ClaimRow(prof.domain, t.profile, prof.name, t.actor, fw.actors[t.actor].name, [ex.option_name(t.profile, o) for o in t.options]))
    rows.sort(key=lambda r: ex.actor_rank(r.profile, r.actor))
    return rows


def _domains(fw: Framework, rows: list[ClaimRow]) -> list[tuple[str, list[ClaimRow]]]:
    out: dict[str, list[ClaimRow]] = {}
    for r in rows:
        out.setdefault(r.domain, []).append(r)
    return sorted(out.items())


def _facts(statement: Statement) -> list[tuple[str, str]]:
    facts = [("Vendor", statement.vendor), ("Product name", statement.product), ("Version", statement.version), ("Date", statement.date)]
    if statement.contact:
        facts.append(("Contact", statement.contact))
    return [(k, norm(v)) for k, v in facts]


def _links(statement: Statement) -> list[tuple[str, str, str]]:
    """(label, text, url) lines closing the statement."""
    out = []
    if statement.ihe_information_url:
        out.append(("Internet address for the vendor's IHE information", statement.ihe_information_url, statement.ihe_information_url))
    for standard, url in statement.conformance_statements:
        out.append((f"{norm(standard)} conformance statement", url, url))
    out.append(("General information on IHE", IHE_INFO, IHE_INFO))
    return out


def _framework_title(fw: Framework, domain: str) -> str:
    d = fw.domains[domain]
    return f"{d.title} ({domain} TF) Revision {d.revision}"


def statement_markdown(fw: Framework, statement: Statement) -> str:
    rows = claim_rows(fw, statement)
    out = ["# IHE Integration Statement", ""]
    for key, value in _facts(statement):
        out.append(f"- {key}: {md_escape(value)}")
    out += ["", md_escape(CLAIM_SENTENCE), ""]
    for domain, drows in _domains(fw, rows):
        out += [f"## {md_escape(_framework_title(fw, domain))}", "", "| Integration Profile | Actor | Options Implemented |", "| --- | --- | --- |"]
        for r in drows:
            out.append(f"| {md_escape(f'{r.profile_name} ({r.profile})')} | {md_escape(r.actor_name)} | {md_escape(', '.join(r.options) or 'None')} |")
        out.append("")
    out += ["## Further information", ""]
    for label, text, url in _links(statement):
        out.append(f"- {md_escape(label)}: <{url}>" if url.startswith(("http://", "https://")) and " " not in url and ">" not in url else f"- {md_escape(label)}: {md_escape(text)}")
    return "\n".join(out) + "\n"


def statement_html(fw: Framework, statement: Statement) -> str:
    h = lambda s: html.escape(s, quote=True)  # noqa: E731
    rows = claim_rows(fw, statement)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8"><title>IHE Integration Statement: ' + h(norm(statement.product)) + "</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}"
        "th{background:#eef1f5}</style></head>",
        "<body>",
        "<h1>IHE Integration Statement</h1>",
        "<ul>",
    ]
    out += [f"<li>{h(k)}: {h(v)}</li>" for k, v in _facts(statement)]
    out += ["</ul>", f"<p>{h(CLAIM_SENTENCE)}</p>"]
    for domain, drows in _domains(fw, rows):
        out += [f"<h2>{h(_framework_title(fw, domain))}</h2>", "<table>",
                "<thead><tr><th>Integration Profile</th><th>Actor</th><th>Options Implemented</th></tr></thead><tbody>"]
        for r in drows:
            out.append(f"<tr><td>{h(r.profile_name)} ({h(r.profile)})</td><td>{h(r.actor_name)}</td><td>{h(', '.join(r.options) or 'None')}</td></tr>")
        out += ["</tbody></table>"]
    out += ["<h2>Further information</h2>", "<ul>"]
    for label, text, url in _links(statement):
        out.append(f'<li>{h(label)}: <a href="{h(url)}">{h(text)}</a></li>')
    out += ["</ul>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def statement_data(fw: Framework, statement: Statement) -> dict:
    ex = Expander(fw)
    implements = []
    for s in sorted(statement.implements, key=lambda s: ex.actor_rank(s.profile, s.actor)):
        t = ex.canonical_targets([Target(s.profile, s.actor, tuple(s.options))])[0]
        implements.append({"domain": fw.profiles[t.profile].domain, "profile": t.profile, "actor": t.actor, "options": list(t.options)})
    return {
        "format": "tfpub-statement",
        "version": 1,
        "statement": {
            "id": statement.id,
            "vendor": statement.vendor,
            "product": statement.product,
            "version": statement.version,
            "date": statement.date,
            "contact": statement.contact,
            "ihe_information_url": statement.ihe_information_url,
            "conformance_statements": [{"standard": s, "url": u} for s, u in statement.conformance_statements],
        },
        "frameworks": [
            {"domain": d, "title": fw.domains[d].title, "revision": fw.domains[d].revision} for d in sorted({i["domain"] for i in implements})
        ],
        "implements": implements,
    }


def statement_json(fw: Framework, statement: Statement) -> str:
    return json.dumps(statement_data(fw, statement), indent=2, ensure_ascii=False) + "\n"


def statement_docx(fw: Framework, statement: Statement) -> bytes:
    from .office import _docx_table, _new_document, _save_docx, page_setup

    document = _new_document(f"IHE Integration Statement: {norm(statement.product)}", norm(statement.vendor), statement.date, "IHE Integration Statement")
    page_setup(document, "a4", "portrait")
    document.add_heading("IHE Integration Statement", level=0)
    for key, value in _facts(statement):
        p = document.add_paragraph(style="List Bullet")
        p.add_run(f"{key}: ").bold = True
        p.add_run(value)
    document.add_paragraph(CLAIM_SENTENCE)
    for domain, drows in _domains(fw, claim_rows(fw, statement)):
        document.add_heading(_framework_title(fw, domain), level=1)
        _docx_table(
            document,
            ["Integration Profile", "Actor", "Options Implemented"],
            [[f"{r.profile_name} ({r.profile})", r.actor_name, ", ".join(r.options) or "None"] for r in drows],
            [6.5, 5.0, 5.5],
        )
    document.add_heading("Further information", level=1)
    for label, text, _url in _links(statement):
        p = document.add_paragraph(style="List Bullet")
        p.add_run(f"{label}: ").bold = True
        p.add_run(text)
    return _save_docx(document, statement.date)


# --------------------------------------------------------------------------- checking


MET, NOT_MET, CONDITIONAL, NOT_APPLICABLE = "met", "not met", "check the condition", "not applicable"


def claims_of(statement: Statement) -> dict[tuple[str, str], set[str]]:
    return {(s.profile, s.actor): set(s.options) for s in statement.implements}


def requirement_outcome(req: Requirement, claims: dict[tuple[str, str], set[str]]) -> str:
    if req.applies_if is not None and req.applies_if not in claims:
        return NOT_APPLICABLE
    for t in req.met_by:
        have = claims.get((t.profile, t.actor))
        if have is not None and set(t.options) <= have:
            return MET
    return CONDITIONAL if req.condition else NOT_MET


@dataclass
class CheckResult:
    expansion: Expansion
    outcomes: list[tuple[Requirement, str]]

    @property
    def unmet(self) -> list[Requirement]:
        return [r for r, o in self.outcomes if o == NOT_MET]

    @property
    def unmet_shall(self) -> list[Requirement]:
        return [r for r in self.unmet if r.level == "SHALL"]


def check_statement_against(expansion: Expansion, statement: Statement) -> CheckResult:
    claims = claims_of(statement)
    return CheckResult(expansion, [(r, requirement_outcome(r, claims)) for r in expansion.requirements])


def format_check(result: CheckResult, statement: Statement) -> str:
    annex = result.expansion.annex
    lines = [f"{norm(statement.product)} {norm(statement.version)} ({norm(statement.vendor)}) against {annex.id}: {norm(annex.title)}"]
    for label in (MET, NOT_MET, CONDITIONAL, NOT_APPLICABLE):
        rows = [r for r, o in result.outcomes if o == label]
        if not rows:
            continue
        lines.append("")
        lines.append(f"{label.capitalize()} ({len(rows)}):")
        for r in rows:
            lines.append(f"  {r.id} {r.level:<6} {r.text}")
    counts = {label: sum(o == label for _, o in result.outcomes) for label in (MET, NOT_MET, CONDITIONAL, NOT_APPLICABLE)}
    lines.append("")
    lines.append(
        f"{counts[MET]} met, {counts[NOT_MET]} not met ({len(result.unmet_shall)} SHALL), "
        f"{counts[CONDITIONAL]} to check by hand, {counts[NOT_APPLICABLE]} not applicable"
    )
    return "\n".join(lines)


def check_json(result: CheckResult, statement: Statement) -> str:
    data = {
        "annex": result.expansion.annex.id,
        "statement": statement.id,
        "results": [{"id": r.id, "level": r.level, "outcome": o, "text": r.text} for r, o in result.outcomes],
        "summary": {label: sum(o == label for _, o in result.outcomes) for label in (MET, NOT_MET, CONDITIONAL, NOT_APPLICABLE)},
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def check_statement(fw: Framework, statement: Statement) -> list[Problem]:
    """Errors for claims that do not exist; warnings for what the claims imply but the statement leaves out."""
    problems = check_selection(fw, statement.implements, "statement")
    if problems:
        return problems
    annex = Annex(statement.id, statement.product, "S", [Selected(s.profile, s.actor, list(s.options), "SHALL", s.loc) for s in statement.implements],
                  minimum_status="trial-implementation", loc=statement.loc)
    result = check_statement_against(expand(fw, annex), statement)
    ids = {r.id: r for r in result.expansion.requirements}
    for r in result.unmet:
        if r.level != "SHALL":
            continue
        origin = ids.get(r.sources[0].from_id) if r.sources and r.sources[0].from_id else None
        why = f", required through {r.sources[0].via} by {origin.subject_title}" if origin else ""
        problems.append(
            warning(
                statement.doc.loc(("implements",), key=True) if statement.doc else statement.loc,
                f"the statement does not claim what its claims require: {r.text.rstrip('.')}{why}; "
                "add the claim (a product that claims an actor implements its required groupings and options)",
                "statement-incomplete",
            )
        )
    return problems
