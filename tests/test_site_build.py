"""tfpub build: a real mkdocs build of real specs; atomic, deterministic, safe."""

from __future__ import annotations

from example import EXAMPLE
from lxml import html as lxml_html
from sitebuild import REPO, SPECS, copy_project, example_site, tfpub, tree_bytes

from generator.validate import validate


def test_every_entity_has_its_page():
    site = example_site()
    fw = validate(SPECS).framework
    missing = []
    for p in fw.profiles.values():
        missing += [] if (site / p.domain / "volume-1" / p.acronym / "index.html").is_file() else [p.acronym]
    for t in fw.transactions.values():
        missing += [] if (site / t.domain / "volume-2" / t.id / "index.html").is_file() else [t.id]
    for a in fw.actors.values():
        missing += [] if (site / a.domain / "actors" / a.id / "index.html").is_file() else [a.id]
    for c in fw.content_modules.values():
        missing += [] if (site / c.domain / "volume-3" / c.id / "index.html").is_file() else [c.id]
    assert not missing
    for page in ("ITI/actors", "ITI/appendices/b-transactions", "ITI/appendices/d-glossary", "ITI/indexes/transactions", "ITI/indexes/standards"):
        assert (site / page / "index.html").is_file(), page
    assert (site / "model.json").is_file() and (site / "model.schema.json").is_file()


def test_two_builds_are_byte_identical(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    assert tfpub("build", "-d", str(first), cwd=EXAMPLE).returncode == 0
    assert tfpub("build", "-d", str(second), cwd=EXAMPLE).returncode == 0
    a, b = tree_bytes(first), tree_bytes(second)
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []


def test_plain_mkdocs_build_gives_the_same_site(tmp_path):
    import subprocess
    import sys

    ours = example_site()
    plain = tmp_path / "plain"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(EXAMPLE / "mkdocs.yml"), "-d", str(plain)],
        cwd=EXAMPLE, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    a, b = tree_bytes(ours), tree_bytes(plain)
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []


def test_failed_build_keeps_the_previous_site(tmp_path):
    project = copy_project(tmp_path / "project")
    assert tfpub("build", cwd=project).returncode == 0
    before = tree_bytes(project / "site")
    profile = project / "specs/ITI/profiles/XDS.b.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("actor: document-consumer", "actor: document-consumr", 1), encoding="utf-8")

    result = tfpub("build", cwd=project)

    assert result.returncode == 1
    assert "specs/ITI/profiles/XDS.b.yaml:" in result.stderr
    assert "unknown actor 'document-consumr' (did you mean 'document-consumer'?)" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_bytes(project / "site") == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".site")] == []


def test_text_from_yaml_cannot_inject_script(tmp_path):
    project = copy_project(tmp_path / "project")
    actor = project / "specs/ITI/actors/time-client.yaml"
    text = actor.read_text(encoding="utf-8")
    evil = 'Synchronises <script>alert("x")</script> clocks; [click](javascript:alert(1)) <img src=x onerror=alert(2)>'
    import yaml

    data = yaml.safe_load(text)
    data["definition"] = evil
    data["name"] = 'Time Client <b onmouseover="alert(3)">'
    actor.write_text("# yaml-language-server: $schema=../../../generator/schemas/actor.schema.json\n" + yaml.safe_dump(data), encoding="utf-8")

    result = tfpub("build", cwd=project)
    assert result.returncode == 0, result.stderr

    for page in (project / "site").rglob("*.html"):
        doc = lxml_html.parse(str(page)).getroot()
        for script in doc.iter("script"):
            assert "alert" not in (script.text or ""), page
        for el in doc.iter():
            if not isinstance(el.tag, str):
                continue
            assert not any(k.lower().startswith("on") for k in el.attrib), (page, el.tag, dict(el.attrib))
            assert not el.get("href", "").lower().startswith("javascript:"), page
    page = (project / "site/ITI/actors/time-client/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in page  # shown as text, not dropped silently


def test_a_framework_can_override_a_template(tmp_path):
    project = copy_project(tmp_path / "project")
    override = project / "specs/templates"
    override.mkdir()
    original = (REPO / "templates/transaction.md.j2").read_text(encoding="utf-8")
    (override / "transaction.md.j2").write_text(original.replace("## {{ number }}.1 Scope", "<p>OVERRIDDEN-TEMPLATE</p>\n\n## {{ number }}.1 Scope"), encoding="utf-8")

    assert tfpub("build", cwd=project).returncode == 0

    assert "OVERRIDDEN-TEMPLATE" in (project / "site/ITI/volume-2/ITI-18/index.html").read_text(encoding="utf-8")
    assert "OVERRIDDEN-TEMPLATE" not in (project / "site/ITI/volume-1/XDS.b/index.html").read_text(encoding="utf-8")


def test_no_mkdocs_config_is_a_usage_error(tmp_path):
    result = tfpub("build", cwd=tmp_path)
    assert result.returncode == 2
    assert "no mkdocs configuration" in result.stderr


def test_every_transaction_and_profile_page_shows_its_rendered_diagram():
    site = example_site()
    fw = validate(SPECS).framework
    pages = [site / t.domain / "volume-2" / t.id / "index.html" for t in fw.transactions.values()]
    pages += [site / p.domain / "volume-1" / p.acronym / "index.html" for p in fw.profiles.values()]
    missing = []
    for page in pages:
        doc = lxml_html.parse(str(page)).getroot()
        figure = doc.get_element_by_id("figure-interaction" if "volume-2" in str(page) else "figure-actor-diagram", None)
        svg = figure.find(".//{http://www.w3.org/2000/svg}svg") if figure is not None else None
        if svg is None:
            svg = next((el for el in figure.iter() if isinstance(el.tag, str) and el.tag.endswith("svg")), None) if figure is not None else None
        links = svg is not None and any(isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] == "a" for el in svg.iter())
        if svg is None or svg.get("role") != ("group" if links else "img"):  # a picture with links is a group
            missing.append(page.relative_to(site).as_posix())
    assert missing == []


def test_hand_written_pages_render_their_plantuml_locally():
    page = (example_site() / "guide/reading/index.html").read_text(encoding="utf-8")
    assert 'role="img"' in page and "From specs to site" in page
    assert "```plantuml" not in page
