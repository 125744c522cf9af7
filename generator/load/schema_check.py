"""Check loaded documents against the JSON Schemas shipped in ``generator/schemas``.

jsonschema does the checking; this module only turns its errors into located
problems written for editors (the offending key, not the whole mapping; a
"did you mean" for misspelt keys; plain words for type mismatches).
"""

from __future__ import annotations

import copy
import difflib
import json
import re
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
    if kind == "anyOf" and path[-1:] == ("external",):
        return path, "cite the external actor's profile, its reference, or both ('profile: QEDm', 'reference: \"PCC TF-2: 3.1\"')", False
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
    compiled = _compiled(schema(kind))

    def check(data) -> bool:
        try:
            compiled(data)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return check


# In the generated code, every error carries its message, the value and the schema (as a literal:
# most of the code's size, and of the time to compile it), and every list item's name is
# formatted from locals() on the way in. Only "valid or not" is asked of it here, so each raise
# is cut to a bare one and the names to the caller's; what is accepted does not change (a test
# compares the decisions with jsonschema's on every shipped example and bad input).
_RAISE = re.compile(r"^(?P<indent>[ ]*)raise JsonSchemaValueException\(.*$", re.MULTILINE)
_ITEM_NAME = re.compile(r'\(name_prefix or "data"\) \+ "(?:[^"\\]|\\.)*"(?:\.format\(\*\*locals\(\)\))?')


def _compiled(definition: dict):
    """``fastjsonschema.compile(definition)``, leaner: the same decisions, no error details."""
    code = fastjsonschema.compile_to_code(definition)
    code = _RAISE.sub(lambda m: m.group("indent") + 'raise JsonSchemaValueException("invalid")', code)
    code = _ITEM_NAME.sub("name_prefix", code)
    namespace: dict[str, Any] = {}
    exec(compile(code, f"<schema {definition.get('title', '')}>", "exec"), namespace)  # noqa: S102 - code generated from our own schema
    return namespace["validate"]


def check_document(doc: Document, kind: str) -> list[Problem]:
    if fast_check(kind)(doc.data):
        return []  # valid: jsonschema would report nothing
    problems = []
    for err in validator(kind).iter_errors(doc.data):
        for path, message, at_key in _describe_all(err):
            if "\n" in message or "\r" in message:  # one line per problem, whatever jsonschema or a description says
                message = " ".join(message.split())
            problems.append(error(doc.loc(path, key=at_key), message, f"schema-{err.validator}"))
    return problems


MAX_CUTS = 200  # a file with more faults than this is not worth checking further


def valid_part(doc: Document, kind: str) -> Document | None:
    """``doc`` with what its schema rejects cut away, for the checks that can still run on it.

    A file that fails its schema stays out of the model, but the rest of it may well
    hold mistakes of its own (an unknown actor two entries below a misspelt key); an
    editor should see them in the same run, not one fix later. So each fault is cut at
    the smallest part that can go: an unknown key, else the list item holding the fault,
    else a key of the file that is not required. When a required key of the file itself
    is at fault nothing sensible is left, and this gives None. The positions of what
    remains are those of the original file.
    """
    part = Document(
        path=doc.path,
        display=doc.display,
        data=copy.deepcopy(doc.data),
        value_locs=dict(doc.value_locs),
        key_locs=dict(doc.key_locs),
        block_scalars=set(doc.block_scalars),
    )
    required = set(schema(kind).get("required", []))
    for _ in range(MAX_CUTS):
        err = next(iter(validator(kind).iter_errors(part.data)), None)
        if err is None:
            return part
        target = _cut_point(err, required)
        if target is None:
            return None
        _cut(part, target)
    return None


def _cut_point(err: ValidationError, required: set[str]) -> tuple | None:
    path = tuple(err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        extras = sorted(k for k in err.instance if k not in err.schema.get("properties", {}))
        if extras:
            return path + (extras[0],)
    items = [i for i, part in enumerate(path) if isinstance(part, int)]
    if items:
        return path[: items[-1] + 1]
    if path and path[0] not in required:
        return path[:1]
    return None


def _cut(doc: Document, path: tuple) -> None:
    """Remove the node at ``path``; positions recorded after it in its list move up by one."""
    parent = doc.data_at(path[:-1])
    last = path[-1]
    del parent[last]
    depth = len(path) - 1

    def moved(p: tuple) -> tuple | None:
        if p[: len(path)] == path:
            return None
        if isinstance(last, int) and len(p) > depth and p[:depth] == path[:-1] and isinstance(p[depth], int) and p[depth] > last:
            return p[:depth] + (p[depth] - 1,) + p[depth + 1 :]
        return p

    for table in (doc.value_locs, doc.key_locs):
        kept = {}
        for p, at in table.items():
            q = moved(p)
            if q is not None:
                kept[q] = at
        table.clear()
        table.update(kept)
    doc.block_scalars = {q for q in map(moved, doc.block_scalars) if q is not None}
