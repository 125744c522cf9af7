"""What an annex or an integration statement selects, and how it is read and checked.

An annex comes from a YAML file under ``specs/<DOMAIN>/annexes/``, from the
command line (``--select XDS.b:document-consumer[option]``) or from the JSON an
annex build (or the builder page) wrote. All three become the same
:class:`Annex`, checked against the model by :func:`check_annex`, which lists
the valid choices whenever a selection names something that does not exist.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..load.discovery import display_path
from ..load.schema_check import check_document
from ..load.yaml_loader import Document, load_file, text_problem
from ..model import Framework, Profile
from ..problems import Loc, Problem, error, warning

LEVELS = ("SHALL", "SHOULD")
MINIMUM_STATUSES = ("final-text", "trial-implementation")
DEFAULT_TITLE = "IHE requirements annex"
DEFAULT_PREFIX = "REQ"
DEFAULT_ID = "annex"
_PREFIX_RE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
_SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_TX_RE = re.compile(r"^[A-Z][A-Z0-9]{1,11}-[0-9]{1,5}$")  # a transaction id (ITI-65), as profile.schema.json has it
_SELECT_RE = re.compile(r"^\s*([^:\[\]\s]+)\s*:\s*([^:\[\]\s]+)\s*(?:\[([^\]]*)\])?\s*$")


@dataclass
class Selected:
    """One (profile, actor, options) tuple of a selection, with its level.

    ``transactions`` names transactions the actor shall (or should, at its level)
    support although its profile leaves them optional: an MHD Document Source
    that must support ITI-65 rather than "at least one of ITI-65, ITI-105 or ITI-106".
    """

    profile: str
    actor: str
    options: list[str] = field(default_factory=list)
    level: str = "SHALL"
    loc: Loc = field(default_factory=lambda: Loc("<selection>"))
    option_locs: list[Loc] = field(default_factory=list)
    transactions: list[str] = field(default_factory=list)
    transaction_locs: list[Loc] = field(default_factory=list)


@dataclass
class Annex:
    id: str
    title: str
    prefix: str
    selection: list[Selected]
    buyer: str = ""
    revision: str = ""  # empty: the framework's own revision
    minimum_status: str = "final-text"
    introduction: str = ""
    domain: str = ""  # empty: the domain of the first selected profile
    loc: Loc = field(default_factory=lambda: Loc("<selection>"))
    doc: Document | None = None

    def at(self, *path, key: bool = False) -> Loc:
        return self.doc.loc(path, key=key) if self.doc else self.loc


@dataclass
class Statement:
    id: str
    vendor: str
    product: str
    version: str
    date: str
    implements: list[Selected]
    contact: str = ""
    ihe_information_url: str = ""
    conformance_statements: list[tuple[str, str]] = field(default_factory=list)
    loc: Loc = field(default_factory=lambda: Loc("<statement>"))
    doc: Document | None = None


class AnnexError(Exception):
    """Raised with the problems that stop an annex (or statement) from being built."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


# --------------------------------------------------------------------------- reading


def _load(path: Path, kind: str) -> tuple[Document | None, list[Problem]]:
    display = display_path(path)
    doc, problems = load_file(path, display)
    if doc is None:
        return None, problems
    schema_problems = check_document(doc, kind)
    problems = problems + schema_problems
    if schema_problems or any(p.is_error for p in problems):
        return None, problems
    return doc, problems


def _selected_from(doc: Document, base: tuple, items: list[dict]) -> list[Selected]:
    out = []
    for i, item in enumerate(items):
        out.append(
            Selected(
                profile=item["profile"],
                actor=item["actor"],
                options=list(item.get("options", [])),
                level=item.get("level", "SHALL"),
                loc=doc.loc(base + (i,)),
                option_locs=[doc.loc(base + (i, "options", j)) for j in range(len(item.get("options", [])))],
                transactions=list(item.get("transactions", [])),
                transaction_locs=[doc.loc(base + (i, "transactions", j)) for j in range(len(item.get("transactions", [])))],
            )
        )
    return out


def _file_id(doc: Document, path: Path, problems: list[Problem]) -> str:
    given = doc.data.get("id")
    stem = path.name[: -len(".yaml")] if path.name.endswith(".yaml") else path.stem
    if given is not None and given != stem:
        problems.append(
            error(doc.loc(("id",)), f"the file is '{path.name}' but its id is '{given}'; rename one so they match", "file-name-mismatch")
        )
    if given is None and not _SLUG_RE.match(stem):
        problems.append(
            error(doc.loc(), f"the file name '{path.name}' is not a usable id; name it in lower-case words joined by hyphens (regional-sharing.yaml)", "file-name-mismatch")
        )
    return given or stem


def read_annex(path: Path, domain: str = "") -> tuple[Annex | None, list[Problem]]:
    """Load an annex YAML file (not yet checked against the model)."""
    doc, problems = _load(path, "annex")
    if doc is None:
        return None, problems
    d = doc.data
    annex = Annex(
        id=_file_id(doc, path, problems),
        title=d["title"],
        prefix=d["prefix"],
        selection=_selected_from(doc, ("select",), d["select"]),
        buyer=d.get("buyer", ""),
        revision=d["revision"],
        minimum_status=d["minimum_status"],
        introduction=d.get("introduction", ""),
        domain=domain,
        loc=doc.loc(),
        doc=doc,
    )
    return annex, problems


def read_statement(path: Path) -> tuple[Statement | None, list[Problem]]:
    doc, problems = _load(path, "statement")
    if doc is None:
        return None, problems
    d = doc.data
    statement = Statement(
        id=_file_id(doc, path, problems),
        vendor=d["vendor"],
        product=d["product"],
        version=d["version"],
        date=d["date"],
        implements=_selected_from(doc, ("implements",), d["implements"]),
        contact=d.get("contact", ""),
        ihe_information_url=d.get("ihe_information_url", ""),
        conformance_statements=[(c["standard"], c["url"]) for c in d.get("conformance_statements", [])],
        loc=doc.loc(),
        doc=doc,
    )
    return statement, problems


def parse_select(text: str, level: str, n: int, flag: str = "--select") -> tuple[Selected | None, Problem | None]:
    """``PROFILE:actor[option,TRANSACTION,...]`` as given on the command line.

    In the brackets, a transaction id (upper case, ITI-65) requires that transaction by
    name; anything else is an option id (lower case)."""
    loc = Loc(f"{flag} #{n}", 1, 1)
    m = _SELECT_RE.match(text)
    if not m:
        return None, error(loc, f"cannot read {text!r}; write PROFILE:actor or PROFILE:actor[option,TRANSACTION] (for example XDS.b:document-consumer[basic-patient-privacy-enforcement] or MHD:document-source[ITI-65])", "annex-select-syntax")
    items = [o.strip() for o in (m.group(3) or "").split(",") if o.strip()]
    options = [o for o in items if not _TX_RE.match(o)]
    txs = [o for o in items if _TX_RE.match(o)]
    return Selected(m.group(1), m.group(2), options, level, loc, [loc] * len(options), txs, [loc] * len(txs)), None


def annex_from_args(selects: list[str], shoulds: list[str], *, title: str, prefix: str, buyer: str, minimum_status: str,
                    revision: str, annex_id: str) -> tuple[Annex | None, list[Problem]]:
    problems: list[Problem] = []
    selection: list[Selected] = []
    for flag, items, level in (("--select", selects, "SHALL"), ("--should", shoulds, "SHOULD")):
        for n, text in enumerate(items, start=1):
            sel, problem = parse_select(text, level, n, flag)
            if problem:
                problems.append(problem)
            else:
                selection.append(sel)
    if not _PREFIX_RE.match(prefix):
        problems.append(error(Loc("--prefix"), f"{prefix!r} is not a usable requirement-id prefix; use upper-case letters, digits and hyphens (REQ, RFP-2024)", "annex-prefix"))
    if not _SLUG_RE.match(annex_id):
        problems.append(error(Loc("--id"), f"{annex_id!r} is not a usable id; use lower-case words joined by hyphens", "annex-id"))
    if not selection and not problems:
        problems.append(error(Loc("--select"), "nothing is selected; give an annex file, or --select PROFILE:actor at least once", "annex-empty"))
    if problems:
        return None, problems
    return Annex(annex_id, title, prefix, selection, buyer=buyer, revision=revision, minimum_status=minimum_status, loc=Loc("<command line>")), []


def annex_from_json(path: Path) -> tuple[Annex | None, list[Problem]]:
    """An annex from the JSON that ``annex build`` or the builder page wrote."""
    display = display_path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, [error(Loc(display), f"cannot read the annex JSON: {exc}", "annex-json")]
    if not isinstance(data, dict) or data.get("format") != "tfpub-annex" or not isinstance(data.get("annex"), dict):
        return None, [error(Loc(display), "not an annex JSON file (it has no \"format\": \"tfpub-annex\"); give an annex YAML file or the JSON an annex build wrote", "annex-json")]
    meta = data["annex"]
    problems: list[Problem] = []
    selection = []
    for n, item in enumerate(data.get("selection") or [], start=1):
        loc = Loc(display, 1, 1)
        if not isinstance(item, dict) or not isinstance(item.get("profile"), str) or not isinstance(item.get("actor"), str):
            problems.append(error(loc, f"selection #{n} needs a profile and an actor", "annex-json"))
            continue
        options = item.get("options") or []
        txs = item.get("transactions") or []
        level = item.get("level", "SHALL")
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options) or level not in LEVELS:
            problems.append(error(loc, f"selection #{n}: options must be a list of option ids and level SHALL or SHOULD", "annex-json"))
            continue
        if not isinstance(txs, list) or not all(isinstance(t, str) for t in txs):
            problems.append(error(loc, f"selection #{n}: transactions must be a list of transaction ids (ITI-65)", "annex-json"))
            continue
        selection.append(Selected(item["profile"], item["actor"], list(options), level, loc, [loc] * len(options), list(txs), [loc] * len(txs)))

    def text(key: str, default: str) -> str:
        value = meta.get(key, default)
        bad = text_problem(Loc(display), value) if isinstance(value, str) else None  # reaches Word, Excel and HTML
        problems.extend([bad] if bad else [])
        return value if isinstance(value, str) and not bad else default

    annex = Annex(
        id=text("id", DEFAULT_ID),
        title=text("title", DEFAULT_TITLE) or DEFAULT_TITLE,
        prefix=text("prefix", DEFAULT_PREFIX),
        selection=selection,
        buyer=text("buyer", ""),
        revision=text("revision", ""),
        minimum_status=text("minimum_status", "final-text"),
        introduction=text("introduction", ""),
        domain=text("domain", ""),
        loc=Loc(display),
    )
    if not _PREFIX_RE.match(annex.prefix):
        problems.append(error(Loc(display), f"{annex.prefix!r} is not a usable requirement-id prefix", "annex-prefix"))
    if annex.minimum_status not in MINIMUM_STATUSES:
        problems.append(error(Loc(display), f"minimum_status must be one of: {', '.join(MINIMUM_STATUSES)}", "annex-json"))
    if not _SLUG_RE.match(annex.id):
        annex.id = DEFAULT_ID
    if not selection and not problems:
        problems.append(error(Loc(display), "the selection is empty", "annex-empty"))
    return (None if problems else annex), problems


# --------------------------------------------------------------------------- checking against the model


def _choices(values: list[str]) -> str:
    return ", ".join(values) if values else "(none)"


def _close(value: str, candidates: list[str]) -> str:
    match = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def check_selection(fw: Framework, selection: list[Selected], what: str = "selection") -> list[Problem]:
    """Every (profile, actor, options) tuple must exist; each error lists the valid choices."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], Loc] = {}
    profiles = sorted(fw.profiles, key=lambda p: (fw.profiles[p].domain, fw.profiles[p].chapter))
    for sel in selection:
        profile: Profile | None = fw.profiles.get(sel.profile)
        if profile is None:
            problems.append(
                error(sel.loc, f"unknown profile '{sel.profile}'{_close(sel.profile, profiles)}; valid profiles: {_choices(profiles)}", "annex-unknown-profile")
            )
            continue
        pa = profile.actor(sel.actor)
        actors = [a.actor for a in profile.actors]
        if pa is None:
            problems.append(
                error(sel.loc, f"profile {sel.profile} has no actor '{sel.actor}'{_close(sel.actor, actors)}; its actors are: {_choices(actors)}", "annex-unknown-actor")
            )
            continue
        key = (sel.profile, sel.actor)
        if key in seen:
            problems.append(
                error(sel.loc, f"{sel.profile} {sel.actor} is already in the {what} (line {seen[key].line}); list each actor once, with all its options", "annex-duplicate")
            )
            continue
        seen[key] = sel.loc
        claimable = [c.option for c in pa.options]
        for j, option in enumerate(sel.options):
            if option not in claimable:
                loc = sel.option_locs[j] if j < len(sel.option_locs) else sel.loc
                name = fw.actors[sel.actor].name if sel.actor in fw.actors else sel.actor
                problems.append(
                    error(
                        loc,
                        f"the {sel.profile} {name} actor has no option '{option}'{_close(option, claimable)}; its options are: {_choices(claimable)}",
                        "annex-unknown-option",
                    )
                )
        listed = [tu.transaction for tu in pa.transactions]
        for j, tx in enumerate(sel.transactions):
            if tx not in listed:
                loc = sel.transaction_locs[j] if j < len(sel.transaction_locs) else sel.loc
                name = fw.actors[sel.actor].name if sel.actor in fw.actors else sel.actor
                problems.append(
                    error(
                        loc,
                        f"the {sel.profile} {name} actor has no transaction '{tx}'{_close(tx, listed)}; its transactions are: {_choices(listed)}",
                        "annex-unknown-transaction",
                    )
                )
            elif sel.transactions.index(tx) != j:
                loc = sel.transaction_locs[j] if j < len(sel.transaction_locs) else sel.loc
                problems.append(error(loc, f"{tx} is listed twice for {sel.profile} {sel.actor}; list it once", "annex-duplicate"))
    return problems


def check_annex(fw: Framework, annex: Annex) -> list[Problem]:
    """Problems of an annex against the model: unknown selections (errors), another revision (warning)."""
    problems = check_selection(fw, annex.selection)
    if problems:
        return problems
    domain = annex_domain(fw, annex)
    if annex.domain and annex.domain not in fw.domains:
        problems.append(error(annex.loc, f"the annex lies in domain folder '{annex.domain}', which defines no domain", "annex-domain"))
        return problems
    framework_revision = fw.domains[domain].revision
    if annex.revision and annex.revision != framework_revision:
        problems.append(
            warning(
                annex.at("revision"),
                f"the annex is written against {domain} TF revision {annex.revision}, but the specs are revision {framework_revision}; "
                "review the requirements, then update 'revision'",
                "annex-revision",
            )
        )
    return problems


def annex_domain(fw: Framework, annex: Annex) -> str:
    """The annex's own domain: its folder's, else that of the first selected profile (in volume order)."""
    if annex.domain:
        return annex.domain
    known = [fw.profiles[s.profile] for s in annex.selection if s.profile in fw.profiles]
    if not known:
        return next(iter(sorted(fw.domains)), "")
    return min((p.domain, p.chapter) for p in known)[0]
