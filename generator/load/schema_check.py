"""Check loaded documents against the JSON Schemas shipped in ``generator/schemas``.

jsonschema does the checking; this module only turns its errors into located
problems written for editors (the offending key, not the whole mapping; a
"did you mean" for misspelt keys; plain words for type mismatches).
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib import resources
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..problems import Problem, error
from .yaml_loader import Document

KINDS = ("domain", "actor", "transaction", "profile", "content", "glossary", "standards", "annex", "statement", "export")
_TYPE_WORDS = {
    "object": "a mapping (key: value lines)",
    "array": "a list ('- ' items)",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing",
}


def schema_text(kind: str) -> str:
    return resources.files("generator.schemas").joinpath(f"{kind}.schema.json").read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def schema(kind: str) -> dict:
    return json.loads(schema_text(kind))


@lru_cache(maxsize=None)
def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(schema(kind))


def _type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    return "string"


def _describe(err: ValidationError) -> tuple[tuple, str, bool]:
    """(path, message, at_key) for one jsonschema error."""
    path = tuple(err.absolute_path)
    kind = err.validator
    inst = err.instance
    if kind == "additionalProperties":
        extras = sorted(k for k in inst if k not in err.schema.get("properties", {}))
        return _unknown_key(err, extras[0] if extras else "")
    if kind == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return path, f"missing required key '{missing}'", False
    if kind == "type":
        want = err.validator_value if isinstance(err.validator_value, str) else err.validator_value[0]
        return path, f"expected {_TYPE_WORDS.get(want, want)} here, found {_TYPE_WORDS[_type_name(inst)]}", False
    if kind == "enum":
        choices = ", ".join(str(c) for c in err.validator_value)
        return path, f"{inst!r} is not allowed here; use one of: {choices}", False
    if kind == "const":
        return path, f"{inst!r} must be {err.validator_value!r}", False
    if kind == "pattern":
        return path, f"{inst!r} is not in the expected form ({_pattern_hint(err)})", False
    if kind == "minLength":
        return path, "this text must not be empty", False
    if kind == "minItems":
        return path, f"this list needs at least {err.validator_value} item(s)", False
    if kind == "uniqueItems":
        return path, "this list repeats an item; list each one once", False
    if kind == "oneOf" and "at_least_one_of" in path:
        return path, "give either 'transactions' or 'options' in an at_least_one_of entry, not both", False
    if kind in ("minimum", "maximum"):
        return path, f"{inst!r} is out of range ({kind} {err.validator_value})", False
    return path, err.message, False


def _unknown_key(err: ValidationError, key: str) -> tuple[tuple, str, bool]:
    allowed = sorted(err.schema.get("properties", {}))
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else f"allowed here: {', '.join(allowed)}"
    return tuple(err.absolute_path) + (key,), f"unknown key '{key}'; {hint}", True


def _describe_all(err: ValidationError) -> list[tuple[tuple, str, bool]]:
    """One description per fault: an additionalProperties error names every unknown key."""
    if err.validator == "additionalProperties":
        extras = sorted(k for k in err.instance if k not in err.schema.get("properties", {}))
        if extras:
            return [_unknown_key(err, key) for key in extras]
    return [_describe(err)]


def _pattern_hint(err: ValidationError) -> str:
    desc = err.schema.get("description", "")
    return desc.rstrip(".") if desc else f"must match {err.validator_value}"


@lru_cache(maxsize=None)
def fast_check(kind: str):
    """A compiled validity test (fastjsonschema), for the common case: a valid file.

    jsonschema's generic machinery costs about a millisecond per file, most of a
    large framework's validation; fastjsonschema compiles each schema to Python
    once. It only decides whether a file needs looking at: a file it rejects goes
    through jsonschema, which finds and words every error. The shipped schemas use
    only keywords both libraries read the same way (a test compares them).
    """
    compiled = fastjsonschema.compile(schema(kind))

    def check(data) -> bool:
        try:
            compiled(data)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return check


def check_document(doc: Document, kind: str) -> list[Problem]:
    if fast_check(kind)(doc.data):
        return []  # valid: jsonschema would report nothing
    problems = []
    for err in validator(kind).iter_errors(doc.data):
        for path, message, at_key in _describe_all(err):
            problems.append(error(doc.loc(path, key=at_key), message, f"schema-{err.validator}"))
    return problems
