"""``tfpub new``: start a valid spec file, with the schema line editors need.

A new file must pass ``tfpub validate`` as written (apart from warnings such as
"used by no profile"), so the scaffold fills every required field with a
placeholder the editor is asked to replace.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path

import yaml

from .load.discovery import inside

KINDS = {"actor": "actors", "transaction": "transactions", "profile": "profiles", "content": "content"}
ID_PATTERNS = {
    "actor": r"^[a-z0-9]+(-[a-z0-9]+)*$",
    "transaction": r"^[A-Z][A-Z0-9]{1,11}-[0-9]{1,5}$",
    "profile": r"^[A-Za-z][A-Za-z0-9]*([.-][A-Za-z0-9]+)*$",
    "content": r"^[a-z0-9]+(-[a-z0-9]+)*$",
}
ID_HELP = {
    "actor": "lower-case words joined by hyphens, e.g. document-consumer",
    "transaction": "domain acronym, hyphen, number, e.g. ITI-18",
    "profile": "an acronym such as XDS.b or PDQm",
    "content": "lower-case words joined by hyphens, e.g. bppc-consent",
}


class ScaffoldError(Exception):
    pass


def schema_dir() -> Path:
    return Path(str(resources.files("generator.schemas")))


def schema_line(target: Path, kind: str) -> str:
    """The yaml-language-server line, with a path relative to the new file when possible."""
    schema = schema_dir() / f"{kind}.schema.json"
    try:
        ref = os.path.relpath(schema, target.parent.resolve())
    except ValueError:
        ref = schema.as_uri()
    return f"# yaml-language-server: $schema={Path(ref).as_posix()}\n"


def _name_from(id_: str) -> str:
    return " ".join(w.capitalize() for w in id_.split("-"))


def _body(kind: str, id_: str, *, name: str, chapter: int, actors: list[str], section: str) -> dict:
    todo = "TODO: describe in your own words."
    if kind == "actor":
        return {"id": id_, "name": name or _name_from(id_), "definition": todo}
    if kind == "transaction":
        initiator, responder = actors
        return {
            "id": id_,
            "name": name or "TODO Transaction Name",
            "scope": todo,
            "roles": [
                {"actor": initiator, "role": "initiator", "description": todo},
                {"actor": responder, "role": "responder", "description": todo},
            ],
            "messages": [
                {"name": "TODO Request", "type": "request", "trigger": todo, "semantics": todo, "expected_actions": todo},
                {"name": "TODO Response", "type": "response", "trigger": todo, "semantics": todo, "expected_actions": todo},
            ],
        }
    if kind == "profile":
        return {
            "acronym": id_,
            "name": name or "TODO Profile Name",
            "chapter": chapter,
            "type": "workflow",
            "status": "public-comment",
            "summary": todo,
            "actors": [{"actor": a, "transactions": []} for a in actors],
        }
    return {"id": id_, "name": name or _name_from(id_), "section": section or "5.99", "summary": todo}


def new_file(
    domain_dir: Path,
    kind: str,
    id_: str,
    *,
    name: str = "",
    chapter: int | None = None,
    actors: list[str] | None = None,
    section: str = "",
) -> Path:
    """Write the new file and return its path; raise ScaffoldError with advice if it cannot."""
    if kind not in KINDS:
        raise ScaffoldError(f"unknown kind '{kind}'; use one of: {', '.join(KINDS)}")
    if not re.match(ID_PATTERNS[kind], id_):
        raise ScaffoldError(f"'{id_}' is not a valid {kind} id: {ID_HELP[kind]}")
    if not (domain_dir / "domain.yaml").is_file():
        raise ScaffoldError(f"{domain_dir} is not a domain folder (it has no domain.yaml); pass --domain DIR")
    target = domain_dir / KINDS[kind] / f"{id_}.yaml"
    if target.exists():
        raise ScaffoldError(f"{target} already exists; edit it instead")
    if kind == "transaction":
        domain = yaml.safe_load((domain_dir / "domain.yaml").read_text(encoding="utf-8")).get("acronym", "")
        if not id_.startswith(f"{domain}-"):
            raise ScaffoldError(f"transactions of the {domain} domain are numbered {domain}-n, not {id_}")
    actors = list(actors or [])
    if kind == "transaction" and len(actors) != 2:
        raise ScaffoldError("name the initiator and the responder: --actor INITIATOR --actor RESPONDER")
    if kind == "profile" and not actors:
        raise ScaffoldError("name the profile's actors: --actor ACTOR (repeat for each)")
    if kind == "profile" and chapter is None:
        chapter = _next_chapter(domain_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    body = _body(kind, id_, name=name, chapter=chapter or 1, actors=actors, section=section)
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
    target.write_text(schema_line(target, kind) + text, encoding="utf-8")
    return target


def _next_chapter(domain_dir: Path) -> int:
    """One past the highest chapter in use: chapters are never reused."""
    highest = 0
    for path in (domain_dir / "profiles").glob("*.yaml"):
        if not inside(path, domain_dir.parent):  # a link out of the specs is not read (validation refuses it)
            continue
        m = re.search(r"^chapter:\s*(\d+)", path.read_text(encoding="utf-8", errors="replace"), re.M)
        if m:
            highest = max(highest, int(m.group(1)))
    return highest + 1
