"""generator.load.yaml_loader: every yaml-* rule, the guards, and the recorded positions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.load import yaml_loader
from generator.load.yaml_loader import load_file


def load(tmp_path: Path, content: str | bytes, name: str = "spec.yaml", **kwargs):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return load_file(path, name, **kwargs)


def only_problem(problems, rule: str, line: int, col: int | None = None):
    assert [p.rule for p in problems] == [rule], [str(p) for p in problems]
    problem = problems[0]
    assert problem.is_error
    assert problem.loc.file == "spec.yaml"
    assert problem.loc.line == line, str(problem)
    if col is not None:
        assert problem.loc.col == col, str(problem)
    return problem


# --------------------------------------------------------------------------- passing cases

def test_plain_data_loads_with_no_problems(tmp_path):
    doc, problems = load(
        tmp_path,
        "id: a\ncount: 3\nratio: 0.5\nflag: true\nnothing: null\nwhen: 2024-01-15\nitems:\n  - x\n  - {k: v}\n",
    )
    assert problems == []
    assert doc.data == {
        "id": "a",
        "count": 3,
        "ratio": 0.5,
        "flag": True,
        "nothing": None,
        "when": "2024-01-15",  # dates stay text
        "items": ["x", {"k": "v"}],
    }


def test_positions_of_keys_and_values_are_recorded(tmp_path):
    doc, _ = load(tmp_path, "# comment\nid: a\nactors:\n  - actor: x\n    note: y\n")
    assert (doc.loc(("id",)).line, doc.loc(("id",)).col) == (2, 5)
    assert (doc.loc(("id",), key=True).line, doc.loc(("id",), key=True).col) == (2, 1)
    assert (doc.loc(("actors", 0)).line, doc.loc(("actors", 0)).col) == (4, 5)
    assert (doc.loc(("actors", 0, "note"), key=True).line, doc.loc(("actors", 0, "note"), key=True).col) == (5, 5)
    # an unknown path falls back to its nearest recorded ancestor
    assert doc.loc(("actors", 0, "missing")).line == 4


def test_anchors_and_aliases_are_allowed_in_moderation(tmp_path):
    doc, problems = load(tmp_path, "a: &x [1, 2]\nb: *x\n")
    assert problems == []
    assert doc.data == {"a": [1, 2], "b": [1, 2]}


def test_byte_order_mark_is_accepted(tmp_path):
    doc, problems = load(tmp_path, "\ufeffid: a\n")
    assert problems == []
    assert doc.data == {"id": "a"}


def test_quoted_merge_key_is_an_ordinary_key(tmp_path):
    doc, problems = load(tmp_path, "'<<': a\n")
    assert problems == []
    assert doc.data == {"<<": "a"}


def test_non_string_keys_become_text(tmp_path):
    doc, problems = load(tmp_path, "1: one\ntrue: yes\n")
    assert problems == []
    assert doc.data == {"1": "one", "true": True}


# --------------------------------------------------------------------------- yaml-syntax

def test_unclosed_flow_sequence_is_a_syntax_error(tmp_path):
    doc, problems = load(tmp_path, "id: [a, b\nname: x\n")
    assert doc is None
    problem = only_problem(problems, "yaml-syntax", line=2)
    assert "the '[' at line 1, column 5 is not closed" in problem.message and "add the missing ']'" in problem.message


# PyYAML's parser words ("expected <block end>, but found '?'") are said as the editor's mistake,
# with the fix, at PyYAML's own position of the problem.
PLAIN_SYNTAX = [
    ("key less indented than its siblings", "id: a\nroles:\n  - actor: x\n    role: initiator\n   description: y\n", (5, 4),
     "this line is indented differently from the lines above it (it starts at column 4, line 4 at column 5); keys of one mapping must line up"),
    ("key at the level of list items", "id: a\nroles:\n  - actor: x\n  role: y\n", (4, 3),
     "a list item and a key cannot be siblings: this key lines up with the '- ' items of the list above (from line 3)"),
    ("list item at the level of keys", "id: a\nname: b\n- x\n", (3, 1),
     "a list item and a key cannot be siblings: this '- ' item lines up with the keys of the mapping above"),
    ("list item less indented than the others", "roles:\n- actor: a\n  role: b\n - actor: c\n", (4, 2),
     "(it starts at column 2, line 2 at column 1); items of one list must line up"),
    ("key indented under a value", "id: a\nname: b\n  definition: c\n", (3, 13),
     "this line is indented more than line 2, so YAML reads it as the rest of that line's value"),
    ("colon inside a value", "id: a\nname: b: c\n", (2, 8), "a value contains ': ', which YAML reads as the start of a new key; put the value in quotes"),
    ("key without a colon", "id: a\nname\nother: c\n", (3, 1), "line 2 is not a 'key: value' line: add ':' after the key"),
    ("quote never closed", 'id: a\nname: "b\n', (3, 1), "the quoted text that starts at line 2, column 7 is never closed; add the closing quote"),
    ("text after a closing quote", "a: 'it's'\n", (1, 8), "text follows a closing quote on this line; put the whole value in quotes"),
    ("closing bracket without an opening one", "a: [b, c]]\n", (1, 10), "this ']' closes no '['; remove it"),
    ("reserved first character", "id: @a\n", (1, 5), "a value cannot start with '@' in YAML; put the value in quotes"),
    ("list on the line of its key", "a: - b\n", (1, 4), "a '- ' list cannot start on the line of its key"),
    ("unknown escape", 'a: "x\\q"\n', (1, 7), "unknown escape character 'q' in double quotes; use single quotes"),
    ("text after the block indicator", "id: |x\n  a\n", (1, 6), "after '|' or '>' only '-', '+' or a digit may follow"),
]


@pytest.mark.parametrize("text, where, words", [c[1:] for c in PLAIN_SYNTAX], ids=[c[0] for c in PLAIN_SYNTAX])
def test_syntax_errors_in_plain_words(tmp_path, text, where, words):
    doc, problems = load(tmp_path, text)
    assert doc is None
    problem = only_problem(problems, "yaml-syntax", line=where[0], col=where[1])
    assert words in problem.message, problem.message
    assert "expected <block end>" not in problem.message and "\n" not in problem.message


def test_untranslated_syntax_error_keeps_pyyaml_words_on_one_line(tmp_path):
    doc, problems = load(tmp_path, "%YAML 2.0\n---\nid: a\n")
    assert doc is None
    problem = only_problem(problems, "yaml-syntax", line=1)
    assert "version 1.* is required" in problem.message
    assert problem.message.startswith("malformed YAML: ") and "\n" not in problem.message and "  " not in problem.message


@pytest.mark.parametrize("text", ["a: !!bool maybe\n", "a: !!float x\n", "a: !!int 1e999x\n"])
def test_explicit_tag_on_a_value_it_cannot_read(tmp_path, text):
    doc, problems = load(tmp_path, text)  # '!!bool maybe' raised a KeyError traceback
    assert doc is None
    problem = only_problem(problems, "yaml-syntax", line=1, col=4)
    assert "cannot read value" in problem.message and "remove the '!!" in problem.message and "\n" not in problem.message


def test_bad_indentation_is_a_syntax_error(tmp_path):
    doc, problems = load(tmp_path, "id: a\n  name: b\n")
    assert doc is None
    only_problem(problems, "yaml-syntax", line=2, col=7)


def test_alias_without_anchor_is_a_syntax_error(tmp_path):
    doc, problems = load(tmp_path, "a: 1\nb: *nowhere\n")
    assert doc is None
    assert "*nowhere" in only_problem(problems, "yaml-syntax", line=2, col=4).message


def test_complex_mapping_key_is_a_syntax_error(tmp_path):
    doc, problems = load(tmp_path, "id: a\n? [x, y]\n: 1\n")
    assert doc is None
    only_problem(problems, "yaml-syntax", line=2)


def test_explicit_int_tag_on_text_is_a_syntax_error(tmp_path):
    doc, problems = load(tmp_path, "id: a\ncount: !!int many\n")
    assert doc is None
    only_problem(problems, "yaml-syntax", line=2, col=8)


# --------------------------------------------------------------------------- yaml-tab

def test_tab_indentation_is_reported_as_such(tmp_path):
    doc, problems = load(tmp_path, "id: a\nname:\n\tnested: 1\n")
    assert doc is None
    problem = only_problem(problems, "yaml-tab", line=3, col=1)
    assert "tab" in problem.message


def test_tab_inside_a_value_is_fine(tmp_path):
    doc, problems = load(tmp_path, 'id: a\nname: "x\\ty"\n')
    assert problems == []
    assert doc.data["name"] == "x\ty"


# --------------------------------------------------------------------------- yaml-duplicate-key

def test_duplicate_key_is_reported_and_the_document_kept(tmp_path):
    doc, problems = load(tmp_path, "id: a\nname: x\nid: b\n")
    problem = only_problem(problems, "yaml-duplicate-key", line=3, col=1)
    assert "'id'" in problem.message and "line 1" in problem.message
    assert doc.data == {"id": "a", "name": "x"}  # the first value stays


def test_duplicate_nested_key_is_reported_at_the_second(tmp_path):
    doc, problems = load(tmp_path, "a:\n  b: 1\n  c: 2\n  b: 3\nd: 4\n")
    only_problem(problems, "yaml-duplicate-key", line=4, col=3)
    assert doc.data == {"a": {"b": 1, "c": 2}, "d": 4}


def test_every_duplicate_key_is_reported(tmp_path):
    _, problems = load(tmp_path, "a: 1\na: 2\nb: 1\nb: 2\n")
    assert [(p.rule, p.loc.line) for p in problems] == [("yaml-duplicate-key", 2), ("yaml-duplicate-key", 4)]


def test_same_key_in_sibling_mappings_is_not_a_duplicate(tmp_path):
    _, problems = load(tmp_path, "- id: a\n- id: b\n")
    assert problems == []


# --------------------------------------------------------------------------- yaml-tag

@pytest.mark.parametrize(
    "text, line, col",
    [
        ("id: !!python/object:os.system x\n", 1, 5),
        ('id: a\nrun: !!python/object/apply:os.system ["echo pwned"]\n', 2, 6),
        ("!!python/object/apply:os.system\nargs: [echo]\n", 1, 1),
        ("id: !!python/name:os.system ''\n", 1, 5),
        ("id: !custom value\n", 1, 5),
        ("id: !!binary aGVsbG8=\n", 1, 5),
        ("id: !!set {a, b}\n", 1, 5),
    ],
)
def test_tags_that_construct_objects_are_refused(tmp_path, text, line, col):
    doc, problems = load(tmp_path, text)
    assert doc is None
    assert "not allowed" in only_problem(problems, "yaml-tag", line=line, col=col).message


def test_standard_tags_are_allowed(tmp_path):
    doc, problems = load(tmp_path, "a: !!str 12\nb: !!int '7'\nc: !!timestamp 2024-01-15\nd: !!map {x: 1}\n")
    assert problems == []
    assert doc.data == {"a": "12", "b": 7, "c": "2024-01-15", "d": {"x": 1}}


# --------------------------------------------------------------------------- yaml-merge-key

def test_merge_key_is_refused(tmp_path):
    doc, problems = load(tmp_path, "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n")
    assert doc is None
    assert "'<<'" in only_problem(problems, "yaml-merge-key", line=3, col=3).message


# --------------------------------------------------------------------------- yaml-multiple-documents

def test_second_document_is_refused(tmp_path):
    doc, problems = load(tmp_path, "id: a\n---\nid: b\n")
    assert doc is None
    only_problem(problems, "yaml-multiple-documents", line=2)


def test_one_explicit_document_is_fine(tmp_path):
    doc, problems = load(tmp_path, "---\nid: a\n...\n")
    assert problems == []
    assert doc.data == {"id": "a"}


# --------------------------------------------------------------------------- yaml-empty

@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "~\n", "---\n"])
def test_empty_file_is_reported(tmp_path, text):
    doc, problems = load(tmp_path, text)
    assert doc is None
    only_problem(problems, "yaml-empty", line=1)


# --------------------------------------------------------------------------- yaml-encoding

def test_invalid_utf8_is_reported_at_the_bad_byte(tmp_path):
    doc, problems = load(tmp_path, b"id: a\nname: caf\xe9 latte\n")
    assert doc is None
    assert "0xe9" in only_problem(problems, "yaml-encoding", line=2, col=10).message


def test_binary_file_is_reported(tmp_path):
    doc, problems = load(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert doc is None
    assert "binary" in only_problem(problems, "yaml-encoding", line=1).message


def test_utf16_file_is_reported_not_misread(tmp_path):
    doc, problems = load(tmp_path, "id: a\n".encode("utf-16"))
    assert doc is None
    only_problem(problems, "yaml-encoding", line=1)


# --------------------------------------------------------------------------- yaml-too-large

def test_file_over_the_size_limit_is_not_read(tmp_path):
    doc, problems = load(tmp_path, "id: a\nname: " + "x" * 2000 + "\n", max_bytes=1024)
    assert doc is None
    assert "MB limit" in only_problem(problems, "yaml-too-large", line=1).message


def test_alias_bomb_is_stopped(tmp_path):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    doc, problems = load(tmp_path, "\n".join(lines) + "\n")
    assert doc is None
    # levels expand to 11, 111, 1111, ... nodes: a5 (line 6) is the first past the limit
    problem = only_problem(problems, "yaml-too-large", line=6)
    assert "alias" in problem.message


def test_too_many_plain_nodes_are_stopped(tmp_path):
    count = yaml_loader.MAX_NODES + 10
    doc, problems = load(tmp_path, "items:\n" + "- 1\n" * count)
    assert doc is None
    # the mapping and the list are two nodes, so item MAX_NODES - 1 (on line MAX_NODES) passes the limit
    only_problem(problems, "yaml-too-large", line=yaml_loader.MAX_NODES)


def test_repeated_small_alias_is_within_limits(tmp_path):
    doc, problems = load(tmp_path, "a: &x {k: v}\nb: [" + ", ".join(["*x"] * 1000) + "]\n")
    assert problems == []
    assert len(doc.data["b"]) == 1000


# --------------------------------------------------------------------------- yaml-too-deep

def test_deep_flow_nesting_is_refused(tmp_path):
    doc, problems = load(tmp_path, "[" * 100_000)
    assert doc is None
    only_problem(problems, "yaml-too-deep", line=1, col=yaml_loader.MAX_DEPTH + 1)


def test_deep_block_nesting_is_refused(tmp_path):
    text = "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "leaf\n"
    doc, problems = load(tmp_path, text)
    assert doc is None
    only_problem(problems, "yaml-too-deep", line=yaml_loader.MAX_DEPTH + 1)


def test_nesting_just_within_the_limit_is_fine(tmp_path):
    depth = yaml_loader.MAX_DEPTH
    doc, problems = load(tmp_path, "[" * depth + "]" * depth + "\n")
    assert problems == []
    node, levels = doc.data, 0
    while isinstance(node, list):
        levels += 1
        node = node[0] if node else None
    assert levels == depth


# --------------------------------------------------------------------------- file-unreadable

def test_missing_file_is_unreadable(tmp_path):
    doc, problems = load_file(tmp_path / "gone.yaml", "gone.yaml")
    assert doc is None
    assert [p.rule for p in problems] == ["file-unreadable"]
    assert problems[0].loc.file == "gone.yaml"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file")
def test_file_without_read_permission_is_unreadable(tmp_path):
    path = tmp_path / "secret.yaml"
    path.write_text("id: a\n", encoding="utf-8")
    path.chmod(0)
    try:
        doc, problems = load_file(path, "secret.yaml")
    finally:
        path.chmod(0o644)
    assert doc is None
    assert [p.rule for p in problems] == ["file-unreadable"]


# --------------------------------------------------------------------------- text positions

def test_text_loc_in_a_literal_block_is_exact(tmp_path):
    text = "id: a\nbody: |\n  first line\n  second [[ITI-18]] line\n"
    doc, _ = load(tmp_path, text)
    offset = doc.data["body"].index("[[")
    loc = doc.text_loc(("body",), offset)
    assert (loc.line, loc.col) == (4, 10)


def test_text_loc_in_a_folded_block_finds_the_source_line(tmp_path):
    text = "id: a\nbody: >-\n  a paragraph that is folded\n  onto one [[ITI-18]] line\n\n  then [[ITI-43]] again\n"
    doc, _ = load(tmp_path, text)
    body = doc.data["body"]
    first = doc.text_loc(("body",), body.index("[[ITI-18"))
    second = doc.text_loc(("body",), body.index("[[ITI-43"))
    assert (first.line, first.col) == (4, 12)
    assert (second.line, second.col) == (6, 8)


def test_text_loc_in_plain_and_quoted_scalars(tmp_path):
    doc, _ = load(tmp_path, "plain: see [[ITI-18]]\nquoted: \"see [[ITI-18]]\"\n")
    plain = doc.text_loc(("plain",), 4)
    quoted = doc.text_loc(("quoted",), 4)
    assert (plain.line, plain.col) == (1, 12)
    assert (quoted.line, quoted.col) == (2, 14)
