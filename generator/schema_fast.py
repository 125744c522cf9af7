"""A fast "is this document certainly valid?" test for the JSON Schemas tfpub ships.

jsonschema walks a document keyword by keyword through its generic machinery,
which costs about half a millisecond per spec file: most of ``tfpub validate``
on a large framework. Almost every file is valid, and for a valid file nobody
needs jsonschema's error objects. This module compiles a schema once into plain
Python closures that answer, per document, ``True`` (valid, certainly),
``False`` (invalid) or ``None`` (not sure). :func:`generator.schema_check.check_document`
skips jsonschema only on ``True``; anything else goes through jsonschema as
before, so every problem is still found and worded by jsonschema.

The compiler knows the keywords the shipped schemas use, with jsonschema's
semantics (draft 2020-12). A schema with any other keyword, or a non-local
``$ref``, is not compiled at all (:func:`compile_schema` returns None), and
values whose meaning it does not model exactly (a float where an integer is
expected, ``uniqueItems`` over non-strings, ``enum`` or ``const`` of non-strings)
answer ``None``.
"""

from __future__ import annotations

import re
from typing import Any, Callable

Check = Callable[[Any], "bool | None"]

_ANNOTATIONS = {
    "$schema", "$id", "$comment", "$defs", "definitions", "title", "description", "default", "examples",
    "deprecated", "readOnly", "writeOnly", "then", "else",  # then/else are compiled with their "if"
}


class Unsupported(Exception):
    """The schema uses something this compiler does not model; use jsonschema alone."""


def compile_schema(schema: dict) -> Check | None:
    """A three-valued validity test for ``schema``, or None when it cannot be compiled."""
    try:
        return _Compiler(schema).compile(schema)
    except (Unsupported, re.error, KeyError, TypeError, ValueError):
        return None


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _type_test(name: str) -> Check:
    if name == "object":
        return lambda x: isinstance(x, dict)
    if name == "array":
        return lambda x: isinstance(x, list)
    if name == "string":
        return lambda x: isinstance(x, str)
    if name == "boolean":
        return lambda x: isinstance(x, bool)
    if name == "null":
        return lambda x: x is None
    if name == "number":
        return _is_number
    if name == "integer":
        # 1.0 is an integer to JSON Schema; leave such floats to jsonschema.
        return lambda x: (True if isinstance(x, int) and not isinstance(x, bool) else (None if isinstance(x, float) and x.is_integer() else False))
    raise Unsupported(f"type {name!r}")


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda x: True
    if len(checks) == 1:
        return checks[0]

    def check(x: Any) -> bool | None:
        result: bool | None = True
        for c in checks:
            r = c(x)
            if r is False:
                return False
            if r is None:
                result = None
        return result

    return check


class _Compiler:
    def __init__(self, root: dict):
        self.root = root
        self.done: dict[int, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda x: True
        if schema is False:
            return lambda x: False
        if not isinstance(schema, dict):
            raise Unsupported("schema is not an object")
        key = id(schema)
        if key in self.done:
            return self.done[key]
        cell: list[Check] = []
        self.done[key] = lambda x: cell[0](x)  # a $ref back to a schema being compiled
        checks = [self.keyword(k, v, schema) for k, v in schema.items() if k not in _ANNOTATIONS]
        compiled = _all([c for c in checks if c is not None])
        cell.append(compiled)
        self.done[key] = compiled
        return compiled

    def ref(self, target: str) -> Check:
        if not target.startswith("#"):
            raise Unsupported(f"$ref {target!r}")
        node: Any = self.root
        for part in [p for p in target[1:].split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        return self.compile(node)

    def keyword(self, kw: str, v: Any, schema: dict) -> Check | None:
        if kw == "type":
            tests = [_type_test(t) for t in ([v] if isinstance(v, str) else v)]
            if len(tests) == 1:
                return tests[0]

            def any_type(x: Any) -> bool | None:
                results = [t(x) for t in tests]
                return True if True in results else (None if None in results else False)

            return any_type
        if kw == "$ref":
            return self.ref(v)
        if kw == "properties":
            props = {name: self.compile(sub) for name, sub in v.items()}

            def properties(x: Any) -> bool | None:
                if not isinstance(x, dict):
                    return True
                result: bool | None = True
                for name, value in x.items():
                    c = props.get(name)
                    if c is not None:
                        r = c(value)
                        if r is False:
                            return False
                        if r is None:
                            result = None
                return result

            return properties
        if kw == "additionalProperties":
            if "patternProperties" in schema:
                raise Unsupported("patternProperties")
            known = frozenset(schema.get("properties", {}))
            if v is False:
                return lambda x: (not isinstance(x, dict)) or known.issuperset(x)
            sub = self.compile(v)

            def additional(x: Any) -> bool | None:
                if not isinstance(x, dict):
                    return True
                result: bool | None = True
                for name, value in x.items():
                    if name not in known:
                        r = sub(value)
                        if r is False:
                            return False
                        if r is None:
                            result = None
                return result

            return additional
        if kw == "required":
            names = list(v)
            return lambda x: (not isinstance(x, dict)) or all(n in x for n in names)
        if kw == "items":
            if not isinstance(v, (dict, bool)):
                raise Unsupported("items as a list")
            sub = self.compile(v)

            def items(x: Any) -> bool | None:
                if not isinstance(x, list):
                    return True
                result: bool | None = True
                for item in x:
                    r = sub(item)
                    if r is False:
                        return False
                    if r is None:
                        result = None
                return result

            return items
        if kw == "enum":
            if not all(isinstance(e, str) for e in v):
                raise Unsupported("enum of non-strings")
            allowed = frozenset(v)
            return lambda x: isinstance(x, str) and x in allowed
        if kw == "const":
            if not isinstance(v, str):
                raise Unsupported("const that is not a string")
            return lambda x: isinstance(x, str) and x == v
        if kw == "pattern":
            search = re.compile(v).search
            return lambda x: (not isinstance(x, str)) or search(x) is not None
        if kw == "minLength":
            return lambda x: (not isinstance(x, str)) or len(x) >= v
        if kw == "maxLength":
            return lambda x: (not isinstance(x, str)) or len(x) <= v
        if kw == "minItems":
            return lambda x: (not isinstance(x, list)) or len(x) >= v
        if kw == "maxItems":
            return lambda x: (not isinstance(x, list)) or len(x) <= v
        if kw == "uniqueItems":
            if not v:
                return None

            def unique(x: Any) -> bool | None:
                if not isinstance(x, list):
                    return True
                if not all(isinstance(i, str) for i in x):
                    return None
                return len(set(x)) == len(x)

            return unique
        if kw == "minimum":
            return lambda x: (not _is_number(x)) or x >= v
        if kw == "maximum":
            return lambda x: (not _is_number(x)) or x <= v
        if kw in ("allOf", "anyOf", "oneOf"):
            subs = [self.compile(s) for s in v]
            if kw == "allOf":
                return _all(subs)

            def combined(x: Any) -> bool | None:
                results = [s(x) for s in subs]
                if None in results:
                    return None
                n = results.count(True)
                return n >= 1 if kw == "anyOf" else n == 1

            return combined
        if kw == "if":
            test = self.compile(v)
            then = self.compile(schema["then"]) if "then" in schema else None
            otherwise = self.compile(schema["else"]) if "else" in schema else None

            def conditional(x: Any) -> bool | None:
                r = test(x)
                if r is None:
                    return None
                branch = then if r else otherwise
                return True if branch is None else branch(x)

            return conditional
        raise Unsupported(kw)
