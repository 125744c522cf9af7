"""Text outputs of an expanded annex: Markdown, HTML, CSV and JSON.

Markdown, CSV and JSON are also written by the builder page in the browser, so
their layout is deliberately plain and must stay byte-identical to
``assets/tfpub-annex-builder.js``. Every text that came from YAML is escaped.
"""

from __future__ import annotations

import csv
import html
import io
import json

from ..model import STATUS_LABELS
from .expand import CONFORMANCE, Expansion, Requirement, Target, norm

FORMAT = "tfpub-annex"
VERSION = 1
REQUIREMENT_COLUMNS = ["Requirement ID", "Level", "Subject", "Requirement", "Source", "Reference", "Flags"]
VENDOR_COLUMNS = [
    "Compliance",
    "Roadmap date",
    "Product and version",
    "Integration statement link",
    "Evidence (Connectathon or test report)",
    "Comments",
]
COMPLIANCE_CHOICES = ["Compliant", "Partial", "Not compliant", "Planned"]
_MD_SPECIAL = "\\`*_[]|#{}"  # {} : attr_list (the site enables it), which could add attributes such as onerror


def md_escape(text: str) -> str:
    """Text shown as written by any Markdown renderer: no markup, links or raw HTML."""
    out = []
    for ch in text:
        if ch in _MD_SPECIAL:
            out.append("\\" + ch)
        elif ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        else:
            out.append(ch)
    return "".join(out)


def paragraphs(text: str) -> list[str]:
    """Plain-text paragraphs, separated by blank lines, each on one line."""
    out, current = [], []
    for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip(" \t"):
            current.append(line)
        elif current:
            out.append(norm(" ".join(current)))
            current = []
    if current:
        out.append(norm(" ".join(current)))
    return [p for p in out if p]


def framework_line(e: Expansion) -> str:
    return "; ".join(f"{f.title} ({f.domain} TF) Revision {f.revision}, {f.date}" for f in e.frameworks)


def id_range(e: Expansion) -> str:
    if not e.requirements:
        return ""
    return f"{e.requirements[0].id} to {e.requirements[-1].id}"


def facts_lines(e: Expansion) -> list[tuple[str, str]]:
    shall, should = e.counts()
    lines = []
    if e.annex.buyer:
        lines.append(("Buyer", norm(e.annex.buyer)))
    lines.append(("Framework", framework_line(e)))
    lines.append(("Minimum status", STATUS_LABELS[e.annex.minimum_status]))
    lines.append(("Requirements", f"{len(e.requirements)} ({shall} SHALL, {should} SHOULD), {id_range(e)}"))
    return lines


def selection_rows(e: Expansion, fw_names: dict) -> list[list[str]]:
    """[profile, actor, options, level] for each selected actor, in canonical order."""
    rows = []
    for t, level in e.selection:
        prof_name, actor_name, option_names = fw_names["profile"][t.profile], fw_names["actor"][t.actor], [fw_names["option"][(t.profile, o)] for o in t.options]
        rows.append([f"{prof_name} ({t.profile})", actor_name, ", ".join(option_names) or "None", level])
    return rows


def names(fw) -> dict:
    return {
        "profile": {p.acronym: p.name for p in fw.profiles.values()},
        "actor": {a.id: a.name for a in fw.actors.values()},
        "option": {(p.acronym, o.id): o.name for p in fw.profiles.values() for o in p.options},
    }


def by_subject(e: Expansion) -> list[tuple[str, list[Requirement]]]:
    groups: list[tuple[str, list[Requirement]]] = []
    index: dict[str, int] = {}
    for r in e.requirements:
        if r.subject_key not in index:
            index[r.subject_key] = len(groups)
            groups.append((r.subject_title, []))
        groups[index[r.subject_key]][1].append(r)
    return groups


# --------------------------------------------------------------------------- Markdown


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def to_markdown(e: Expansion, fw, downloads: list[tuple[str, str]] | None = None) -> str:
    n = names(fw)
    out = [f"# {md_escape(norm(e.annex.title))}", ""]
    if downloads:
        out += ["Download: " + " · ".join(f"[{label}]({href})" for label, href in downloads), ""]
    for key, value in facts_lines(e):
        out.append(f"- {key}: {md_escape(value)}")
    out.append("")
    for p in paragraphs(e.annex.introduction):
        out += [md_escape(p), ""]
    out += ["## Conformance", ""]
    for p in CONFORMANCE:
        out += [md_escape(p), ""]
    out += ["## Selection", "", _row(["Profile", "Actor", "Options", "Level"]), _row(["---"] * 4)]
    for row in selection_rows(e, n):
        out.append(_row([md_escape(c) for c in row]))
    out += ["", "## Requirements", ""]
    for title, reqs in by_subject(e):
        out += [f"### {md_escape(title)}", "", _row(["ID", "Level", "Requirement", "Source", "Flags"]), _row(["---"] * 5)]
        for r in reqs:
            out.append(_row([r.id, r.level, md_escape(r.text), md_escape(r.provenance), md_escape("; ".join(r.flags))]))
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#1b1b1b}
table{border-collapse:collapse;width:100%;margin:0 0 1.5rem}
th,td{border:1px solid #bbb;padding:.3rem .5rem;vertical-align:top;text-align:left}
th{background:#eef1f5}
td.id,td.level{white-space:nowrap}
.flags{color:#8a1c00}
""".strip()


def to_html(e: Expansion, fw) -> str:
    n = names(fw)
    h = lambda s: html.escape(s, quote=True)  # noqa: E731
    title = h(norm(e.annex.title))
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{title}</h1>",
        "<ul>",
    ]
    for key, value in facts_lines(e):
        out.append(f"<li>{h(key)}: {h(value)}</li>")
    out.append("</ul>")
    for p in paragraphs(e.annex.introduction):
        out.append(f"<p>{h(p)}</p>")
    out.append("<h2>Conformance</h2>")
    for p in CONFORMANCE:
        out.append(f"<p>{h(p)}</p>")
    out += ["<h2>Selection</h2>", "<table>", "<thead><tr><th>Profile</th><th>Actor</th><th>Options</th><th>Level</th></tr></thead>", "<tbody>"]
    for row in selection_rows(e, n):
        out.append("<tr>" + "".join(f"<td>{h(c)}</td>" for c in row) + "</tr>")
    out += ["</tbody>", "</table>", "<h2>Requirements</h2>"]
    for title_, reqs in by_subject(e):
        out += [f"<h3>{h(title_)}</h3>", "<table>", "<thead><tr><th>ID</th><th>Level</th><th>Requirement</th><th>Source</th><th>Flags</th></tr></thead>", "<tbody>"]
        for r in reqs:
            out.append(
                f'<tr id="{h(r.id)}"><td class="id">{h(r.id)}</td><td class="level">{h(r.level)}</td><td>{h(r.text)}</td>'
                f'<td>{h(r.provenance)}</td><td class="flags">{h("; ".join(r.flags))}</td></tr>'
            )
        out += ["</tbody>", "</table>"]
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- CSV


def safe_cell(text: str) -> str:
    """Keep spreadsheets from reading a cell as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def matrix_rows(e: Expansion) -> list[list[str]]:
    return [
        [r.id, r.level, r.subject_title, r.text, r.provenance, r.reference, "; ".join(r.flags)] + [""] * len(VENDOR_COLUMNS)
        for r in e.requirements
    ]


def to_csv(e: Expansion) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(REQUIREMENT_COLUMNS + VENDOR_COLUMNS)
    for row in matrix_rows(e):
        writer.writerow([safe_cell(c) for c in row])
    return buf.getvalue()


# --------------------------------------------------------------------------- JSON


def _target(t: Target) -> dict:
    return {"profile": t.profile, "actor": t.actor, "options": list(t.options)}


def _selected(e: Expansion, t: Target, level: str) -> dict:
    """A selection entry; "transactions" only when the selection requires some by name."""
    out = _target(t) | {"level": level}
    txs = e.transactions.get((t.profile, t.actor))
    if txs:
        out["transactions"] = list(txs)
    return out


def to_data(e: Expansion) -> dict:
    a = e.annex
    return {
        "format": FORMAT,
        "version": VERSION,
        "annex": {
            "id": a.id,
            "title": a.title,
            "buyer": a.buyer,
            "prefix": a.prefix,
            "domain": e.domain,
            "revision": a.revision or e.revision,
            "minimum_status": a.minimum_status,
            "introduction": a.introduction,
        },
        "frameworks": [{"domain": f.domain, "title": f.title, "revision": f.revision, "date": f.date, "status": f.status} for f in e.frameworks],
        "conformance": list(CONFORMANCE),
        "selection": [_selected(e, t, level) for t, level in e.selection],
        "requirements": [
            {
                "id": r.id,
                "level": r.level,
                "kind": r.kind,
                "subject": [_target(t) for t in r.subject],
                "text": r.text,
                "reference": r.reference,
                "sources": [{"from": s.from_id, "via": s.via} for s in r.sources],
                "provenance": r.provenance,
                "flags": list(r.flags),
                "condition": r.condition,
                "applies_if": None if r.applies_if is None else {"profile": r.applies_if[0], "actor": r.applies_if[1]},
                "met_by": [_target(t) for t in r.met_by],
            }
            for r in e.requirements
        ],
    }


def to_json(e: Expansion) -> str:
    return json.dumps(to_data(e), indent=2, ensure_ascii=False) + "\n"
