"""The editor's first hour: `tfpub init`, `tfpub new supplement`, `tfpub schema`, and the
tests' own copy of the example.

Everything runs the real command line in a subprocess with the new project as the
current folder, as an editor would after `tfpub init`.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO_ROOT, run_cli
from example import EXAMPLE, EXAMPLE_SPECS, committed_copy
from jsonschema import Draft202012Validator
from sitebuild import copy_project

from generator.scaffold import schema_kinds

SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("init") / "new-framework"
    done = run_cli("init", str(root), "--domain", "ABC", "--title", 'ABC: the "Alphabet" Framework')
    assert done.returncode == 0, done.stderr
    return root


def test_init_makes_a_project_that_validates_and_builds(project, tmp_path):
    done = run_cli("validate", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 profiles, 1 transactions, 2 actors: no problems" in done.stderr
    site = tmp_path / "site"
    done = run_cli("build", "-d", str(site), cwd=project, timeout=300)
    assert done.returncode == 0, done.stderr
    profile = (site / "ABC" / "volume-1" / "FIRST" / "index.html").read_text(encoding="utf-8")
    assert "First Profile" in profile and "ABC-1" in profile
    assert 'ABC: the "Alphabet" Framework' in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "about" / "index.html").is_file()  # the hand-written page in docs/


def test_plain_mkdocs_builds_the_new_project_through_its_hook_file(project, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "plain")],
        cwd=project, capture_output=True, text=True, timeout=300, env=_env(),
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "plain" / "ABC" / "volume-2" / "ABC-1" / "index.html").is_file()


def test_every_spec_file_names_the_projects_own_schema(project):
    files = sorted((project / "specs").rglob("*.yaml"))
    assert len(files) == 7
    for path in files:
        match = SCHEMA_LINE.match(path.read_text(encoding="utf-8").splitlines()[0])
        assert match, path
        target = (path.parent / match.group(1)).resolve()
        assert target.parent == (project / "schemas").resolve() and target.is_file(), (path, match.group(1))
    shipped = {k: (REPO_ROOT / "generator/schemas" / f"{k}.schema.json").read_text() for k in schema_kinds()}
    assert {k: (project / "schemas" / f"{k}.schema.json").read_text() for k in schema_kinds()} == shipped


def test_gitignore_lists_what_is_built(project):
    lines = (project / ".gitignore").read_text().splitlines()
    assert {"site/", ".tfpub-cache/", ".venv/"} <= set(lines)


def test_workflow_validates_builds_and_publishes_to_pages(project):
    flow = yaml.safe_load((project / ".github/workflows/tfpub.yml").read_text())
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    steps = {s["name"]: s for s in build["steps"]}
    assert list(steps) == ["Check out", "Set up Python", "Install tfpub", "Validate", "Build the site", "Upload the site"]
    assert "pip install" in steps["Install tfpub"]["run"]
    assert steps["Validate"]["run"] == "tfpub validate --format github specs"
    assert steps["Build the site"]["run"] == "tfpub build"
    assert steps["Upload the site"]["uses"].startswith("actions/upload-pages-artifact@")
    assert steps["Upload the site"]["with"]["path"] == "site"
    assert deploy["needs"] == "build" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert "refs/heads/main" in deploy["if"]
    assert flow["env"]["TFPUB"].startswith("tfpub==")


def test_pre_commit_hook_runs_tfpub_validate_and_fails_on_a_bad_spec(project, tmp_path):
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    (hook,) = [h for repo in config["repos"] if repo["repo"] == "local" for h in repo["hooks"]]
    assert hook["language"] == "system" and hook["pass_filenames"] is False
    command = shlex.split(hook["entry"])
    assert command[:2] == ["tfpub", "validate"]
    # Run the entry as pre-commit would (tfpub = python -m generator here), on a clean and a broken copy.
    run = lambda cwd: subprocess.run([sys.executable, "-m", "generator", *command[1:]], cwd=cwd, capture_output=True, text=True, env=_env())  # noqa: E731
    assert run(project).returncode == 0
    broken = tmp_path / "broken"
    assert run_cli("init", str(broken), "--domain", "ABC").returncode == 0
    actor = broken / "specs/ABC/actors/sender.yaml"
    actor.write_text(actor.read_text().replace("name: Sender", "nmae: Sender"))
    done = run(broken)
    assert done.returncode == 1 and "sender.yaml:3:1: error:" in done.stdout + done.stderr


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    done = run_cli("init", str(tmp_path), "--domain", "ABC")
    assert done.returncode == 2
    assert done.stderr.startswith(f"tfpub init: {tmp_path} is not empty;") and "--force" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_init_with_force_keeps_every_existing_file(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: mine\n")
    done = run_cli("init", str(tmp_path), "--domain", "ABC", "--force")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "mkdocs.yml").read_text() == "site_name: mine\n"
    assert f"kept {tmp_path / 'mkdocs.yml'}" in done.stderr
    assert (tmp_path / "specs/ABC/domain.yaml").is_file()


def test_init_in_a_fresh_git_repository_needs_no_force(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert run_cli("init", str(tmp_path), "--domain", "XYZ").returncode == 0
    assert run_cli("validate", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("acronym", ["abc", "A", "ABC-1", "TOOLONGACRONYM"])
def test_init_refuses_a_bad_acronym(tmp_path, acronym):
    done = run_cli("init", str(tmp_path / "p"), "--domain", acronym)
    assert done.returncode == 2 and "is not a domain acronym" in done.stderr
    assert not (tmp_path / "p").exists()


def test_new_files_in_the_project_name_its_schemas(project):
    done = run_cli("new", "actor", "third-party", cwd=project)
    assert done.returncode == 0, done.stderr
    first = (project / "specs/ABC/actors/third-party.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../schemas/actor.schema.json"
    (project / "specs/ABC/actors/third-party.yaml").unlink()


def test_new_in_a_checkout_of_this_repository_names_its_generator_schemas(tmp_path):
    checkout = copy_project(tmp_path / "checkout")  # a second checkout: the installed package is elsewhere
    done = run_cli("new", "actor", "third-party", cwd=checkout)
    assert done.returncode == 0, done.stderr
    first = (checkout / "specs/ITI/actors/third-party.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../generator/schemas/actor.schema.json"


def test_new_supplement_validates_clean(project):
    done = run_cli("new", "supplement", "FIRST-update", "--name", "First Profile update", cwd=project)
    assert done.returncode == 0, done.stderr
    folder = project / "specs/ABC/supplements/FIRST-update"
    assert sorted(p.name for p in folder.iterdir()) == ["amendments.yaml", "supplement.yaml"]
    for name, kind in (("supplement.yaml", "supplement"), ("amendments.yaml", "supplement-amendments")):
        first = (folder / name).read_text().splitlines()[0]
        assert first == f"# yaml-language-server: $schema=../../../../schemas/{kind}.schema.json"
    done = run_cli("validate", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    listed = run_cli("supplement", "list", cwd=project)
    assert "FIRST-update" in listed.stdout + listed.stderr
    again = run_cli("new", "supplement", "FIRST-update", cwd=project)
    assert again.returncode == 2 and "already exists" in again.stderr
    bad = run_cli("new", "supplement", "no/slash", cwd=project)
    assert bad.returncode == 2 and "not a valid supplement id" in bad.stderr
    import shutil

    shutil.rmtree(folder)


def test_new_supplement_in_the_example_validates_clean(tmp_path):
    checkout = copy_project(tmp_path / "checkout")
    done = run_cli("new", "supplement", "XCA-update", "--domain", "specs/ITI", cwd=checkout)
    assert done.returncode == 0, done.stderr
    assert (checkout / "specs/ITI/supplements/XCA-update/supplement.yaml").read_text().startswith(
        "# yaml-language-server: $schema=../../../../generator/schemas/supplement.schema.json\n"
    )
    done = run_cli("validate", cwd=checkout)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("kind", ["domain", "actor", "transaction", "profile", "content", "glossary", "standards",
                                  "supplement", "supplement-amendments", "annex", "statement", "export"])
def test_schema_prints_a_valid_json_schema_for_every_kind(kind):
    done = run_cli("schema", kind)
    assert done.returncode == 0, done.stderr
    Draft202012Validator.check_schema(json.loads(done.stdout))
    assert kind in schema_kinds()


def test_schema_of_an_unknown_kind_lists_the_kinds():
    done = run_cli("schema", "suplement")
    assert done.returncode == 2 and "supplement-amendments" in done.stderr


def test_schema_write_refreshes_a_projects_schemas(project, tmp_path):
    stale = project / "schemas" / "actor.schema.json"
    stale.write_text("{}")
    done = run_cli("schema", "--write", cwd=project)
    assert done.returncode == 0, done.stderr
    assert stale.read_text() == (REPO_ROOT / "generator/schemas/actor.schema.json").read_text()


# --------------------------------------------------------------------------- the tests' own example

def test_the_example_is_a_copy_of_the_committed_specs():
    assert EXAMPLE.resolve() != REPO_ROOT.resolve()
    committed = subprocess.run(["git", "-C", str(REPO_ROOT), "show", "HEAD:specs/ITI/domain.yaml"], capture_output=True, text=True)
    if committed.returncode != 0:
        pytest.skip("not a git checkout: the example is a copy of the working tree")
    assert (EXAMPLE_SPECS / "ITI/domain.yaml").read_text(encoding="utf-8") == committed.stdout


def test_the_example_copy_ignores_files_an_editor_is_adding_or_editing(tmp_path, monkeypatch):
    monkeypatch.delenv("TFPUB_TEST_EXAMPLE", raising=False)
    repo = tmp_path / "repo"
    (repo / "specs/X").mkdir(parents=True)
    (repo / "docs").mkdir()
    (repo / "docs/index.md").write_text("# Home\n")
    (repo / "mkdocs.yml").write_text("site_name: x\n")
    (repo / "specs/X/domain.yaml").write_text("acronym: X\n")
    git = lambda *a: subprocess.run(["git", "-C", str(repo), *a], check=True, capture_output=True)  # noqa: E731
    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "example")
    (repo / "specs/X/half-written.yaml").write_text("id: [unclosed\n")  # untracked, invalid
    (repo / "specs/X/domain.yaml").write_text("acronym: BROKEN\n")  # edited, not committed
    copy = committed_copy(repo, tmp_path / "copy")
    assert sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file()) == [
        "docs/index.md", "mkdocs.yml", "specs/X/domain.yaml"
    ]
    assert (copy / "specs/X/domain.yaml").read_text() == "acronym: X\n"


def _env() -> dict:
    import os

    return {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
