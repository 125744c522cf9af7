"""Hostile and broken files, run through the real command line in a subprocess.

Each file of tests/bad_input/ (and two generated ones too big to commit) is put
into a temporary domain and validated. Every run must end with exit code 1 and
a located error naming the expected rule: no traceback, no hang, no code run
from the file, and memory bounded (the child runs under an address-space limit,
so an alias bomb that expanded would die with MemoryError and a traceback).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BAD_INPUT, REPO_ROOT

MEMORY_LIMIT = 1 << 30  # 1 GiB of address space for the child process

DOMAIN_YAML = """\
acronym: ITX
title: Test Infrastructure Technical Framework
revision: "1.0"
date: "2024-01-15"
status: trial-implementation
"""

# file in tests/bad_input, folder in the domain, expected rule, expected line
CASES = [
    ("malformed.yaml", "actors", "yaml-syntax", 3),
    ("tabs.yaml", "actors", "yaml-tab", 4),
    ("duplicate-keys.yaml", "actors", "yaml-duplicate-key", 4),
    ("alias-bomb.yaml", "actors", "yaml-too-large", 7),
    ("python-object.yaml", "actors", "yaml-tag", 2),
    ("python-apply.yaml", "actors", "yaml-tag", 3),
    ("list-not-mapping.yaml", "actors", "schema-type", 1),
    ("scalar-not-mapping.yaml", "actors", "schema-type", 1),
    ("wrong-types.yaml", "actors", "schema-type", 3),
    ("empty.yaml", "actors", "yaml-empty", 1),
    ("binary.yaml", "actors", "yaml-encoding", 1),
    ("invalid-utf8.yaml", "actors", "yaml-encoding", 2),
    ("id-traversal.yaml", "actors", "schema-pattern", 1),
    ("id-slash.yaml", "actors", "schema-pattern", 1),
    ("profile-slash.yaml", "profiles", "schema-pattern", 1),
    ("merge-key.yaml", "actors", "yaml-merge-key", 5),
    ("multiple-documents.yaml", "actors", "yaml-multiple-documents", 4),
    ("misindented-key.yaml", "transactions", "yaml-syntax", 7),
    ("list-item-and-key.yaml", "profiles", "yaml-syntax", 6),
    ("lone-surrogate.yaml", "actors", "text-invalid", 4),
    ("control-character.yaml", "actors", "text-control", 41),
    ("escaped-control.yaml", "actors", "text-control", 4),
]


def _limit_memory() -> None:  # runs in the child, before exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def validate_in_subprocess(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "validate", "specs"],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8", errors="replace",
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        preexec_fn=_limit_memory if os.name == "posix" else None,
    )


def domain_with(tmp_path: Path, folder: str, name: str) -> Path:
    """A one-domain specs tree under tmp_path (made on first use); returns where the bad file goes."""
    domain = tmp_path / "specs" / "ITX"
    (domain / folder).mkdir(parents=True, exist_ok=True)
    (domain / "domain.yaml").write_text(DOMAIN_YAML, encoding="utf-8")
    return domain / folder / name


def assert_located_error(done: subprocess.CompletedProcess, display: str, rule: str, line: int) -> None:
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    assert done.returncode == 1, output
    pattern = re.compile(rf"^{re.escape(display)}:{line}:\d+: error: .+ \[{re.escape(rule)}\]$", re.M)
    assert pattern.search(output), f"no '{display}:{line}:col: error: ... [{rule}]' in:\n{output}"


@pytest.mark.parametrize("name, folder, rule, line", CASES, ids=[c[0] for c in CASES])
def test_bad_file_is_reported_not_crashed_on(tmp_path, name, folder, rule, line):
    target = domain_with(tmp_path, folder, name)
    shutil.copyfile(BAD_INPUT / name, target)
    done = validate_in_subprocess(tmp_path)
    assert_located_error(done, f"specs/ITX/{folder}/{name}", rule, line)


@pytest.mark.parametrize(
    "name, folder, words",
    [
        ("misindented-key.yaml", "transactions", "this line is indented differently from the lines above it (it starts at column 4, line 6 at column 5); keys of one mapping must line up"),
        ("list-item-and-key.yaml", "profiles", "a list item and a key cannot be siblings: this key lines up with the '- ' items of the list above (from line 5)"),
        ("malformed.yaml", "actors", "the '[' at line 2, column 7 is not closed before this point; add the missing ']'"),
    ],
)
def test_indentation_errors_are_said_in_plain_words(tmp_path, name, folder, words):
    """Not PyYAML's "expected <block end>, but found '?'", but what is wrong and how to fix it, on one line."""
    target = domain_with(tmp_path, folder, name)
    shutil.copyfile(BAD_INPUT / name, target)
    done = validate_in_subprocess(tmp_path)
    lines = [line for line in done.stderr.splitlines() if f"specs/ITX/{folder}/{name}:" in line]
    assert len(lines) == 1 and words in lines[0], done.stdout + done.stderr
    assert "<block" not in done.stderr and "expected <" not in done.stderr, done.stderr


def test_every_corpus_file_is_in_the_table():
    assert sorted(p.name for p in BAD_INPUT.glob("*.yaml")) == sorted(c[0] for c in CASES)


def test_yaml_cannot_run_commands(tmp_path):
    target = domain_with(tmp_path, "actors", "python-apply.yaml")
    shutil.copyfile(BAD_INPUT / "python-apply.yaml", target)
    assert "touch pwned-by-yaml" in target.read_text(encoding="utf-8")
    validate_in_subprocess(tmp_path)
    assert not (tmp_path / "pwned-by-yaml").exists()


def test_nesting_100000_levels_deep(tmp_path):
    target = domain_with(tmp_path, "actors", "deep.yaml")
    target.write_text("id: deep\nname: " + "[" * 100_000 + "\n", encoding="utf-8")
    done = validate_in_subprocess(tmp_path)
    assert_located_error(done, "specs/ITX/actors/deep.yaml", "yaml-too-deep", 2)


def test_deep_block_nesting(tmp_path):
    target = domain_with(tmp_path, "actors", "deep-block.yaml")
    target.write_text("".join(" " * i + "k:\n" for i in range(1000)) + " " * 1000 + "leaf\n", encoding="utf-8")
    done = validate_in_subprocess(tmp_path)
    assert_located_error(done, "specs/ITX/actors/deep-block.yaml", "yaml-too-deep", 65)


def test_50_mb_file(tmp_path):
    target = domain_with(tmp_path, "actors", "huge.yaml")
    chunk = ("  - " + "x" * 95 + "\n").encode()
    with target.open("wb") as out:
        out.write(b"id: huge\nname: Huge\ndefinition: d\nlist:\n")
        for _ in range(50 * 1024 * 1024 // len(chunk) + 1):
            out.write(chunk)
    assert target.stat().st_size >= 50 * 1024 * 1024
    done = validate_in_subprocess(tmp_path)
    assert_located_error(done, "specs/ITX/actors/huge.yaml", "yaml-too-large", 1)
    assert "50.0 MB" in done.stderr


def test_bad_files_do_not_hide_each_other(tmp_path):
    """All the corpus at once in one domain: one run reports every file."""
    for name, folder, _, _ in CASES:
        shutil.copyfile(BAD_INPUT / name, domain_with(tmp_path, folder, name))
    done = validate_in_subprocess(tmp_path)
    for name, folder, rule, line in CASES:
        assert_located_error(done, f"specs/ITX/{folder}/{name}", rule, line)
    # every problem on one line of its own: PyYAML's and jsonschema's texts span lines, the output never does
    problem_line = re.compile(r"^specs/\S+:\d+:\d+: (error|warning): .+ \[[a-z-]+\]$")
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert all(problem_line.match(line) for line in lines[:-1]), done.stderr
    assert re.fullmatch(r"\d+ error\(s\), \d+ warning\(s\)", lines[-1]), done.stderr
