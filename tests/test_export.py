"""The model export: valid against its schema, stable, and the same as the site's model.json."""

from __future__ import annotations

import json

from example import EXAMPLE
from jsonschema import Draft202012Validator
from sitebuild import example_site, tfpub

from generator.load.schema_check import schema


def test_export_matches_its_schema_and_the_published_copy():
    result = tfpub("export", "specs", cwd=EXAMPLE)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    errors = list(Draft202012Validator(schema("export")).iter_errors(data))
    assert errors == []
    assert (example_site() / "model.json").read_text(encoding="utf-8") == result.stdout
    assert [p["acronym"] for p in data["profiles"]][:3] == ["PIX", "CT", "PDQ"]  # chapter order
    xds = next(p for p in data["profiles"] if p["acronym"] == "XDS.b")
    assert {"profile": "ATNA", "actor": "secure-node", "options": []} in xds["groupings"][1]["with"]


def test_export_refuses_specs_with_errors(tree):
    tree["ITX/actors/" + next(k.split("/")[-1] for k in tree.files if k.startswith("ITX/actors/"))]["name"] = 7
    tree.write()
    result = tfpub("export", str(tree.root))
    assert result.returncode == 1
    assert "error:" in result.stderr and result.stdout == ""
