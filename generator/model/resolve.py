"""Turn schema-valid documents into the typed model.

Only documents that passed their schema reach this module, so it may trust the
shape of the data; whether the *references* between entities hold is the job of
:mod:`generator.check.checks`, which runs on the model built here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from ..load.discovery import SpecFile
from ..load.yaml_loader import Document
from ..problems import Loc
from . import sequence
from .entities import (
    Actor,
    AtLeastOneOf,
    ContentModule,
    ContentSection,
    ContentUse,
    Domain,
    Exchange,
    ExternalTarget,
    Framework,
    GlossaryTerm,
    Grouping,
    GroupingTarget,
    Interaction,
    Message,
    Option,
    OptionClaim,
    OptionEffect,
    Profile,
    ProfileActor,
    ProfileGroup,
    Requirement,
    Role,
    Standard,
    Statement,
    Step,
    TableNote,
    Text,
    Transaction,
    TransactionUse,
    UseCase,
    chapter_of,
)


@dataclass
class Sources:
    """Where each entity came from, for checks that need more than one location."""

    documents: dict[tuple[str, str], Document] = field(default_factory=dict)  # (kind, id) -> doc
    definitions: dict[tuple[str, str], list[Loc]] = field(default_factory=dict)  # every place an id is defined
    extra_documents: list[Document] = field(default_factory=list)  # domain, glossary, standards
    broken: set[tuple[str, str]] = field(default_factory=set)  # (kind, id) of files that failed their schema


def _text(doc: Document, path: tuple, value):
    """``value``, the string at ``path``; one that holds a diagram fence or an image also knows its
    place (model.Text): problems are reported there, and images are found next to the spec file."""
    if isinstance(value, str) and ("```" in value or "~~~" in value or "![" in value):
        return Text.at(value, partial(doc.text_loc, path))
    return value


def _domain(doc: Document) -> Domain:
    d = doc.data
    return Domain(
        acronym=d["acronym"],
        title=d["title"],
        revision=d["revision"],
        date=d["date"],
        status=d["status"],
        loc=doc.loc(),
        description=_text(doc, ("description",), d.get("description", "")),
        copyright=d.get("copyright", ""),
        publishing=d.get("publishing", {}),
        profile_groups=_profile_groups(doc),
    )


def _profile_groups(doc: Document) -> list[ProfileGroup] | None:
    groups = ((doc.data.get("publishing") or {}).get("navigation") or {}).get("profile_groups")
    if groups is None:
        return None
    path = ("publishing", "navigation", "profile_groups")
    return [
        ProfileGroup(
            g["title"],
            list(g["profiles"]),
            doc.loc((*path, i)),
            [doc.loc((*path, i, "profiles", j)) for j in range(len(g["profiles"]))],
        )
        for i, g in enumerate(groups)
    ]


def _actor(doc: Document, domain: str) -> Actor:
    d = doc.data
    return Actor(d["id"], d["name"], _text(doc, ("definition",), d["definition"]), domain, doc.loc(), d.get("status"))


def _transaction(doc: Document, domain: str) -> Transaction:
    d = doc.data
    return Transaction(
        id=d["id"],
        name=d["name"],
        scope=_text(doc, ("scope",), d["scope"]),
        domain=domain,
        loc=doc.loc(),
        roles=[Role(r["actor"], r["role"], _text(doc, ("roles", i, "description"), r.get("description", "")), doc.loc(("roles", i))) for i, r in enumerate(d["roles"])],
        messages=[_message(doc, path, m) for path, m in _message_entries(d)],
        interactions=_interactions(doc, d),
        diagram=sequence.from_document(doc, d),
        standards=list(d.get("standards", [])),
        status=d.get("status"),
        section=d.get("section", ""),
        security=_text(doc, ("security",), d.get("security", "")),
        audit=_text(doc, ("audit",), d.get("audit", "")),
    )


def _message_entries(d: dict) -> list[tuple[tuple, dict]]:
    """(path, message) of every message in order: ``messages``, or those of each interaction."""
    if "interactions" in d:
        return [(("interactions", i, "messages", j), m) for i, g in enumerate(d["interactions"]) for j, m in enumerate(g["messages"])]
    return [(("messages", i), m) for i, m in enumerate(d.get("messages", []))]


def _message(doc: Document, path: tuple, m: dict) -> Message:
    return Message(
        m["name"],
        m["type"],
        doc.loc(path),
        _text(doc, path + ("trigger",), m.get("trigger", "")),
        _text(doc, path + ("semantics",), m.get("semantics", "")),
        _text(doc, path + ("expected_actions",), m.get("expected_actions", "")),
    )


def _interactions(doc: Document, d: dict) -> list[Interaction]:
    out, start = [], 0
    for i, g in enumerate(d.get("interactions", [])):
        count = len(g["messages"])
        out.append(Interaction(g["name"], doc.loc(("interactions", i)), _text(doc, ("interactions", i, "description"), g.get("description", "")), list(range(start, start + count))))
        start += count
    return out


def _profile_actor(doc: Document, i: int, a: dict) -> ProfileActor:
    base = ("actors", i)
    return ProfileActor(
        actor=a["actor"],
        loc=doc.loc(base),
        description=_text(doc, base + ("description",), a.get("description", "")),
        transactions=[
            TransactionUse(
                t["transaction"], t["optionality"], doc.loc(base + ("transactions", j)), t.get("condition", ""), t.get("note", ""), _references(t),
                t.get("role", ""),
            )
            for j, t in enumerate(a.get("transactions", []))
        ],
        content_modules=[
            ContentUse(c["module"], c["optionality"], doc.loc(base + ("content_modules", j)), c.get("note", ""), _references(c))
            for j, c in enumerate(a.get("content_modules", []))
        ],
        at_least_one_of=[
            AtLeastOneOf(list(s.get("transactions", [])), list(s.get("options", [])), doc.loc(base + ("at_least_one_of", j)), s.get("note", ""), s.get("placement", "rows"))
            for j, s in enumerate(a.get("at_least_one_of", []))
        ],
        options=[
            OptionClaim(o["option"], doc.loc(base + ("options", j)), bool(o.get("required", False)), o.get("note", ""), _references(o))
            for j, o in enumerate(a.get("options", []))
        ],
        requirements=[
            Requirement(
                r["text"], r.get("optionality", ""), doc.loc(base + ("requirements", j)), r.get("condition", ""), _references(r), r.get("note", "")
            )
            for j, r in enumerate(a.get("requirements", []))
        ],
        no_transactions=a.get("transactions") == [],
    )


def _references(d: dict) -> list[str]:
    """A ``reference`` as a list: one citation or several, as published (empty: the computed one)."""
    value = d.get("reference", [])
    return [value] if isinstance(value, str) else list(value)


def _table_notes(doc: Document) -> dict[str, list[TableNote]]:
    out: dict[str, list[TableNote]] = {}
    for table, notes in (doc.data.get("table_notes") or {}).items():
        out[table] = [
            TableNote(n, doc.loc(("table_notes", table, i))) if isinstance(n, str)
            else TableNote(n["text"], doc.loc(("table_notes", table, i)), bool(n.get("numbered", True)))
            for i, n in enumerate(notes)
        ]
    return out


def _statements(doc: Document) -> dict[str, Statement]:
    out: dict[str, Statement] = {}
    for table, s in (doc.data.get("statements") or {}).items():
        path = ("statements", table)
        if isinstance(s, str):
            out[table] = Statement(_text(doc, path, s), doc.loc(path))
        else:
            out[table] = Statement(
                _text(doc, path + ("text",), s["text"]), doc.loc(path), bool(s.get("table", False)) or bool(s.get("after", False)), bool(s.get("after", False))
            )
    return out


def _profile(doc: Document, domain: str) -> Profile:
    d = doc.data
    return Profile(
        acronym=d["acronym"],
        name=d["name"],
        chapter=chapter_of(d["chapter"]),
        type=d["type"],
        status=d["status"],
        summary=_text(doc, ("summary",), d["summary"]),
        domain=domain,
        loc=doc.loc(),
        actors=[_profile_actor(doc, i, a) for i, a in enumerate(d["actors"])],
        options=[
            Option(
                o["id"],
                o["name"],
                _text(doc, ("options", i, "description"), o["description"]),
                doc.loc(("options", i)),
                list(o.get("transactions", [])),
                list(o.get("requires", [])),
                o.get("status"),
                _references(o),
                [OptionEffect(e["actor"], e["transaction"], e["optionality"], doc.loc(("options", i, "adds", j))) for j, e in enumerate(o.get("adds", []))],
            )
            for i, o in enumerate(d.get("options", []))
        ],
        groupings=[
            Grouping(
                actor=g["actor"],
                targets=[
                    GroupingTarget(w["profile"], w["actor"], doc.loc(("groupings", i, "with", j)), list(w.get("options", [])))
                    for j, w in enumerate(g["with"])
                    if "external" not in w
                ],
                external=[
                    ExternalTarget(
                        **{k: w["external"].get(k, "") for k in ("domain", "profile", "actor", "reference")},
                        loc=doc.loc(("groupings", i, "with", j, "external")),
                        options=list(w["external"].get("options", [])),
                    )
                    for j, w in enumerate(g["with"])
                    if "external" in w
                ],
                loc=doc.loc(("groupings", i)),
                kind=g.get("kind", "required"),
                when_option=g.get("when_option", ""),
                condition=g.get("condition", ""),
                content_bindings=g.get("content_bindings", ""),
                note=g.get("note", ""),
                reference=_references(g),
            )
            for i, g in enumerate(d.get("groupings", []))
        ],
        overview=_text(doc, ("overview",), d.get("overview", "")),
        use_cases=[
            UseCase(
                u["id"],
                u["title"],
                _text(doc, ("use_cases", i, "description"), u["description"]),
                doc.loc(("use_cases", i)),
                [
                    Step(s["from"], s["text"], doc.loc(("use_cases", i, "steps", j)), s.get("to", ""), s.get("transaction", ""))
                    for j, s in enumerate(u.get("steps", []))
                ],
                diagram=sequence.from_document(doc, u, ("use_cases", i)),
            )
            for i, u in enumerate(d.get("use_cases", []))
        ],
        security=_text(doc, ("security",), d.get("security", "")),
        cross_profile=_text(doc, ("cross_profile",), d.get("cross_profile", "")),
        table_notes=_table_notes(doc),
        statements=_statements(doc),
        exchanges=[
            Exchange(e["transaction"], e["initiator"], e["responder"], doc.loc(("exchanges", i)))
            for i, e in enumerate(d.get("exchanges", []))
        ],
    )


def _content(doc: Document, domain: str) -> ContentModule:
    d = doc.data
    return ContentModule(
        id=d["id"],
        name=d["name"],
        section=d["section"],
        summary=_text(doc, ("summary",), d["summary"]),
        domain=domain,
        loc=doc.loc(),
        status=d.get("status"),
        format=d.get("format", ""),
        template_id=d.get("template_id", ""),
        standards=list(d.get("standards", [])),
        sections=[ContentSection(s["title"], _text(doc, ("sections", i, "body"), s["body"])) for i, s in enumerate(d.get("sections", []))],
    )


# kind -> (builder, the key holding the id, the Framework attribute)
_ENTITY_KINDS = {
    "actor": (_actor, "id", "actors"),
    "transaction": (_transaction, "id", "transactions"),
    "profile": (_profile, "acronym", "profiles"),
    "content": (_content, "id", "content_modules"),
}


def build(valid: list[tuple[SpecFile, Document]], domain_of: dict) -> tuple[Framework, Sources]:
    """Build the model from schema-valid documents.

    ``domain_of`` maps a domain folder to its acronym. Where two files define the
    same id, the first (in path order) is kept; the checks report the clash.
    """
    fw = Framework()
    src = Sources()
    for spec, doc in valid:
        if spec.kind == "domain":
            fw.domains[doc.data["acronym"]] = _domain(doc)
            src.extra_documents.append(doc)
    for spec, doc in valid:
        domain = domain_of.get(spec.domain_dir, "")
        if spec.kind in _ENTITY_KINDS:
            make, id_key, attr = _ENTITY_KINDS[spec.kind]
            key = doc.data[id_key]
            src.definitions.setdefault((spec.kind, key), []).append(doc.loc((id_key,)))
            table = getattr(fw, attr)
            if key not in table:
                table[key] = make(doc, domain)
                src.documents[(spec.kind, key)] = doc
        elif spec.kind in ("glossary", "standards"):
            src.extra_documents.append(doc)
        if spec.kind == "glossary":
            for i, t in enumerate(doc.data["terms"]):
                fw.glossary.append(GlossaryTerm(t["term"], _text(doc, ("terms", i, "definition"), t["definition"]), domain, doc.loc(("terms", i)), list(t.get("synonyms", []))))
        elif spec.kind == "standards":
            for i, s in enumerate(doc.data["standards"]):
                loc = doc.loc(("standards", i))
                src.definitions.setdefault(("standard", s["id"]), []).append(doc.loc(("standards", i, "id")))
                if s["id"] not in fw.standards:
                    fw.standards[s["id"]] = Standard(s["id"], s["title"], domain, loc, s.get("publisher", ""), s.get("url", ""))
    return fw, src
