"""The benchmark's ITI size as a smoke test: it completes and gives a valid site.

Nothing here measures time (the benchmark does that, ``python -m bench``). The
other tests guard the benchmark's fast paths against the slow ones they replace:
each must give exactly what the plain code gives.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import posixpath
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import synth
from generator.load.discovery import discover
from generator.load.schema_check import fast_check, validator
from generator.load.yaml_loader import load_file
from generator.render import export, narrative, pages, site_paths, views
from generator.site import publish
from generator.site.linkcheck import check_site
from generator.validate import validate

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def iti_specs(tmp_path_factory) -> Path:
    specs = tmp_path_factory.mktemp("bench") / "specs"
    counts = synth.write_framework("iti", specs, seed=1)
    assert counts["profiles"] == 60 and counts["transactions"] == 130 and counts["actors"] == 120
    return specs


def test_synthetic_framework_is_deterministic(tmp_path):
    assert synth.framework_files("iti", 7) == synth.framework_files("iti", 7)
    assert synth.framework_files("iti", 7) != synth.framework_files("iti", 8)


def test_iti_size_validates_without_any_problem(iti_specs):
    result = validate(iti_specs)
    assert [str(p) for p in result.problems] == []
    fw = result.framework
    assert (len(fw.profiles), len(fw.transactions), len(fw.actors)) == (60, 130, 120)
    # It looks like IHE: groupings across profiles, options that add transactions, at-least-one-of sets.
    assert any(len(g.targets) > 1 for p in fw.profiles.values() for g in p.groupings)
    assert any(o.transactions for p in fw.profiles.values() for o in p.options)
    assert any(pa.at_least_one_of for p in fw.profiles.values() for pa in p.actors)
    assert any(uc.steps for p in fw.profiles.values() for uc in p.use_cases)


def test_iti_size_builds_a_valid_site(iti_specs, tmp_path):
    project = tmp_path / "project"
    (project / "generator" / "site").mkdir(parents=True)
    (project / "docs").mkdir()
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copy(REPO / "generator" / "site" / "mkdocs_hook.py", project / "generator" / "site" / "mkdocs_hook.py")
    shutil.copytree(iti_specs, project / "specs")
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "-d", str(site)], cwd=project, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    fw = validate(project / "specs").framework
    profile = sorted(fw.profiles.values(), key=lambda p: p.chapter)[5]
    tx = sorted(fw.transactions.values(), key=lambda t: t.number)[10]
    actor = sorted(fw.actors)[3]
    for page in ("index.html", f"ITI/volume-1/{profile.acronym}/index.html", f"ITI/volume-2/{tx.id}/index.html", f"ITI/actors/{actor}/index.html"):
        assert (site / page).is_file(), page
    assert profile.name in (site / f"ITI/volume-1/{profile.acronym}/index.html").read_text(encoding="utf-8")
    assert [str(b) for b in check_site(site)] == []


# --------------------------------------------------------------------------- the fast paths give what the slow ones give


def test_fast_schema_check_never_accepts_what_jsonschema_rejects(iti_specs):
    """The compiled check may say "valid" only when jsonschema finds no error (random mutations of real specs)."""
    files, _ = discover(iti_specs)
    docs = [(s.kind, load_file(s.path, s.display)[0].data) for s in files]
    rng = random.Random(3)
    values = [None, True, False, 0, 1, 1.0, 1.5, -3, "", "x", "R", "C", "ITI-18", "Bad Id", [], ["a", "a"], [1, 1], {}, {"x": 1}]

    def paths(node, path=()):
        yield path
        if isinstance(node, dict):
            for k, v in node.items():
                yield from paths(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from paths(v, path + (i,))

    agreed = 0
    for _ in range(3000):
        kind, data = rng.choice(docs)
        data = copy.deepcopy(data)
        path = rng.choice(list(paths(data))[1:])
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        roll = rng.random()
        if roll < 0.6:
            parent[path[-1]] = rng.choice(values)
        elif roll < 0.8:
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[rng.choice(["extra", "note", "options", "status", "condition"])] = rng.choice(values)
        else:
            parent.append(rng.choice(values))
        fast = fast_check(kind)(data)
        valid = not any(True for _ in validator(kind).iter_errors(data))
        assert not (fast is True and not valid), (kind, path, data)
        agreed += (fast is True) == valid
    assert agreed > 2900  # and it rarely needs jsonschema for a valid document


def test_site_source_is_the_same_without_the_fast_paths(iti_specs, monkeypatch):
    """The page index, the narrative cache, the relative-path shortcut and the export change no byte."""
    fw = validate(iti_specs).framework
    fast = pages.generate(fw)

    def convert(prepared: str) -> str:
        narrative._MD.reset()
        return narrative._sanitise(narrative._MD.convert(prepared))

    monkeypatch.setattr(views, "indexed", lambda fw: contextlib.nullcontext())
    monkeypatch.setattr(narrative, "_converted", convert)
    monkeypatch.setattr(site_paths, "_relpath", posixpath.relpath)
    monkeypatch.setattr(export, "_plain", lambda value: export._clean(dataclasses.asdict(value)))
    slow = pages.generate(fw)
    assert slow.nav == fast.nav
    assert sorted(slow.files) == sorted(fast.files)
    assert [k for k in slow.files if slow.files[k] != fast.files[k]] == []


def test_serve_recomputes_only_what_a_change_reaches_and_gives_the_same_site(tmp_path):
    """pages.Incremental (tfpub serve): after each edit, the same Markdown as a build from scratch."""
    import yaml

    specs = tmp_path / "specs"
    synth.write_framework("iti", specs, seed=2, annex=False, supplements=False)
    rng = random.Random(4)

    def edit(path: Path, change) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.dump(data, Dumper=synth._Dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")

    domain = specs / "ITI"
    profiles = sorted((domain / "profiles").glob("*.yaml"))
    actors = sorted((domain / "actors").glob("*.yaml"))
    transactions = sorted((domain / "transactions").glob("*.yaml"))

    def drop_grouping(d):
        if d.get("groupings"):
            d["groupings"].pop()

    def flip_optionality(d):
        for a in d["actors"]:
            for t in a.get("transactions", []):
                if t["optionality"] == "R":
                    t["optionality"] = "O"
                    return

    edits = [
        lambda: edit(rng.choice(profiles), lambda d: d.update(summary=d["summary"] + "\nA new sentence.\n")),
        lambda: edit(rng.choice(actors), lambda d: d.update(name=d["name"] + " Prime")),
        lambda: edit(rng.choice(transactions), lambda d: d.update(name=d["name"] + " Again")),
        lambda: edit(rng.choice(profiles), drop_grouping),
        lambda: edit(rng.choice(profiles), flip_optionality),
        lambda: edit(rng.choice(profiles), lambda d: d.update(name=d["name"] + " Renamed")),
        lambda: edit(rng.choice(actors), lambda d: d.update(definition=d["definition"] + f" See [[profile:{profiles[3].stem}]].")),
        lambda: edit(domain / "glossary.yaml", lambda d: d["terms"][0].update(definition="Changed.")),
        lambda: edit(domain / "standards.yaml", lambda d: d["standards"][0].update(title="A Changed Standard")),
        lambda: edit(domain / "domain.yaml", lambda d: d.update(title="Changed Technical Framework")),
    ]
    state = pages.Incremental()
    first = validate(specs)
    assert first.ok
    pages.generate(first.framework, incremental=state)
    assert state.reused == 0
    partial = 0
    for change in edits:
        change()
        result = validate(specs)
        assert result.ok, [str(p) for p in result.errors]
        again = pages.generate(result.framework, incremental=state)
        whole = pages.generate(result.framework)
        assert again.nav == whole.nav
        assert [k for k in set(again.files) | set(whole.files) if again.files.get(k) != whole.files.get(k)] == []
        partial += state.reused > 0
    assert partial >= 5  # most edits reach only some pages


def test_serve_with_supplements_recomputes_only_what_a_change_reaches_and_gives_the_same_site(tmp_path):
    """With supplements, their notes on the chapters they change are a page input: the preview stays incremental."""
    import yaml

    specs = tmp_path / "specs"
    synth.write_framework("iti", specs, seed=3, annex=False, supplements=True)
    supplements = sorted((specs / "ITI" / "supplements").iterdir())
    assert len(supplements) >= 2
    amended = yaml.safe_load((supplements[0] / "amendments.yaml").read_text(encoding="utf-8"))["amendments"][0]["profile"]

    def edit(path: Path, change) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.dump(data, Dumper=synth._Dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")

    profiles = {p.stem: p for p in (specs / "ITI" / "profiles").glob("*.yaml")}
    other = sorted(set(profiles) - {amended})[5]
    edits = [
        lambda: edit(profiles[other], lambda d: d.update(summary=d["summary"] + "\nA new sentence.\n")),
        lambda: edit(profiles[amended], lambda d: d.update(summary=d["summary"] + "\nAn amended profile's sentence.\n")),
        lambda: edit(supplements[0] / "supplement.yaml", lambda d: d.update(title=d["title"] + " Renamed")),  # its notes change
        lambda: edit(supplements[1] / "supplement.yaml", lambda d: d.update(status="trial-implementation")),
        lambda: (supplements[0] / "amendments.yaml").unlink(),  # the amended chapter loses its note
    ]
    state = pages.Incremental()
    first = validate(specs)
    assert first.ok, [str(p) for p in first.problems]
    site = publish.site_source(first.framework, specs, incremental=state)
    assert state.reused == 0
    from generator.render import site_paths

    assert "is updated by" in site.files[site_paths.profile_page("ITI", amended)]
    partial = 0
    for change in edits:
        change()
        result = validate(specs)
        assert result.ok, [str(p) for p in result.errors]
        again = publish.site_source(result.framework, specs, incremental=state)
        whole = publish.site_source(result.framework, specs)
        assert again.nav == whole.nav
        assert [k for k in set(again.files) | set(whole.files) if again.files.get(k) != whole.files.get(k)] == []
        partial += state.reused > 0
    assert "is updated by" not in whole.files[site_paths.profile_page("ITI", amended)]
    assert partial == len(edits)
