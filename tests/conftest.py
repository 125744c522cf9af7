"""Shared fixtures: a small, valid two-domain framework written from Python dicts.

Each test takes the ``tree`` fixture, changes one thing in ``tree.files`` (or
writes a raw file), runs the real validator and asserts the rule id, the file
and the line of the problem it expects. ``test_validate.py`` checks that the
unmodified tree validates with no problems at all, which is the passing case of
every rule.

The framework has two domains, so cross-domain references are exercised
everywhere: ITX (Consistent Time, an authentication profile and a document
sharing profile) and RDX (an imaging workflow profile whose actors are grouped
with ITX actors, and a content profile).
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from example import EXAMPLE_SPECS

from generator.problems import Problem
from generator.validate import Validation, validate

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = REPO_ROOT / "generator" / "schemas"
BAD_INPUT = Path(__file__).resolve().parent / "bad_input"

_KIND_OF_FOLDER = {"actors": "actor", "transactions": "transaction", "profiles": "profile", "content": "content"}
_KIND_OF_FILE = {"domain.yaml": "domain", "glossary.yaml": "glossary", "standards.yaml": "standards"}


# --------------------------------------------------------------------------- the framework

def _domain(acronym: str, title: str) -> dict:
    return {
        "acronym": acronym,
        "title": title,
        "revision": "1.0",
        "date": "2024-01-15",
        "status": "trial-implementation",
        "description": f"The {title}.\nIts profiles build on [[profile:CT]].\n",
    }


def make_actor(id_: str, name: str) -> dict:
    return {"id": id_, "name": name, "definition": f"The {name} actor, for tests."}


def make_transaction(id_: str, name: str, initiator: str, responder: str, standards: list[str]) -> dict:
    return {
        "id": id_,
        "name": name,
        "scope": f"{name}, for tests.",
        "roles": [
            {"actor": initiator, "role": "initiator", "description": "Sends the request."},
            {"actor": responder, "role": "responder", "description": "Answers it."},
        ],
        "standards": standards,
        "messages": [
            {"name": f"{name} Request", "type": "request", "trigger": "When needed."},
            {"name": f"{name} Response", "type": "response", "semantics": "The answer."},
        ],
    }


BASE: dict[str, Any] = {
    # ---------------------------------------------------------------- ITX
    "ITX/domain.yaml": _domain("ITX", "Test Infrastructure Technical Framework"),
    "ITX/glossary.yaml": {
        "terms": [
            {"term": "Affinity Domain", "definition": "A group of organisations sharing documents.", "synonyms": ["XDS Affinity Domain"]},
            {"term": "Consistent Time", "definition": "Clocks agree; see [[profile:CT]]."},
        ]
    },
    "ITX/standards.yaml": {
        "standards": [
            {"id": "NTP-4", "title": "Network Time Protocol Version 4", "publisher": "IETF", "url": "https://www.rfc-editor.org/rfc/rfc5905"},
            {"id": "HL7-V2", "title": "HL7 Version 2.5", "publisher": "HL7"},
        ]
    },
    "ITX/actors/time-server.yaml": make_actor("time-server", "Time Server"),
    "ITX/actors/time-client.yaml": make_actor("time-client", "Time Client"),
    "ITX/actors/secure-node.yaml": make_actor("secure-node", "Secure Node"),
    "ITX/actors/document-source.yaml": make_actor("document-source", "Document Source"),
    "ITX/actors/document-recipient.yaml": make_actor("document-recipient", "Document Recipient"),
    "ITX/transactions/ITX-1.yaml": make_transaction("ITX-1", "Maintain Time", "time-client", "time-server", ["NTP-4"]),
    "ITX/transactions/ITX-2.yaml": make_transaction("ITX-2", "Provide Document", "document-source", "document-recipient", ["HL7-V2"]),
    "ITX/transactions/ITX-3.yaml": make_transaction("ITX-3", "Update Document", "document-source", "document-recipient", []),
    "ITX/transactions/ITX-4.yaml": make_transaction("ITX-4", "Authenticate Node", "secure-node", "secure-node", []),
    "ITX/profiles/CT.yaml": {
        "acronym": "CT",
        "name": "Consistent Time",
        "chapter": 7,
        "type": "transport",
        "status": "final-text",
        "summary": "Keeps clocks in step.",
        "actors": [
            {"actor": "time-server", "transactions": [{"transaction": "ITX-1", "optionality": "R"}], "options": [{"option": "secured-ntp"}]},
            {
                "actor": "time-client",
                "transactions": [{"transaction": "ITX-1", "optionality": "R"}],
                "options": [{"option": "sntp"}, {"option": "secured-ntp"}],
            },
        ],
        "options": [
            {"id": "sntp", "name": "SNTP", "description": "Simple NTP."},
            {"id": "secured-ntp", "name": "Secured NTP", "description": "NTP with authentication."},
        ],
    },
    "ITX/profiles/ATN.yaml": {
        "acronym": "ATN",
        "name": "Node Authentication",
        "chapter": 9,
        "type": "transport",
        "status": "final-text",
        "summary": "Authenticates nodes.",
        "actors": [{"actor": "secure-node", "transactions": [{"transaction": "ITX-4", "optionality": "R"}]}],
        "groupings": [{"actor": "secure-node", "with": [{"profile": "CT", "actor": "time-client"}]}],
    },
    "ITX/profiles/DOC.yaml": {
        "acronym": "DOC",
        "name": "Document Sharing",
        "chapter": 10,
        "type": "workflow",
        "status": "trial-implementation",
        "summary": "Shares documents between a source and a recipient.",
        "actors": [
            {
                "actor": "document-source",
                "transactions": [
                    {"transaction": "ITX-2", "optionality": "R"},
                    {"transaction": "ITX-3", "optionality": "O"},
                ],
                "options": [{"option": "document-update"}, {"option": "folders"}],
                "at_least_one_of": [{"options": ["document-update", "folders"], "note": "Pick one."}],
            },
            {
                "actor": "document-recipient",
                "transactions": [
                    {"transaction": "ITX-2", "optionality": "R"},
                    {"transaction": "ITX-3", "optionality": "C", "condition": "When the Document Update Option is claimed."},
                ],
                "options": [{"option": "document-update", "required": True}],
                "at_least_one_of": [{"transactions": ["ITX-2", "ITX-3"]}],
            },
        ],
        "options": [
            {"id": "document-update", "name": "Document Update", "description": "Replaces documents.", "transactions": ["ITX-3"]},
            {"id": "folders", "name": "Folders", "description": "Groups documents.", "requires": ["document-update"]},
        ],
        "groupings": [
            {"actor": "document-source", "with": [{"profile": "ATN", "actor": "secure-node"}]},
            {
                "actor": "document-recipient",
                "with": [{"profile": "CT", "actor": "time-client", "options": ["secured-ntp"]}],
                "when_option": "document-update",
            },
        ],
        "overview": (
            "The [[actor:document-source]] sends documents with [[ITX-2]].\n"
            "Clocks follow [[profile:CT]] ([[CT|Consistent Time]]); see [[option:DOC/document-update]],\n"
            "[[content:imaging-report]], [[standard:HL7-V2]] and [[transaction:RDX-1|storing images]].\n"
        ),
        "use_cases": [
            {
                "id": "share-a-document",
                "title": "Share a document",
                "description": "A clinic sends a discharge summary.",
                "steps": [
                    {"from": "document-source", "to": "document-recipient", "transaction": "ITX-2", "text": "Send it."},
                    {"from": "document-recipient", "text": "Store it."},
                ],
            },
            {"id": "update-a-document", "title": "Update a document", "description": "A correction follows."},
        ],
    },
    # ---------------------------------------------------------------- RDX
    "RDX/domain.yaml": _domain("RDX", "Test Radiology Technical Framework"),
    "RDX/actors/image-creator.yaml": make_actor("image-creator", "Image Creator"),
    "RDX/actors/image-archive.yaml": make_actor("image-archive", "Image Archive"),
    "RDX/actors/report-creator.yaml": make_actor("report-creator", "Report Creator"),
    "RDX/actors/report-reader.yaml": make_actor("report-reader", "Report Reader"),
    "RDX/transactions/RDX-1.yaml": make_transaction("RDX-1", "Store Image", "image-creator", "image-archive", ["HL7-V2"]),
    "RDX/profiles/IMG.yaml": {
        "acronym": "IMG",
        "name": "Image Workflow",
        "chapter": 1,
        "type": "workflow",
        "status": "public-comment",
        "summary": "Stores images.",
        "actors": [
            {"actor": "image-creator", "transactions": [{"transaction": "RDX-1", "optionality": "R"}]},
            {"actor": "image-archive", "transactions": [{"transaction": "RDX-1", "optionality": "R"}]},
        ],
        "groupings": [
            {"actor": "image-creator", "with": [{"profile": "CT", "actor": "time-client"}]},
            {
                "actor": "image-archive",
                "with": [{"profile": "ATN", "actor": "secure-node"}, {"profile": "DOC", "actor": "document-recipient"}],
            },
        ],
    },
    "RDX/profiles/RPT.yaml": {
        "acronym": "RPT",
        "name": "Imaging Report",
        "chapter": 2,
        "type": "content",
        "status": "public-comment",
        "summary": "An imaging report document.",
        "actors": [
            {"actor": "report-creator", "content_modules": [{"module": "imaging-report", "optionality": "R"}]},
            {"actor": "report-reader", "content_modules": [{"module": "imaging-report", "optionality": "O"}]},
        ],
        "groupings": [
            {"actor": "report-creator", "with": [{"profile": "DOC", "actor": "document-source"}], "kind": "recommended"},
        ],
    },
    "RDX/content/imaging-report.yaml": {
        "id": "imaging-report",
        "name": "Imaging Report",
        "section": "5.1",
        "summary": "A report on images; see [[RPT]].",
        "format": "HL7 CDA R2",
        "template_id": "1.3.6.1.4.1.19376.1.5",
        "standards": ["HL7-V2"],
        "sections": [{"title": "Header", "body": "Who wrote it."}],
    },
}


# --------------------------------------------------------------------------- writing YAML

class _Dumper(yaml.SafeDumper):
    """Block style throughout; multi-line strings as literal blocks (``|``)."""


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)


def schema_comment(rel: str, kind: str, root: Path) -> str:
    """The yaml-language-server line a spec file at ``root/rel`` would carry."""
    target = (root / rel).parent
    return f"# yaml-language-server: $schema={Path(os.path.relpath(SCHEMA_DIR / f'{kind}.schema.json', target)).as_posix()}\n"


def kind_of(rel: str) -> str | None:
    parts = Path(rel).parts
    if len(parts) == 2:
        return _KIND_OF_FILE.get(parts[1])
    if len(parts) == 3:
        return _KIND_OF_FOLDER.get(parts[1])
    return None


class SpecTree:
    """A specs folder to be written into a temporary directory.

    ``files`` maps a path relative to the specs folder to the file's data: a
    dict or list is written as YAML (with a schema line on top), a ``str`` or
    ``bytes`` value is written as is. Delete a key to leave the file out.
    """

    def __init__(self, root: Path, files: dict[str, Any]):
        self.root = root
        self.files = files

    def __getitem__(self, rel: str) -> Any:
        return self.files[rel]

    def __setitem__(self, rel: str, value: Any) -> None:
        self.files[rel] = value

    def __delitem__(self, rel: str) -> None:
        del self.files[rel]

    def path(self, rel: str) -> Path:
        return self.root / rel

    def write(self) -> Path:
        for rel, data in self.files.items():
            target = self.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                target.write_bytes(data)
            elif isinstance(data, str):
                target.write_text(data, encoding="utf-8")
            else:
                kind = kind_of(rel)
                header = schema_comment(rel, kind, self.root) if kind else ""
                target.write_text(header + to_yaml(data), encoding="utf-8")
        return self.root

    def validate(self) -> Validation:
        return validate(self.write())

    def text(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def line_of(self, rel: str, needle: str, occurrence: int = 1) -> int:
        """1-based line of the ``occurrence``-th source line containing ``needle`` (file must be written)."""
        seen = 0
        for number, line in enumerate(self.text(rel).splitlines(), start=1):
            if needle in line:
                seen += 1
                if seen == occurrence:
                    return number
        raise AssertionError(f"{needle!r} not found {occurrence} time(s) in {rel}:\n{self.text(rel)}")

    def col_of(self, rel: str, needle: str, occurrence: int = 1) -> int:
        """1-based column where ``needle`` starts on the line :meth:`line_of` finds."""
        line = self.text(rel).splitlines()[self.line_of(rel, needle, occurrence) - 1]
        return line.index(needle) + 1


@pytest.fixture
def tree(tmp_path: Path) -> SpecTree:
    """The valid two-domain framework, not yet written; change it, then call ``tree.validate()``."""
    return SpecTree(tmp_path / "specs", copy.deepcopy(BASE))


# --------------------------------------------------------------------------- asserting problems

def show(problems: list[Problem]) -> str:
    return "\n".join(f"  {p}" for p in problems) or "  (no problems)"


def with_rule(result: Validation | list[Problem], rule: str) -> list[Problem]:
    problems = result.problems if isinstance(result, Validation) else result
    return [p for p in problems if p.rule == rule]


def in_file(problem: Problem, rel: str) -> bool:
    return Path(problem.loc.file).as_posix().endswith(rel)


def expect(result: Validation, rule: str, rel: str, line: int | None = None, *, col: int | None = None) -> Problem:
    """Assert exactly one ``rule`` problem in file ``rel`` (at ``line``/``col`` if given) and return it."""
    candidates = [p for p in with_rule(result, rule) if in_file(p, rel)]
    where = f"{rel}" + (f":{line}" if line is not None else "") + (f":{col}" if col is not None else "")
    assert len(candidates) == 1, f"expected one [{rule}] problem in {rel}, got {len(candidates)}; all problems:\n{show(result.problems)}"
    problem = candidates[0]
    assert line is None or problem.loc.line == line, f"[{rule}] expected at {where}, got {problem.loc}:\n{show(result.problems)}"
    assert col is None or problem.loc.col == col, f"[{rule}] expected at {where}, got {problem.loc}:\n{show(result.problems)}"
    return problem


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 60):
    """Run the real command line in a subprocess; returns the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True, encoding="utf-8",
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )


@pytest.fixture(scope="session")
def example_framework():
    """The example framework (the committed specs/, see example.py), validated once per session (it must have no errors)."""
    result = validate(EXAMPLE_SPECS)
    assert not result.errors, show(result.errors)
    return result.framework
