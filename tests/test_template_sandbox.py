"""Template overrides are untrusted code: they run sandboxed, and their faults are located problems.

Each payload goes into ``specs/templates/<page>.j2`` of a copy of the example and
through the real ``tfpub build``. The build must refuse with one located line
(``specs/templates/actor.md.j2:N:1: error: ... [template-...]``), exit 1 with no
traceback, run no code (the payloads try to create a file) and leave the previous
site exactly as it was.
"""

from __future__ import annotations

import pytest
from sitebuild import REPO, copy_project, tfpub, tree_bytes


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the example with a site built from it, and that site's bytes."""
    project = copy_project(tmp_path_factory.mktemp("sandbox") / "project")
    result = tfpub("build", cwd=project)
    assert result.returncode == 0, result.stderr
    (project / "specs/templates").mkdir()
    return project, tree_bytes(project / "site")


def _marker(project):
    return project.parent / "PWNED"


# Each runs code, reads internals or exhausts resources in an unsandboxed Jinja2.
PAYLOADS = {
    "globals-of-cycler": ("{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}", "template-unsafe", "'__init__'"),
    "globals-of-namespace": ("{{ namespace.__init__.__globals__['os'].system('touch MARKER') }}", "template-unsafe", "'__init__'"),
    "joiner-via-set": ("{% set j = joiner.__init__ %}{{ j.__globals__.os.popen('touch MARKER') }}", "template-unsafe", "'__init__'"),
    "template-context": ("{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('touch MARKER') }}", "template-unsafe", "_TemplateReference__context"),
    "mro-subclasses": ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "template-unsafe", "'__class__'"),
    "format-string": ("{{ '{0.__class__}'.format(title) }}", "template-unsafe", "__class__"),
    "mutate-a-list": ("{{ profiles.rows.append('touch MARKER') }}", "template-unsafe", "'append'"),
    "huge-range": ("{{ range(10**9)|list }}", "template-unsafe", "MAX_RANGE"),
    "huge-string": ("{{ 'x' * 10**9 }}", "template-unsafe", "too large"),
    "huge-power": ("{{ 10 ** (10 ** 9) }}", "template-unsafe", "too large"),
    "include-etc-passwd": ("{% include '/etc/passwd' %}", "template-not-found", "'/etc/passwd'"),
    "include-dot-dot": ("{% include '../../../../../../etc/passwd' %}", "template-not-found", "etc/passwd"),
    "huge-lipsum": ("{{ lipsum(10**9) }}", "template-undefined", "'lipsum' is undefined"),
    "syntax-error": ("{% if %}", "template-syntax", "template syntax error"),
    "unclosed-block": ("{% for x in profiles.rows %}", "template-syntax", "template syntax error"),
    "undefined-name": ("{{ no_such_value }}", "template-undefined", "'no_such_value' is undefined"),
    "undefined-attribute": ("{{ definition.nope }}", "template-undefined", "no attribute 'nope'"),
    "endless-recursion": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "template-failed", "RecursionError"),
    "division-by-zero": ("{{ 1 / 0 }}", "template-failed", "ZeroDivisionError"),
}


def _refused(project, before, rel: str, line: int, rule: str, words: str) -> None:
    result = tfpub("build", cwd=project, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    located = [x for x in result.stderr.splitlines() if x.startswith(f"{rel}:{line}:1: error: ")]
    assert len(located) == 1, result.stderr
    assert located[0].endswith(f"[{rule}]") and words in located[0], located[0]
    assert "the previous site was left as it was" in result.stderr
    assert not _marker(project).exists(), "the template ran a command"
    assert tree_bytes(project / "site") == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".site")] == []


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_an_unsafe_or_broken_override_is_a_located_error(built, name):
    project, before = built
    payload, rule, words = PAYLOADS[name]
    original = (REPO / "templates/actor.md.j2").read_text(encoding="utf-8")
    line = len(original.splitlines()) + 1
    override = project / "specs/templates/actor.md.j2"
    override.write_text(original + payload.replace("MARKER", str(_marker(project))) + "\n", encoding="utf-8")
    try:
        _refused(project, before, "specs/templates/actor.md.j2", line, rule, words)
    finally:
        override.unlink()


def test_a_fault_in_an_overriding_macro_file_is_located_there(built):
    project, before = built
    original = (REPO / "templates/macros.j2").read_text(encoding="utf-8")
    override = project / "specs/templates/macros.j2"
    override.write_text("{# an override #}\n{% macro broken( %}\n" + original, encoding="utf-8")
    try:
        _refused(project, before, "specs/templates/macros.j2", 2, "template-syntax", "template syntax error")
    finally:
        override.unlink()


def test_a_template_cannot_include_a_file_through_a_link_out_of_its_folder(built):
    project, before = built
    secret = project.parent / "secret.txt"
    secret.write_text("SECRET-OUTSIDE-CONTENT\n", encoding="utf-8")
    link = project / "specs/templates/leak.j2"
    link.symlink_to(secret)
    original = (REPO / "templates/actor.md.j2").read_text(encoding="utf-8")
    override = project / "specs/templates/actor.md.j2"
    override.write_text(original + "{% include 'leak.j2' %}\n", encoding="utf-8")
    try:
        # The specs walker refuses the link itself (symlink-outside); were it to let one
        # through, the template loader refuses to read it (template-unsafe at the include).
        result = tfpub("build", cwd=project, timeout=120)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        line = len(original.splitlines()) + 1
        assert any(
            x.startswith("specs/templates/leak.j2:1:1: error: ") and x.endswith("[symlink-outside]")
            or x.startswith(f"specs/templates/actor.md.j2:{line}:1: error: ") and "outside the template folders" in x
            for x in result.stderr.splitlines()
        ), result.stderr
        assert tree_bytes(project / "site") == before
    finally:
        override.unlink()
        link.unlink()


def test_a_legitimate_override_still_builds_in_the_sandbox(built):
    project, _ = built
    original = (REPO / "templates/actor.md.j2").read_text(encoding="utf-8")
    override = project / "specs/templates/actor.md.j2"
    extra = "{% set ns = namespace(n=0) %}{% for row in profiles.rows %}{% set ns.n = ns.n + 1 %}{% endfor %}\n<p>SANDBOXED-{{ ns.n }}-{{ title|upper }}-{{ range(3)|join(',') }}</p>\n"
    override.write_text(original + extra, encoding="utf-8")
    try:
        result = tfpub("build", cwd=project, timeout=120)
        assert result.returncode == 0, result.stderr
        page = (project / "site/ITI/actors/time-client/index.html").read_text(encoding="utf-8")
        assert "SANDBOXED-" in page and "-TIME CLIENT-0,1,2</p>" in page
    finally:
        override.unlink()
        # the module's later tests compare against the first site: build it back
        assert tfpub("build", cwd=project, timeout=120).returncode == 0


def test_a_failing_print_template_of_a_supplement_is_a_located_error(tmp_path):
    project = copy_project(tmp_path / "project")
    override = project / "specs/templates"
    override.mkdir()
    (override / "supplement-print.html.j2").write_text("<html>\n{{ cycler.__init__.__globals__.os.popen('touch " + str(tmp_path / "PWNED") + "') }}\n", encoding="utf-8")
    out = tmp_path / "out.html"
    result = tfpub("supplement", "build", "PDQm", "--specs", "specs", "-o", str(out), cwd=project, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "specs/templates/supplement-print.html.j2:2:1: error: " in result.stderr and "[template-unsafe]" in result.stderr
    assert not (tmp_path / "PWNED").exists() and not out.exists()


def test_the_template_loader_itself_refuses_a_link_out_of_its_folder(tmp_path):
    """The loader's own guard, for template folders the specs walker does not cover."""
    from generator.render import templating

    folder = tmp_path / "templates"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("SECRET", encoding="utf-8")
    (folder / "leak.j2").symlink_to(tmp_path / "secret.txt")
    (folder / "page.j2").write_text("before\n{% include 'leak.j2' %}\n", encoding="utf-8")
    env = templating.environment([folder])
    with pytest.raises(templating.TemplateFailure) as failure:
        templating.render(env, "page.j2")
    (problem,) = failure.value.problems
    assert problem.rule == "template-unsafe" and problem.loc.line == 2 and problem.loc.file.endswith("page.j2")
    assert "outside the template folders" in problem.message
