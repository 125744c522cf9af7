"""Text and encodings: what spec text may hold, one line per problem, UTF-8 whatever the locale.

A control character or a lone surrogate that got past loading would crash lxml or
openpyxl deep in a build, or be printed into a terminal; here each is a located
error at load. Problem output is one line per problem in every format, whatever
other programs put into a message. And under a POSIX locale with Python's UTF-8
mode off, ``tfpub validate`` and ``tfpub build`` read, write and print UTF-8: the
site is byte-identical to one built under C.UTF-8.
"""

from __future__ import annotations

import ast
import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from sitebuild import copy_project, tree_bytes

from generator.load.yaml_loader import MAX_TEXT_PROBLEMS, load_file
from generator.problems import FORMATTERS, Loc, Problem, Severity, one_line

POSIX_ENV = {"LC_ALL": "POSIX", "PYTHONUTF8": "0"}
UTF8_ENV = {"LC_ALL": "C.UTF-8", "PYTHONUTF8": "0"}


def load(tmp_path: Path, content: str | bytes, name: str = "spec.yaml"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    return load_file(path, name)


def locs(problems) -> list[tuple[str, int, int]]:
    return [(p.rule, p.loc.line, p.loc.col) for p in problems]


# --------------------------------------------------------------------------- text at load

def test_ordinary_unicode_loads(tmp_path):
    text = 'id: a\nname: "Zeitgeber é → Uhr\\t😀 \\U0001F600 \\u00e9"\ndefinition: |\n  Tab\there, zero\u200bwidth.\r\n'
    doc, problems = load(tmp_path, text)
    assert problems == []
    assert doc.data["name"] == "Zeitgeber é → Uhr\t😀 😀 é"


def test_lone_surrogate_escape_is_refused_at_the_string(tmp_path):
    doc, problems = load(tmp_path, 'id: a\nname: "Time \\ud800Client"\n')
    assert locs(problems) == [("text-invalid", 2, 7)]
    assert "U+D800" in problems[0].message and "surrogate" in problems[0].message
    assert problems[0].is_error


def test_escaped_surrogate_pair_is_the_character_it_stands_for(tmp_path):
    # As JSON writes characters beyond the BMP: joined, not refused.
    doc, problems = load(tmp_path, 'id: a\nname: "x\\ud83d\\ude00"\n')
    assert problems == [] and doc.data["name"] == "x😀"


@pytest.mark.parametrize(
    "escape, code",
    [("\\x07", "U+0007 (BEL)"), ("\\e", "U+001B (ESC)"), ("\\0", "U+0000 (NUL)"), ("\\b", "U+0008 (BS)"),
     ("\\x7f", "U+007F (DEL)"), ("\\N", "U+0085"), ("\\x9b", "U+009B"), ("\\L", "U+2028"), ("\\P", "U+2029"), ("\\uffff", "U+FFFF")],
)
def test_escaped_control_characters_are_refused_at_the_string(tmp_path, escape, code):
    doc, problems = load(tmp_path, f'id: a\nname: ok\ndefinition: "one {escape} two"\n')
    assert [(p.loc.line, p.loc.col) for p in problems] == [(3, 13)], [str(p) for p in problems]
    assert problems[0].rule in ("text-control", "text-invalid") and code in problems[0].message
    assert "remove the escape" in problems[0].message


def test_escapes_in_keys_and_in_every_string_are_all_reported(tmp_path):
    doc, problems = load(tmp_path, 'id: a\n"k\\x01": 1\nlist:\n  - "\\e[31m"\n  - fine\n  - "\\a"\n')
    assert locs(problems) == [("text-control", 2, 1), ("text-control", 4, 5), ("text-control", 6, 5)]


def test_raw_control_character_on_line_41_is_reported_there(tmp_path):
    """The issue's case: PyYAML said '1:1' and, on a second line, 'position 1764'."""
    lines = [f"  line {i} of the definition" for i in range(3, 41)]
    text = "id: a\ndefinition: |\n" + "\n".join(lines) + "\n  the bell \x07 rings\n"
    doc, problems = load(tmp_path, text)
    assert doc is None
    assert locs(problems) == [("text-control", 41, 12)]
    message = problems[0].message
    assert "U+0007 (BEL)" in message and "delete it" in message and "\n" not in message


@pytest.mark.parametrize(
    "char, rule", [("\x1b", "text-control"), ("\x7f", "text-control"), ("\x85", "text-control"), ("\x9b", "text-control"),
                   ("\u2028", "text-invalid"), ("\u2029", "text-invalid"), ("\ufffe", "text-invalid"), ("\x0c", "text-control")],
)
def test_raw_characters_are_reported_at_their_line_and_column(tmp_path, char, rule):
    # CRLF and lone CR count as one line break each, as editors count them.
    doc, problems = load(tmp_path, f"id: a\r\nname: b\rdefinition: 'é{char}'\n")
    assert doc is None
    assert locs(problems) == [(rule, 3, 15)], [str(p) for p in problems]


def test_raw_characters_one_problem_per_line_and_bounded(tmp_path):
    body = "".join(f"k{i:03d}: a\x01b\x02c\n" for i in range(100))
    doc, problems = load(tmp_path, "id: a\n" + body)
    assert len(problems) == MAX_TEXT_PROBLEMS + 1
    assert [p.loc.line for p in problems[:MAX_TEXT_PROBLEMS]] == list(range(2, 2 + MAX_TEXT_PROBLEMS))
    assert all(p.loc.col == 8 for p in problems[:MAX_TEXT_PROBLEMS])
    assert "80 more line(s)" in problems[-1].message


# --------------------------------------------------------------------------- one line per problem

HOSTILE_MESSAGES = [
    'unacceptable character #x0007: special characters are not allowed\n  in "<unicode string>", position 1764',
    "jsonschema says:\r\n\r\nFailed validating 'type'\r\n    in schema",
    "PlantUML: Syntax Error?\rsecond\x85third\u2028fourth\u2029fifth\x0bsixth\x0cseventh\x1cx\x1dy\x1ez",
    "terminal \x1b[2J\x1b[31mred\x07 and a lone \ud800 surrogate\ttab",
    "\n\nleading and trailing\n\n",
]


@pytest.mark.parametrize("fmt", sorted(FORMATTERS))
def test_every_format_prints_one_line_per_problem(fmt):
    problems = [
        Problem(Loc("specs/ITX/actors/a\nb.yaml", i + 1, 1), Severity.ERROR if i % 2 else Severity.WARNING, message, "rule\nx")
        for i, message in enumerate(HOSTILE_MESSAGES)
    ]
    out = FORMATTERS[fmt](problems)
    out.encode("utf-8")  # printable as UTF-8: no lone surrogate left
    if fmt == "json":
        rows = json.loads(out)
        assert len(rows) == len(problems)
        for row in rows:
            assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029]", row["message"] + row["rule"]), row
        assert rows[0]["message"].startswith("unacceptable character #x0007: special characters are not allowed in ")
        return
    lines = out.splitlines()
    body = lines[:-1] if fmt == "text" else lines
    assert len(body) == len(problems), lines
    prefix = r"^specs/ITX/actors/a b\.yaml:\d+:1: (error|warning): " if fmt == "text" else r"^::(error|warning) file="
    for line in body:
        assert re.match(prefix, line), line
        assert not re.search("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]", line), repr(line)
    assert "\\x1b[2J" in out and "\\ud800" in out  # shown, not acted on, not dropped


def test_one_line_leaves_ordinary_text_alone():
    assert one_line("café → Zeit, 100% sure: yes") == "café → Zeit, 100% sure: yes"
    assert one_line("a\n  b") == "a b"


def test_validate_reports_a_control_character_in_every_format(tmp_path):
    """Through the real command line: one line, at 41:12, in text, json and github."""
    from conftest import run_cli

    specs = _one_actor_domain(tmp_path)
    lines = "".join(f"  line {i}\n" for i in range(4, 41))
    (specs / "ITX/actors/bell.yaml").write_text(f"id: bell\nname: Bell\ndefinition: |\n{lines}  the bell \x07 rings\n", encoding="utf-8")
    text = run_cli("validate", str(specs))
    assert text.returncode == 1 and "Traceback" not in text.stderr
    problem_lines = [line for line in text.stderr.splitlines() if ": error: " in line]
    assert problem_lines == [line for line in problem_lines if re.match(r"^\S+bell\.yaml:41:12: error: .* \[text-control\]$", line)]
    assert len(problem_lines) == 1, text.stderr
    rows = json.loads(run_cli("validate", "--format", "json", str(specs)).stdout)
    assert [(r["line"], r["col"], r["rule"]) for r in rows] == [(41, 12, "text-control")]
    github = run_cli("validate", "--format", "github", str(specs)).stdout.strip().splitlines()
    assert len(github) == 1 and re.match(r"^::error file=\S+bell\.yaml,line=41,col=12,title=text-control::", github[0])


def _one_actor_domain(tmp_path: Path) -> Path:
    specs = tmp_path / "specs"
    (specs / "ITX" / "actors").mkdir(parents=True)
    (specs / "ITX" / "domain.yaml").write_text(
        'acronym: ITX\ntitle: Test\nrevision: "1.0"\ndate: "2024-01-15"\nstatus: trial-implementation\n', encoding="utf-8"
    )
    return specs


# --------------------------------------------------------------------------- every I/O names its encoding

def _text_io_without_encoding(path: Path) -> list[str]:
    """Calls that would fall back to the locale's encoding: open()/Path.open()/fdopen() in
    text mode, read_text()/write_text(), TextIOWrapper(), and subprocess text mode."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        keywords = {k.arg: k.value for k in node.keywords}
        if "encoding" in keywords or None in keywords:
            continue
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
        if name in ("read_text", "write_text", "TextIOWrapper"):
            bad = True
        elif name in ("open", "fdopen") and owner not in ("tarfile", "zipfile", "gzip", "webbrowser", "server", "Image") and (owner, name) != ("os", "open"):  # os.open: a raw fd
            position = 0 if isinstance(func, ast.Attribute) and name == "open" and owner not in ("os", "io", "builtins") else 1
            mode = keywords.get("mode") or (node.args[position] if len(node.args) > position else None)
            bad = not (isinstance(mode, ast.Constant) and "b" in str(mode.value))
        elif name in ("NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile"):
            mode = keywords.get("mode")
            bad = mode is not None and not (isinstance(mode, ast.Constant) and "b" in str(mode.value))
        elif name in ("run", "Popen", "check_output", "check_call", "call"):
            text = keywords.get("text") or keywords.get("universal_newlines")
            bad = text is not None and not (isinstance(text, ast.Constant) and text.value is False)
        else:
            bad = False
        if bad:
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)[:120]}")
    return found


def test_every_text_file_and_process_names_its_encoding():
    files = [*sorted((REPO_ROOT / "generator").rglob("*.py")), *sorted((REPO_ROOT / "bench").rglob("*.py"))]
    files += [REPO_ROOT / "tests" / name for name in ("conftest.py", "sitebuild.py", "browser.py", "lsp.py", "test_bad_input.py")]
    found = [hit for path in files if path.is_file() for hit in _text_io_without_encoding(path)]
    assert found == [], "\n".join(found)


def test_the_encoding_check_finds_what_it_should(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "open(p)\nopen(p, 'w')\nopen(p, 'rb')\nopen(p, encoding='utf-8')\np.read_text()\np.write_text(t, encoding='utf-8')\n"
        "p.open('w')\np.open('rb')\nsubprocess.run(c, text=True)\nsubprocess.run(c, text=True, encoding='utf-8')\nsubprocess.run(c)\nos.open(p, os.O_RDONLY)\n",
        encoding="utf-8",
    )
    lines = [int(hit.split(":")[1]) for hit in _text_io_without_encoding(sample)]
    assert lines == [1, 2, 5, 7, 9]


# --------------------------------------------------------------------------- a POSIX locale

NON_ASCII_NAME = "Time Client – Zeitgeber é → Uhr"


def _run(args: list[str], cwd: Path, locale_env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "PYTHONIOENCODING", "PYTHONUTF8")}
    env.update(locale_env, PYTHONPATH=str(REPO_ROOT))
    # Bytes out: the test decodes them itself, so it sees exactly what the tool wrote.
    done = subprocess.run(args, cwd=cwd, capture_output=True, timeout=timeout, env=env)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))


def _tfpub(args: list[str], cwd: Path, locale_env: dict[str, str]) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "generator", *args], cwd, locale_env)


def _non_ascii_project(dest: Path) -> Path:
    """The example with non-ASCII text where it reaches pages, diagrams (generated and
    hand-written) and search: an actor name, a profile summary, a docs page."""
    project = copy_project(dest)
    actor = project / "specs/ITI/actors/time-client.yaml"
    actor.write_text(actor.read_text(encoding="utf-8").replace("name: Time Client", f"name: {NON_ASCII_NAME}"), encoding="utf-8")
    profile = project / "specs/ITI/profiles/CT.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("time stamps they write", "time stamps (Zeitstempel, horodatages « é ») they write"), encoding="utf-8")
    page = project / "docs/guide/reading.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("Specs -> Tool : load and validate", "Specs -> Tool : load and validate (é → ü)") + "\nÜmlauts → “quotes” – dash.\n", encoding="utf-8")
    assert "é → ü" in page.read_text(encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def posix_and_utf8_builds(tmp_path_factory):
    results = {}
    for name, locale_env in (("posix", POSIX_ENV), ("utf8", UTF8_ENV)):
        # A non-ASCII folder too: under POSIX, Python decodes its name with surrogateescape
        # and Java, in that locale, could not open it.
        project = _non_ascii_project(tmp_path_factory.mktemp(f"projé-{name}"))
        results[name] = (project, _tfpub(["build"], project, locale_env))
    return results


def test_posix_locale_is_what_the_test_says_it_is(tmp_path):
    probe = "import sys, locale; print(sys.flags.utf8_mode, sys.getfilesystemencoding(), locale.getpreferredencoding(False))"
    assert _run([sys.executable, "-c", probe], tmp_path, POSIX_ENV).stdout.split() == ["0", "ascii", "ANSI_X3.4-1968"]


def test_build_under_posix_locale_is_byte_identical_to_utf8(posix_and_utf8_builds):
    for name, (project, done) in posix_and_utf8_builds.items():
        assert done.returncode == 0, f"{name}: {done.stderr}"
        assert "Traceback" not in done.stderr and "diagram-renderer-failed" not in done.stderr, done.stderr
        assert f"built {project / 'site'} in " in done.stderr  # the path printed as it is, é and all
    posix = tree_bytes(posix_and_utf8_builds["posix"][0] / "site")
    utf8 = tree_bytes(posix_and_utf8_builds["utf8"][0] / "site")
    assert sorted(posix) == sorted(utf8)
    assert [name for name in posix if posix[name] != utf8[name]] == []
    # The non-ASCII text arrived intact, as UTF-8, in pages, in a generated diagram and in a hand-written one.
    actor_page = next(v for k, v in posix.items() if k.endswith(".html") and NON_ASCII_NAME.encode() in v and b"<svg" in v)
    assert NON_ASCII_NAME.encode("utf-8") in actor_page
    reading = posix["guide/reading/index.html"].decode("utf-8")
    assert "Ümlauts → “quotes” – dash." in reading
    assert "load and validate (é → ü)" in html.unescape(reading)  # PlantUML writes character references
    search = json.loads(posix["search/search_index.json"])["docs"]
    assert any("Zeitstempel, horodatages « é »" in doc["text"] for doc in search)


def test_validate_under_posix_locale_prints_non_ascii_messages(tmp_path):
    specs = _one_actor_domain(tmp_path)
    (specs / "ITX/actors/uhr.yaml").write_text("id: uhr\nname: Zeitgeber é → Uhr\ndefinition: d\nclé: 1\nclé: 2\n", encoding="utf-8")
    for fmt in ("text", "json", "github"):
        done = _tfpub(["validate", "--format", fmt, "specs"], tmp_path, POSIX_ENV)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert "'clé'" in done.stdout + done.stderr
    clean = specs / "ITX/actors/uhr.yaml"
    clean.write_text("id: uhr\nname: Zeitgeber é → Uhr\ndefinition: d\n", encoding="utf-8")
    done = _tfpub(["validate", "--allow-warnings", "specs"], tmp_path, POSIX_ENV)
    assert done.returncode == 0, done.stderr


def test_build_refuses_a_lone_surrogate_with_its_location(tmp_path):
    """Issue 10, case 5: this passed validation, then crashed lxml in the build."""
    project = copy_project(tmp_path / "project")
    actor = project / "specs/ITI/actors/time-client.yaml"
    actor.write_text(actor.read_text(encoding="utf-8").replace("name: Time Client", 'name: "Time \\ud800Client"'), encoding="utf-8")
    line = actor.read_text(encoding="utf-8").splitlines().index('name: "Time \\ud800Client"') + 1
    done = _tfpub(["build"], project, POSIX_ENV)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert re.search(rf"^specs/ITI/actors/time-client\.yaml:{line}:7: error: .*U\+D800.* \[text-invalid\]$", done.stderr, re.M), done.stderr
    assert not (project / "site").exists()


@pytest.mark.parametrize("title, rule", [("Bell \u0007 annex", "text-control"), ("Half \ud800 pair", "text-invalid")])
def test_annex_json_with_unencodable_text_is_refused(tmp_path, title, rule):
    """The annex JSON (written by the builder page, so edited by hand too) reaches Word and
    Excel: a control character crashed openpyxl, a lone surrogate the writer."""
    from conftest import run_cli

    specs = REPO_ROOT / "specs"
    made = run_cli("annex", "build", str(specs / "ITI/annexes/regional-document-sharing.yaml"), "--specs", str(specs),
                   "--format", "json", "-o", str(tmp_path), cwd=REPO_ROOT)
    assert made.returncode == 0, made.stderr
    data = json.loads((tmp_path / "regional-document-sharing.json").read_text(encoding="utf-8"))
    data["annex"]["title"] = title
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")  # ensure_ascii: the JSON holds the escape, as a browser writes it
    out = tmp_path / "out"
    done = run_cli("annex", "build", str(bad), "--specs", str(specs), "--format", "all", "-o", str(out), cwd=REPO_ROOT)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert re.search(rf"bad\.json:1:1: error: .* \[{rule}\]$", done.stderr, re.M), done.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_control_character_in_a_docs_page_diagram_is_located(tmp_path):
    """Hand-written pages do not come through the YAML loader: a control character in
    their ```plantuml block reached the SVG, and lxml refused it with a traceback."""
    project = copy_project(tmp_path / "project")
    page = project / "docs/guide/reading.md"
    text = page.read_text(encoding="utf-8") + "\n```plantuml\n@startuml\nA -> B : ring \x07 the bell\n@enduml\n```\n"
    page.write_text(text, encoding="utf-8")
    line = text.splitlines().index("A -> B : ring \x07 the bell") + 1
    done = _tfpub(["build"], project, UTF8_ENV)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert re.search(rf"^docs/guide/reading\.md:{line}:1: error: .*U\+0007 \(BEL\).*$", done.stderr, re.M), done.stderr
    assert not (project / "site").exists()
