"""``tfpub new``: start a valid spec file, with the schema line editors need.

A new file must pass ``tfpub validate`` as written (apart from warnings such as
"used by no profile"), so the scaffold fills every required field with a
placeholder the editor is asked to replace.
"""

from __future__ import annotations

import os
import re
from datetime import date
from importlib import resources
from pathlib import Path

import yaml

from .load.discovery import inside

KINDS = {"actor": "actors", "transaction": "transactions", "profile": "profiles", "content": "content"}
NEW_KINDS = (*KINDS, "supplement")  # what ``tfpub new`` makes: one file each, or a supplement's folder
ID_PATTERNS = {
    "supplement": r"^[A-Za-z0-9]+([.-][A-Za-z0-9]+)*$",
    "actor": r"^[a-z0-9]+(-[a-z0-9]+)*$",
    "transaction": r"^[A-Z][A-Z0-9]{1,11}-[0-9]{1,5}$",
    "profile": r"^[A-Za-z][A-Za-z0-9]*([.-][A-Za-z0-9]+)*$",
    "content": r"^[a-z0-9]+(-[a-z0-9]+)*$",
}
ID_HELP = {
    "supplement": "letters and digits, words joined by '.' or '-', e.g. PDQm or XDS.b-on-demand",
    "actor": "lower-case words joined by hyphens, e.g. document-consumer",
    "transaction": "domain acronym, hyphen, number, e.g. ITI-18",
    "profile": "an acronym such as XDS.b or PDQm",
    "content": "lower-case words joined by hyphens, e.g. bppc-consent",
}


class ScaffoldError(Exception):
    pass


PROJECT_SCHEMAS = "schemas"  # where `tfpub init` and `tfpub schema --write` put a project's copy


def schema_dir() -> Path:
    """The schemas shipped in the package: the source of truth every copy is made from."""
    return Path(str(resources.files("generator.schemas")))


def schema_kinds() -> list[str]:
    """Every kind that has a schema, spec files and outputs alike (``tfpub schema KIND``)."""
    return sorted(p.name[: -len(".schema.json")] for p in schema_dir().glob("*.schema.json"))


def write_schemas(dest: Path) -> list[Path]:
    """Copy every schema into ``dest`` (a project's ``schemas/``), so its ``$schema`` lines
    resolve wherever the project is checked out, whatever installed tfpub. The schemas
    refer to each other by sibling file name, so the folder is copied whole."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in schema_kinds():
        target = dest / f"{kind}.schema.json"
        target.write_text((schema_dir() / target.name).read_text(encoding="utf-8"), encoding="utf-8")
        written.append(target)
    return written


def project_schema_dir(start: Path) -> Path:
    """The schemas a spec file at ``start`` should name: the project's own copy.

    A project made by ``tfpub init`` has ``schemas/`` at its root; this repository keeps
    its schemas in ``generator/schemas``. Naming the project's folder (and not the
    installed package's) keeps the line right in every checkout and on every machine.
    The search stops at the project root (the folder with mkdocs.yml or .git); without
    a copy there the installed package's folder is the fallback.
    """
    start = start.resolve()
    for folder in [start, *start.parents]:
        for candidate in (folder / PROJECT_SCHEMAS, folder / "generator" / "schemas"):
            if (candidate / "profile.schema.json").is_file():
                return candidate
        if (folder / "mkdocs.yml").is_file() or (folder / ".git").exists():
            break
    return schema_dir()


def schema_line(target: Path, kind: str) -> str:
    """The yaml-language-server line, with a path relative to the new file when possible."""
    folder = target.parent
    while not folder.exists() and folder != folder.parent:  # the file's folder may not exist yet
        folder = folder.parent
    schema = project_schema_dir(folder) / f"{kind}.schema.json"
    base = target.parent.resolve()
    try:
        ref = os.path.relpath(schema, base)
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
        domain = _domain_meta(domain_dir).get("acronym", "")
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


def _domain_meta(domain_dir: Path) -> dict:
    if not (domain_dir / "domain.yaml").is_file():
        raise ScaffoldError(f"{domain_dir} is not a domain folder (it has no domain.yaml); pass --domain DIR")
    try:
        meta = yaml.safe_load((domain_dir / "domain.yaml").read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ScaffoldError(f"{domain_dir / 'domain.yaml'} cannot be read ({exc.__class__.__name__}); run tfpub validate") from None
    return meta if isinstance(meta, dict) else {}


def new_supplement(domain_dir: Path, id_: str, *, title: str = "") -> Path:
    """Write a supplement folder that validates as written and return it.

    ``supplement.yaml`` applies to the domain's current revision (the base the
    supplement's amendments are checked against) and ``amendments.yaml`` starts
    empty: new entities go in the folder's own actors/, transactions/, profiles/.
    """
    if not re.match(ID_PATTERNS["supplement"], id_):
        raise ScaffoldError(f"'{id_}' is not a valid supplement id: {ID_HELP['supplement']}")
    revision = str(_domain_meta(domain_dir).get("revision", "1.0"))
    folder = domain_dir / "supplements" / id_
    if folder.exists():
        raise ScaffoldError(f"{folder} already exists; edit it instead")
    folder.mkdir(parents=True)
    meta = {
        "id": id_,
        "title": title or f"TODO {id_} Supplement Title",
        "revision": "0.1",
        "status": "public-comment",
        "date": date.today().isoformat(),
        "applies_to": {"revision": revision},
        "introduction": "TODO: say what this supplement adds or changes, and why.",
    }
    text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100)
    (folder / "supplement.yaml").write_text(schema_line(folder / "supplement.yaml", "supplement") + text, encoding="utf-8")
    amendments = (
        "# Changes to sections that exist already, applied in order (see the README, Supplements).\n"
        "# New actors, transactions and profiles go in this folder's actors/, transactions/, profiles/.\n"
        "amendments: []\n"
    )
    (folder / "amendments.yaml").write_text(schema_line(folder / "amendments.yaml", "supplement-amendments") + amendments, encoding="utf-8")
    return folder
