"""Schema completion works in an editor that uses yaml-language-server.

The test runs the real language server (installed from npm by `make test` into
tools/) on spec files as editors open them: the `# yaml-language-server:
$schema=` line alone must give key completion, value completion and diagnostics.
"""

from __future__ import annotations

import shutil

import pytest
from example import EXAMPLE
from lsp import SERVER, LanguageServer

pytestmark = pytest.mark.skipif(
    not SERVER.exists() or not shutil.which("node"),
    reason="yaml-language-server is not installed (make test installs it into tools/ with npm)",
)


@pytest.fixture
def server():
    ls = LanguageServer(EXAMPLE)
    yield ls
    ls.close()


def profile_text(body: str) -> str:
    return "# yaml-language-server: $schema=../../../generator/schemas/profile.schema.json\n" + body


def test_keys_are_completed_from_the_schema(server):
    path = EXAMPLE / "specs/ITI/profiles/NEW.yaml"  # never written: the editor buffer is enough
    uri = server.open(path, profile_text("acronym: NEW\n\n"))
    labels = server.completion_labels(uri, 2, 0)
    assert {"chapter", "actors", "status", "groupings", "use_cases"} <= labels
    assert "acronym" not in labels  # already present


def test_values_are_completed_from_enums(server):
    path = EXAMPLE / "specs/ITI/profiles/NEW.yaml"
    uri = server.open(path, profile_text("acronym: NEW\nstatus: \n"))
    labels = server.completion_labels(uri, 2, 8)
    assert {"public-comment", "trial-implementation", "final-text"} <= labels


def test_mistakes_are_shown_while_typing(server):
    path = EXAMPLE / "specs/ITI/actors/new-actor.yaml"
    text = "# yaml-language-server: $schema=../../../generator/schemas/actor.schema.json\nid: new-actor\nname: New\ndefinition: x\nnmae: typo\n"
    uri = server.open(path, text)
    messages = " ".join(d["message"] for d in server.diagnostics(uri))
    assert "nmae" in messages


def test_every_example_file_names_a_schema_the_server_can_load(server):
    spec = EXAMPLE / "specs/ITI/profiles/XDS.b.yaml"
    text = spec.read_text(encoding="utf-8").replace("type: workflow", "type: workflowz", 1)
    uri = server.open(spec, text)
    messages = " ".join(d["message"] for d in server.diagnostics(uri))
    assert "workflow" in messages  # the enum is known, so the schema was found and read


# --------------------------------------------------------------------------- a project made by `tfpub init`

@pytest.fixture(scope="module")
def new_project(tmp_path_factory):
    """A project outside this repository, as `tfpub init` leaves it: its spec files name its own schemas/."""
    from conftest import run_cli

    root = tmp_path_factory.mktemp("lsp") / "framework"
    done = run_cli("init", str(root), "--domain", "ABC")
    assert done.returncode == 0, done.stderr
    return root


def test_keys_are_completed_in_a_new_project(new_project):
    from conftest import run_cli

    assert run_cli("new", "profile", "SECOND", "--actor", "sender", cwd=new_project).returncode == 0
    path = new_project / "specs/ABC/profiles/SECOND.yaml"
    schema_line = path.read_text(encoding="utf-8").splitlines()[0]
    ls = LanguageServer(new_project)
    try:
        uri = ls.open(path, schema_line + "\nacronym: SECOND\n\n")
        labels = ls.completion_labels(uri, 2, 0)
        assert {"chapter", "actors", "status", "groupings", "use_cases"} <= labels
        uri = ls.open(new_project / "specs/ABC/profiles/THIRD.yaml", schema_line + "\nacronym: THIRD\nstatus: \n")
        assert {"public-comment", "trial-implementation", "final-text"} <= ls.completion_labels(uri, 2, 8)
    finally:
        ls.close()


def test_every_file_of_a_new_project_is_checked_as_typed(new_project):
    """Each file with a misspelt key added: the server finds the file's schema and flags that line, and only it."""
    ls = LanguageServer(new_project)
    try:
        files = sorted((new_project / "specs").rglob("*.yaml"))
        assert len(files) >= 7  # what init wrote, and any file `tfpub new` added
        for path in files:
            text = path.read_text(encoding="utf-8")
            typo_line = len(text.splitlines())
            buffer = path.with_name(f"{path.stem}-edited.yaml")  # an unsaved buffer: the file on disk stays as it is
            found = ls.diagnostics(ls.open(buffer, text + "nmae: typo\n"))
            assert found and "nmae" in " ".join(d["message"] for d in found), (path, found)
            assert {d["range"]["start"]["line"] for d in found} == {typo_line}, (path, found)
    finally:
        ls.close()
