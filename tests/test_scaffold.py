"""generator.scaffold: ``tfpub new`` files start valid and point at their schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import SCHEMA_DIR, show

from generator.scaffold import ScaffoldError, new_file

SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def schema_target(path: Path) -> Path:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = SCHEMA_LINE.match(first)
    assert match, f"first line of {path} is not a schema line: {first!r}"
    return (path.parent / match.group(1)).resolve()


CASES = [
    ("actor", "ITX", "audit-repository", {}),
    ("transaction", "ITX", "ITX-5", {"actors": ["time-client", "time-server"]}),
    ("profile", "RDX", "WFX", {"actors": ["image-creator"]}),
    ("content", "RDX", "imaging-summary", {"section": "5.2"}),
]


@pytest.mark.parametrize("kind, domain, id_, options", CASES, ids=[c[0] for c in CASES])
def test_new_file_points_at_its_schema_and_validates(tree, kind, domain, id_, options):
    tree.write()
    path = new_file(tree.root / domain, kind, id_, **options)
    folder = {"actor": "actors", "transaction": "transactions", "profile": "profiles", "content": "content"}[kind]
    assert path == tree.root / domain / folder / f"{id_}.yaml"
    assert schema_target(path) == (SCHEMA_DIR / f"{kind}.schema.json").resolve()
    assert schema_target(path).is_file()

    from generator.validate import validate

    result = validate(tree.root)
    assert result.errors == [], show(result.problems)
    allowed = {"unused-actor", "unused-transaction", "empty-actor", "todo-text"}
    assert {p.rule for p in result.warnings} <= allowed, show(result.problems)
    # the placeholder text it writes is reported until the editor replaces it, in the new file only
    todo = [p for p in result.warnings if p.rule == "todo-text"]
    assert todo and all(p.loc.file.endswith(f"{id_}.yaml") for p in todo), show(result.problems)


def test_new_profile_takes_the_next_free_chapter(tree):
    tree.write()
    path = new_file(tree.root / "ITX", "profile", "NEW", actors=["time-client"])
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["chapter"] == 11  # ITX uses 7, 9 and 10


def test_new_profile_with_a_chapter_and_name(tree):
    tree.write()
    path = new_file(tree.root / "ITX", "profile", "NEW", chapter=42, name="New Things", actors=["time-client", "secure-node"])
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert (data["chapter"], data["name"]) == (42, "New Things")
    assert [a["actor"] for a in data["actors"]] == ["time-client", "secure-node"]


def test_new_actor_name_comes_from_its_id(tree):
    tree.write()
    path = new_file(tree.root / "ITX", "actor", "audit-record-repository")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["name"] == "Audit Record Repository"


def test_schema_line_is_relative_and_portable(tree):
    tree.write()
    path = new_file(tree.root / "ITX", "actor", "audit-repository")
    reference = SCHEMA_LINE.match(path.read_text(encoding="utf-8").splitlines()[0]).group(1)
    assert not Path(reference).is_absolute()
    assert "\\" not in reference


@pytest.mark.parametrize(
    "kind, id_, words",
    [
        ("actor", "Audit_Repository", "not a valid actor id"),
        ("actor", "../escape", "not a valid actor id"),
        ("transaction", "ITX18", "not a valid transaction id"),
        ("profile", "a/b", "not a valid profile id"),
        ("content", "Report", "not a valid content id"),
        ("widget", "x", "unknown kind"),
    ],
)
def test_bad_ids_are_refused(tree, kind, id_, words):
    tree.write()
    with pytest.raises(ScaffoldError, match=words):
        new_file(tree.root / "ITX", kind, id_)
    assert not any(tree.root.rglob("escape.yaml"))


def test_existing_file_is_not_overwritten(tree):
    tree.write()
    before = tree.text("ITX/actors/time-client.yaml")
    with pytest.raises(ScaffoldError, match="already exists"):
        new_file(tree.root / "ITX", "actor", "time-client")
    assert tree.text("ITX/actors/time-client.yaml") == before


def test_transaction_must_belong_to_the_domain(tree):
    tree.write()
    with pytest.raises(ScaffoldError, match="numbered ITX-n"):
        new_file(tree.root / "ITX", "transaction", "RDX-7")
    assert not (tree.root / "ITX" / "transactions" / "RDX-7.yaml").exists()


def test_folder_without_domain_yaml_is_refused(tmp_path):
    with pytest.raises(ScaffoldError, match="not a domain folder"):
        new_file(tmp_path, "actor", "a")
