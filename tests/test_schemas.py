"""generator/schemas: every shipped JSON Schema is a valid 2020-12 schema."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import SCHEMA_DIR, kind_of, to_yaml
from jsonschema import Draft202012Validator

from generator.load.schema_check import KINDS, schema, schema_text, validator

SCHEMA_FILES = sorted(SCHEMA_DIR.glob("*.schema.json"))
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def test_there_are_schemas():
    assert {f.name for f in SCHEMA_FILES} >= {f"{kind}.schema.json" for kind in KINDS}


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_schema_is_valid_against_the_2020_12_meta_schema(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data.get("$schema") == DRAFT_2020_12
    Draft202012Validator.check_schema(data)


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_schema_refs_resolve(path):
    """Every local $ref points at a definition that exists."""
    data = json.loads(path.read_text(encoding="utf-8"))
    refs: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    for ref in refs:
        if not ref.startswith("#"):
            continue
        target = data
        for part in ref.lstrip("#/").split("/") if ref != "#" else []:
            assert part in target, f"{path.name}: $ref {ref} does not resolve"
            target = target[part]


@pytest.mark.parametrize("kind", KINDS)
def test_schema_text_is_the_shipped_file(kind):
    assert json.loads(schema_text(kind)) == json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    assert schema(kind)["title"]


@pytest.mark.parametrize("kind", KINDS)
def test_top_level_keys_are_closed(kind):
    """A misspelt top-level key must be an error, not silently ignored."""
    assert schema(kind).get("additionalProperties") is False


@pytest.mark.parametrize("rel", ["ITX/domain.yaml", "ITX/glossary.yaml", "ITX/standards.yaml", "ITX/actors/time-client.yaml",
                                 "ITX/transactions/ITX-1.yaml", "ITX/profiles/DOC.yaml", "RDX/content/imaging-report.yaml"])
def test_fixture_files_are_valid_instances(tree, rel):
    """The schemas accept the fixture's files as written (and parsed back from YAML)."""
    data = yaml.safe_load(to_yaml(tree[rel]))
    errors = list(validator(kind_of(rel)).iter_errors(data))
    assert errors == []
