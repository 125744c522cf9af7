"""Supplements: the example ones, their documents and change markup, validation, incorporation, the site.

Everything that writes works on a copy of specs/ in a temporary folder.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import REPO_ROOT, run_cli, show
from example import EXAMPLE_SPECS

from generator.render import pages, views
from generator.render.export import export_json
from generator.supplements import build_document, load_supplements
from generator.supplements.diff import DiffTable, accept, table_diff, word_diff
from generator.supplements.document import split_sections
from generator.supplements.incorporate import incorporate
from generator.validate import validate

SPECS = EXAMPLE_SPECS


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    target = tmp_path / "specs"
    shutil.copytree(SPECS, target)
    return target


def tree_hash(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def documents(root: Path):
    result = validate(root)
    assert result.ok, show(result.problems)
    supplements, problems = load_supplements(root)
    assert not problems, show(problems)
    env = pages.environment()
    return result.framework, {s.id: build_document(result.framework, s, env) for s in supplements}


@pytest.fixture(scope="module")
def example():
    return documents(SPECS)


def instructions(doc) -> list[tuple[int, str, str]]:
    return [(i.volume, i.kind, i.number) for i in doc.instructions]


def text_of(markdown_or_html: str) -> str:
    """What a reader sees: no tags, no attribute lists, white space collapsed."""
    text = re.sub(r"\{ #[^}]*\}", "", markdown_or_html)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"^#+ ", "", text, flags=re.M)
    return " ".join(html.unescape(text).split())


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


AMENDMENTS_HEAD = "# yaml-language-server: $schema=../../../../generator/schemas/supplement-amendments.schema.json\namendments:\n"


def add_supplement(specs: Path, sid: str, amendments: str, *, status: str = "trial-implementation", applies_to: str = "20.0") -> Path:
    folder = specs / "ITI" / "supplements" / sid
    write(
        folder / "supplement.yaml",
        "# yaml-language-server: $schema=../../../../generator/schemas/supplement.schema.json\n"
        f"id: {sid}\ntitle: Test supplement {sid}\nrevision: \"1.0\"\nstatus: {status}\ndate: \"2024-01-01\"\n"
        f"applies_to:\n  revision: \"{applies_to}\"\n",
    )
    write(folder / "amendments.yaml", AMENDMENTS_HEAD + amendments)
    return folder


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


# --------------------------------------------------------------------------- the example supplements

REFERENCE = REPO_ROOT.parent / "shared" / "ihe-reference"


def section(doc, number: str) -> str:
    return next(i for i in doc.instructions if i.number == number).shown


def rows_with(html_text: str, needle: str) -> list[str]:
    return [r for r in re.findall(r"<tr>.*?</tr>", html_text, re.S) if needle in r]


def cells(row: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)


def appendix(md: str, letter: str) -> str:
    """The section of the supplement's General Introduction updates for Appendix A, B or D."""
    return md.split(f"{{ #appendix-{letter}}}")[1].split("\n#")[0]


def test_the_example_carries_two_real_supplements_against_iti(example):
    fw, docs = example
    assert set(docs) == {"PDQm", "XDS.b-on-demand"}
    assert {d.supplement.status for d in docs.values()} == {"trial-implementation"}
    # what they add is not in the base volumes: it is published in the supplements
    assert "PDQm" not in fw.profiles and {"ITI-78", "ITI-119"}.isdisjoint(fw.transactions)
    assert "on-demand-document-source" not in fw.actors and "ITI-61" not in fw.transactions
    assert fw.profiles["XDS.b"].option("on-demand-documents") is None
    # both say they are examples modelled on the published supplements
    for doc in docs.values():
        assert "example" in doc.supplement.introduction and "published" in doc.supplement.introduction


def test_new_profile_supplement_adds_a_chapter_its_transactions_and_appendix_entries(example):
    fw, docs = example
    doc = docs["PDQm"]
    assert "PDQm" in doc.framework.profiles
    assert instructions(doc) == [(1, "amend", "8.6"), (1, "add", "38"), (2, "add", "3.78"), (2, "add", "3.119")]
    md = doc.markdown
    assert "add the new chapter ITI TF-1: 38 <em>Patient Demographics Query for Mobile (PDQm)</em>, as follows:" in md
    assert "add the new section ITI TF-2: 3.78 <em>Mobile Patient Demographics Query [ITI-78]</em>, as follows:" in md
    assert "add the new section ITI TF-2: 3.119 <em>Patient Demographics Match [ITI-119]</em>, as follows:" in md
    assert "amend Section ITI TF-1: 8.6 <em>PDQ Cross-Profile Considerations</em> as follows:" in md
    # General Introduction updates, as the published supplement lists them: no new actors, two transactions
    assert [text_of(r) for r in rows_with(appendix(md, "a"), "<td>")] == ["No new actors"]
    rows_b = rows_with(appendix(md, "b"), "[ITI-")
    assert [re.search(r"\[(ITI-\d+)\]", r).group(1) for r in rows_b] == ["ITI-78", "ITI-119"]
    assert "No new terms" in appendix(md, "d")
    # the new chapter is numbered as the volume will number it
    for heading in ("38.1 PDQm Actors, Transactions, and Content Modules", "38.2.1 Patient Search Option", "38.2.2 Match Operation Option", "Table 38.1-1", "Table 38.2-1"):
        assert heading in md, heading


def test_new_profile_supplement_makes_the_general_introduction_updates_the_published_one_made():
    """Appendix A and B and the amended section, against the published supplement's own list (other.md)."""
    other = REFERENCE / "ig" / "ITI.PDQm" / "other.md"
    if not other.is_file():
        pytest.skip(f"reference facts not found at {REFERENCE}")
    published = other.read_text(encoding="utf-8")
    sections = {part.split("\n", 1)[0]: part for part in published.split("\n## ")}
    appendix_a = next(text for title, text in sections.items() if title.endswith("Appendix A – Actor Summary Definitions"))
    appendix_b = next(text for title, text in sections.items() if title.endswith("Appendix B – Transaction Summary Definitions"))
    fw, docs = documents(SPECS)
    doc = docs["PDQm"]
    new_actors = doc.applied.new.get("actor", [])
    assert ("| No new |" in appendix_a) == (new_actors == [])
    assert sorted(doc.applied.new["transaction"]) == sorted(re.findall(r"\\\[(ITI-\d+)\\\]", appendix_b))
    amended = re.findall(r"Add the following to section ITI TF-1: (\d+(?:\.\d+)*)", published)
    in_framework = [n for n in amended if any(str(p.chapter) == n.split(".")[0] for p in fw.profiles.values())]
    assert in_framework == ["8.6"]  # 24.6 is PDQv3's, which the example framework does not have
    assert [i.number for i in doc.instructions if i.kind == "amend"] == in_framework


def test_new_profile_supplement_marks_the_added_paragraph(example):
    _fw, docs = example
    cross = section(docs["PDQm"], "8.6")
    assert "<del>" not in cross
    added = re.findall(r"<ins>(.*?)</ins>", cross)
    assert added[0].startswith("The same query is offered by two other profiles: PDQv3")
    assert "<ins>PDQm Profile (ITI TF-1: 38)</ins>" in cross
    # the paragraph that was there stays unmarked
    assert "<p>PDQ is frequently used before document sharing" in cross


def test_amending_supplement_gives_the_ihe_editor_instructions(example):
    _fw, docs = example
    doc = docs["XDS.b-on-demand"]
    assert instructions(doc) == [
        (1, "amend", "10.1"),
        (1, "amend", "10.1.1.1"),
        (1, "add", "10.1.1.7"),
        (1, "amend", "10.2"),
        (1, "amend", "10.2.5"),
        (1, "amend", "10.2.7"),
        (1, "add", "10.2.12"),
        (1, "add", "10.2.13"),
        (1, "amend", "10.3"),
        (1, "amend", "10.4.1"),
        (1, "add", "10.4.2.2"),
        (2, "amend", "3.43.2"),
        (2, "amend", "3.43.4"),  # its interaction diagram gains the new responder: "replace Figure 3.43.4-1 with:"
        (2, "add", "3.61"),
    ]
    md = doc.markdown
    assert "amend Section ITI TF-1: 10.1 <em>XDS.b Actors, Transactions, and Content Modules</em> as follows:" in md
    assert "add new Section ITI TF-1: 10.1.1.7 <em>On-Demand Document Source</em> after Section 10.1.1.6, as follows:" in md
    assert "amend Section ITI TF-1: 10.2 <em>XDS.b Actor Options</em> as follows:" in md
    assert "add new Section ITI TF-1: 10.2.12 <em>On-Demand Documents Option</em> after Section 10.2.11, as follows:" in md
    assert "add new Section ITI TF-1: 10.2.13 <em>Persistence of Retrieved Documents Option</em> after Section 10.2.12, as follows:" in md
    assert "amend Section ITI TF-1: 10.3 <em>XDS.b Required Actor Groupings</em> as follows:" in md
    assert "add new Section ITI TF-1: 10.4.2.2 <em>Use Case #2: Retrieving an up-to-date medication list</em> after Section 10.4.2.1" in md
    assert "amend Section ITI TF-2: 3.43.2 <em>Actor Roles</em> as follows:" in md
    assert "add the new section ITI TF-2: 3.61 <em>Register On-Demand Document Entry [ITI-61]</em>, as follows:" in md
    # General Introduction: the new actor in Appendix A, the new transaction in Appendix B
    assert [text_of(r) for r in rows_with(appendix(md, "a"), "<td>")] == [
        "On-Demand Document Source Advertises documents whose content is assembled from current data at the moment they are retrieved, rather than stored in advance."
    ]
    assert [text_of(cells(r)[0]) for r in rows_with(appendix(md, "b"), "<td>")] == ["Register On-Demand Document Entry [ITI-61]"]


def test_added_table_rows_are_bold_underlined_cell_by_cell(example):
    _fw, docs = example
    doc = docs["XDS.b-on-demand"]
    actors = section(doc, "10.1")
    added = rows_with(actors, "<ins>")
    # the Registry's new ITI-61 row, and the two rows of the new actor
    assert [(text_of(cells(r)[0]) if len(cells(r)) == 5 else "", text_of(cells(r)[-4])) for r in added] == [
        ("", "Register On-Demand Document Entry [ITI-61]"),
        ("On-Demand Document Source", "Register On-Demand Document Entry [ITI-61]"),
        ("", "Retrieve Document Set [ITI-43]"),
    ]
    for row in added:
        assert all("<ins>" in c for c in cells(row)), row  # an actor cell spanning from the row above is not printed here
        assert "<del>" not in row
    registry = added[0]
    assert [text_of(c) for c in cells(registry)[-3:-1]] == ["Responder", "O"]
    assert "<del>" not in actors
    options = section(doc, "10.2")
    added = [(text_of(cells(r)[0]) if len(cells(r)) == 3 else "", text_of(cells(r)[-2])) for r in rows_with(options, "<ins>")]
    assert added == [
        ("", "On-Demand Documents"),  # Document Consumer
        ("", "On-Demand Documents"),  # Document Registry (no note: the published table has none)
        ("On-Demand Document Source", "Basic Patient Privacy Enforcement"),
        ("", "Asynchronous Web Services Exchange"),
        ("", "Persistence of Retrieved Documents"),
    ]
    assert "claims this option" not in options  # the supplement adds no note the published XDS.b table lacks
    groupings = section(doc, "10.3")
    added = rows_with(groupings, "<ins>")
    assert [text_of(cells(r)[-2]) for r in added] == ["CT / Time Client", "ATNA / Secure Node or Secure Application"]
    assert text_of(cells(added[0])[0]) == "On-Demand Document Source"
    roles = rows_with(section(doc, "3.43.2"), "<ins>")
    assert [text_of(c) for c in cells(roles[0])[:2]] == ["On-Demand Document Source", "Responder"]


def test_narrative_changes_are_marked_word_by_word(example):
    _fw, docs = example
    doc = docs["XDS.b-on-demand"]
    consumer = section(doc, "10.1.1.1")
    assert "retrieves the ones it needs from the repositories <ins>or on-demand sources</ins> that hold them." in consumer
    concepts = section(doc, "10.4.1")
    assert "Options let sources replace, amend or transform documents.</p>" in concepts
    assert "<p><ins>An</ins> " in concepts and "<ins>, as it would from a repository.</ins></p>" in concepts
    assert "<del>" not in consumer + concepts


def test_removed_rows_and_text_are_struck_through(specs):
    """The example supplements only add; removals are shown with a supplement of their own."""
    add_supplement(
        specs,
        "changes",
        "  - op: remove-transaction\n    profile: XDS.b\n    actor: document-repository\n    transaction: ITI-43\n"
        "  - op: set-optionality\n    profile: XDS.b\n    actor: document-consumer\n    transaction: ITI-43\n    optionality: O\n    was: R\n"
        "  - op: remove-grouping\n    profile: XDS.b\n    actor: document-consumer\n    with:\n      - profile: CT\n        actor: time-client\n"
        "  - op: replace-narrative\n    profile: XDS.b\n    actor: document-repository\n    field: description\n"
        "    text: Stores submitted documents and registers them with the registry.\n",
    )
    _fw, docs = documents(specs)
    doc = docs["changes"]
    actors = section(doc, "10.1")
    removed = [r for r in rows_with(actors, "[ITI-43]") if "Responder" in r and "<del>" in r]
    assert len(removed) == 1 and "<ins>" not in removed[0]
    assert all(c.startswith("<del>") or "><del>" in c for c in cells(removed[0])), removed[0]
    changed = next(r for r in rows_with(actors, "[ITI-43]") if "Initiator" in r)
    assert "<td><del>R</del><ins>O</ins></td>" in changed
    assert "<ins>" not in changed.replace("<del>R</del><ins>O</ins>", "")
    groupings = rows_with(section(doc, "10.3"), "<del>")
    assert len(groupings) == 1 and "Time Client" in groupings[0] and "<ins>" not in groupings[0]
    repository = section(doc, "10.1.1.3")
    assert "Stores submitted documents<del>,</del> <ins>and</ins> registers them with the registry <del>and serves them on request</del>." in repository.replace("\n", " ")


def test_a_new_conditional_row_brings_its_note_and_renumbers_the_notes_after_it(specs):
    add_supplement(
        specs,
        "conditional",
        "  - op: set-optionality\n    profile: XDS.b\n    actor: document-consumer\n    transaction: ITI-43\n    optionality: C\n"
        "    condition: Required unless the consumer only lists documents.\n",
    )
    _fw, docs = documents(specs)
    actors = section(docs["conditional"], "10.1")
    changed = next(r for r in rows_with(actors, "[ITI-43]") if "Initiator" in r)
    assert "<del>R</del>" in changed and "Note 1" in text_of(changed)
    assert "Note 1: <ins>Conditional: Required unless the consumer only lists documents.</ins>" in actors
    assert re.search(r"O \(Note <del>1</del><ins>2</ins>\)", actors), actors
    # the feed rule is one note for the Registry and the Patient Identity Source, as published
    assert "O (Note <del>1</del><ins>2</ins>, <del>2</del><ins>3</ins>)" in actors


def test_diff_helpers_accept_back_to_the_new_text():
    old, new = "<p>The registry <a href=\"x\">stores</a> entries.</p>", "<p>The registry keeps <a href=\"x\">stored</a> entries for good.</p>"
    marked = word_diff(old, new)
    assert accept(marked) == new
    assert "<del>" in marked and "<ins>" in marked
    fw = validate(SPECS).framework
    before = views.profile_page(fw, fw.profiles["XDS.b"]).context["options_table"]
    after_fw = load_and_apply(fw, "XDS.b-on-demand")
    after = views.profile_page(after_fw, after_fw.profiles["XDS.b"]).context["options_table"]
    diff = table_diff(before, after)
    assert isinstance(diff, DiffTable)
    assert diff.accepted_rows() == [[str(c.html) for c in row] for row in after.rows]
    assert diff.status.count("added") == 5 and "removed" not in diff.status


def load_and_apply(fw, sid):
    from generator.supplements import apply

    supp = next(s for s in load_supplements(SPECS)[0] if s.id == sid)
    applied = apply(fw, supp)
    assert applied.ok, show(applied.problems)
    return applied.framework


def test_framework_with_supplements_is_the_base_with_every_open_supplement_applied(example):
    from generator.supplements import framework_with_supplements

    fw, docs = example
    published = framework_with_supplements(SPECS)
    assert set(published.profiles) == set(fw.profiles) | {"PDQm"}
    assert set(published.transactions) == set(fw.transactions) | {"ITI-61", "ITI-78", "ITI-119"}
    assert set(published.actors) == set(fw.actors) | {"on-demand-document-source"}
    # each supplement's changes, together: the PDQ paragraph of one, the XDS.b rows of the other
    assert published.profiles["PDQ"].cross_profile == docs["PDQm"].framework.profiles["PDQ"].cross_profile
    assert export_json(published).count('"on-demand-document-source"') == export_json(docs["XDS.b-on-demand"].framework).count('"on-demand-document-source"')
    assert validate(SPECS).framework.profiles.get("PDQm") is None  # the base is not changed


def test_framework_with_supplements_skips_final_text_and_reports_errors(specs):
    from generator.supplements import SupplementError, framework_with_supplements

    assert incorporate(specs, "PDQm").ok
    published = framework_with_supplements(specs)
    assert "PDQm" in published.profiles and "ITI-61" in published.transactions  # PDQm now from the base, XDS.b-on-demand applied
    add_supplement(specs, "broken", "  - op: add-transaction\n    profile: XDS.c\n    actor: document-consumer\n    transaction: ITI-18\n    optionality: O\n")
    with pytest.raises(SupplementError) as raised:
        framework_with_supplements(specs)
    assert any(p.rule == "supplement-target" and p.loc.file.endswith("broken/amendments.yaml") for p in raised.value.problems)


# --------------------------------------------------------------------------- incorporate, then build


@pytest.mark.parametrize("sid", ["XDS.b-on-demand", "PDQm"])
def test_incorporating_then_building_gives_what_the_supplement_said(specs, sid):
    fw, docs = documents(specs)
    doc = docs[sid]
    result = incorporate(specs, sid)
    assert result.ok, show(result.problems)
    after = validate(specs)
    assert after.ok, show(after.problems)
    # the whole model equals the amended one the supplement document was made from
    assert export_json(after.framework) == export_json(doc.framework)
    env = pages.environment()
    built = {p.src: pages.render_page(env, p) for p in pages.all_pages(after.framework)}
    for ins in doc.instructions:
        page = built[ins.page]
        if ins.anchor == "":
            assert page == ins.after, f"{ins.number}: the new page differs from what the supplement shows"
            continue
        section = next(s for s in split_sections(page) if s.anchor == ins.anchor)
        assert section.text == ins.after, ins.number
        # what the supplement shows, with every change accepted, reads as the built volume does
        assert text_of(accept(ins.shown)) == text_of(section.text), ins.number
    # tables, row by row
    for src, old in doc.before_pages.items():
        if "/volume-1/" in src:
            acronym = src.rsplit("/", 1)[1][:-3]
            built_view = views.profile_page(after.framework, after.framework.profiles[acronym])
            before_view = views.profile_page(fw, fw.profiles[acronym])
            for key in ("actors_table", "options_table", "groupings_table"):
                diff = table_diff(before_view.context[key], built_view.context[key])
                assert diff.accepted_rows() == [[str(c.html) for c in row] for row in built_view.context[key].rows]
    # the supplement is final text now, and no longer on the site as an open supplement
    assert "status: final-text" in (specs / "ITI" / "supplements" / sid / "supplement.yaml").read_text()


def test_incorporation_changes_only_the_lines_it_must(specs):
    xds = specs / "ITI" / "profiles" / "XDS.b.yaml"
    text = xds.read_text()
    text = text.replace("chapter: 10\n", "chapter: 10  # stable: never renumber\n")
    text = text.replace("type: workflow\n", "type: 'workflow'\n# a reviewer's note between keys\n")
    xds.write_text(text)
    before_files = tree_hash(specs)
    originals = {rel: (specs / rel).read_text() for rel in before_files}
    result = incorporate(specs, "XDS.b-on-demand")
    assert result.ok, show(result.problems)
    after_files = tree_hash(specs)
    changed = {rel for rel in before_files if after_files.get(rel) != before_files[rel]}
    assert changed == {
        "ITI/profiles/XDS.b.yaml",
        "ITI/transactions/ITI-43.yaml",
        "ITI/supplements/XDS.b-on-demand/supplement.yaml",
    }
    kept = "ITI/supplements/XDS.b-on-demand/balloted"  # the document as balloted
    assert set(after_files) - set(before_files) == {"ITI/transactions/ITI-61.yaml", "ITI/actors/on-demand-document-source.yaml", f"{kept}.md", f"{kept}.html"}
    import difflib

    amendments = (specs / "ITI" / "supplements" / "XDS.b-on-demand" / "amendments.yaml").read_text()
    comments = {line.strip() for line in amendments.splitlines() if line.strip().startswith("#")}
    assert len(comments) > 2
    for rel in changed:
        old, new = originals[rel].splitlines(), (specs / rel).read_text().splitlines()
        removed = [line for line in difflib.ndiff(old, new) if line.startswith("- ")]
        added = [line[2:] for line in difflib.ndiff(old, new) if line.startswith("+ ")]
        if rel == "ITI/profiles/XDS.b.yaml":  # only the line of the consumer's description the amendment rewrites
            assert removed == ["-       from the repositories that hold them."]
        elif rel.endswith("supplement.yaml"):
            assert removed == ["- status: trial-implementation"]
        else:
            assert removed == [], rel
        # the comments between amendments are notes for reviewers, not part of what is added
        assert not comments & {line.strip() for line in added}, rel
    new_text = xds.read_text()
    assert "chapter: 10  # stable: never renumber\n" in new_text
    assert "type: 'workflow'\n# a reviewer's note between keys\n" in new_text
    for rel in ("transactions/ITI-61.yaml", "actors/on-demand-document-source.yaml"):
        copied = (specs / "ITI" / rel).read_text()
        assert copied.splitlines()[0].startswith("# yaml-language-server: $schema=../../../generator/schemas/")
        assert copied.splitlines()[1:] == (specs / "ITI" / "supplements" / "XDS.b-on-demand" / rel).read_text().splitlines()[1:]


def test_a_comment_between_amendments_stays_out_of_the_volumes(specs):
    add_supplement(
        specs,
        "notes",
        "  - op: add-grouping\n    profile: XDS.b\n    grouping:\n      actor: document-consumer\n      kind: recommended\n"
        "      with:\n        - profile: XUA\n          actor: x-service-user  # conveys the user's identity\n"
        "  # a reviewer's note about the next amendment\n"
        "  - op: append-narrative\n    profile: PDQ\n    field: security\n    text: One more sentence.\n",
    )
    assert incorporate(specs, "notes").ok
    xds = (specs / "ITI" / "profiles" / "XDS.b.yaml").read_text()
    assert re.search(r"\n        actor: x-service-user +# conveys the user's identity\n", xds)  # the entry's own comment comes along
    assert "reviewer's note about the next amendment" not in xds


def test_incorporating_twice_fails_cleanly(specs):
    assert incorporate(specs, "XDS.b-on-demand").ok
    before = tree_hash(specs)
    done = run_cli("supplement", "incorporate", "XDS.b-on-demand", "--specs", str(specs))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "supplement.yaml:5:9: error:" in done.stderr and "[supplement-incorporated]" in done.stderr
    assert "no file was changed" in done.stderr
    assert tree_hash(specs) == before


def test_incorporation_on_the_wrong_base_fails_cleanly(specs):
    domain = specs / "ITI" / "domain.yaml"
    domain.write_text(domain.read_text().replace('revision: "20.0"', 'revision: "21.0"'))
    before = tree_hash(specs)
    result = incorporate(specs, "PDQm")
    assert not result.ok and not result.edits
    problem = next(p for p in result.problems if p.rule == "supplement-base")
    assert problem.loc.file.endswith("PDQm/supplement.yaml")
    assert problem.loc.line == line_of(specs / "ITI/supplements/PDQm/supplement.yaml", 'revision: "20.0"')
    assert "Revision 20.0" in problem.message and "Revision 21.0" in problem.message
    assert tree_hash(specs) == before
    # tfpub validate warns about it, without refusing the build
    assert any(p.rule == "supplement-base" and not p.is_error for p in validate(specs).problems)


def test_incorporation_on_a_base_that_changed_under_it_fails_cleanly(specs):
    xds = specs / "ITI" / "profiles" / "XDS.b.yaml"
    xds.write_text(xds.read_text().replace("  - id: delayed-document-assembly", "  - id: on-demand-documents\n    name: On Demand\n    description: Someone else's.\n  - id: delayed-document-assembly"))
    before = tree_hash(specs)
    done = run_cli("supplement", "incorporate", "XDS.b-on-demand", "--specs", str(specs))
    assert done.returncode == 1
    assert "already has option 'on-demand-documents'" in done.stderr
    assert "XDS.b-on-demand/amendments.yaml:" in done.stderr
    assert tree_hash(specs) == before


# --------------------------------------------------------------------------- located errors


def test_amending_what_does_not_exist_is_a_located_error(specs):
    folder = add_supplement(
        specs,
        "broken",
        "  - op: add-transaction\n    profile: XDS.c\n    actor: document-consumer\n    transaction: ITI-18\n    optionality: O\n"
        "  - op: set-optionality\n    profile: XDS.b\n    actor: document-consumr\n    transaction: ITI-18\n    optionality: O\n"
        "  - op: replace-narrative\n    transaction: ITI-999\n    field: scope\n    text: New.\n",
    )
    result = validate(specs)
    targets = [p for p in result.problems if p.rule == "supplement-target"]
    amendments = folder / "amendments.yaml"
    assert {(Path(p.loc.file).name, p.loc.line) for p in targets} == {
        ("amendments.yaml", line_of(amendments, "profile: XDS.c")),
        ("amendments.yaml", line_of(amendments, "actor: document-consumr")),
        ("amendments.yaml", line_of(amendments, "transaction: ITI-999")),
    }, show(result.problems)
    messages = " ".join(p.message for p in targets)
    assert "did you mean 'XDS.b'" in messages and "did you mean 'document-consumer'" in messages
    before = tree_hash(specs)
    assert not incorporate(specs, "broken").ok
    assert tree_hash(specs) == before


def test_schema_errors_in_amendments_are_located(specs):
    folder = add_supplement(specs, "typo", "  - op: add-option\n    profile: XDS.b\n    optoin: {}\n  - op: rename-profile\n    profile: XDS.b\n")
    problems = validate(specs).problems
    amendments = folder / "amendments.yaml"
    unknown = [p for p in problems if p.rule == "schema-additionalProperties"]
    assert any(p.loc.line == line_of(amendments, "optoin") and "did you mean 'option'" in p.message for p in unknown), show(problems)
    assert any(p.rule == "schema-enum" and p.loc.line == line_of(amendments, "rename-profile") for p in problems), show(problems)


def test_a_new_entity_that_exists_already_is_refused(specs):
    folder = add_supplement(specs, "again", "")
    (folder / "amendments.yaml").unlink()
    shutil.copytree(specs / "ITI" / "supplements" / "PDQm" / "transactions", folder / "transactions")
    (folder / "profiles").mkdir()
    shutil.copy(specs / "ITI" / "profiles" / "CT.yaml", folder / "profiles" / "CT.yaml")
    problems = validate(specs).problems
    exists = [p for p in problems if p.rule == "supplement-exists"]
    assert len(exists) == 1 and exists[0].loc.file.endswith("again/profiles/CT.yaml") and exists[0].loc.line == 2, show(problems)
    # ITI-78 is now added by two open supplements, the same way: only one of them could ever be incorporated
    assert any(p.rule == "supplement-overlap" for p in problems), show(problems)


def test_conflicting_supplements_are_reported_and_not_incorporated(specs):
    folder = add_supplement(
        specs,
        "rival",
        "  - op: replace-narrative\n    profile: XDS.b\n    field: overview\n    text: A different overview.\n"
        "  - op: add-transaction\n    profile: XDS.b\n    actor: document-registry\n    transaction: ITI-18\n    optionality: O\n",
    )
    result = validate(specs)
    conflicts = [p for p in result.problems if p.rule == "supplement-conflict"]
    assert len(conflicts) == 1, show(result.problems)
    conflict = conflicts[0]
    # located at the rival's amendment, naming the other supplement's
    assert conflict.loc.file.endswith("supplements/rival/amendments.yaml")
    assert conflict.loc.line == line_of(folder / "amendments.yaml", "op: replace-narrative")
    other = specs / "ITI/supplements/XDS.b-on-demand/amendments.yaml"
    assert f"XDS.b-on-demand/amendments.yaml:{line_of(other, 'field: overview') - 2}:" in conflict.message
    assert "XDS.b-on-demand" in conflict.message and "rival" in conflict.message and "overview" in conflict.message
    # the second amendment names a row that exists already: its own located error
    assert any(p.rule == "supplement-exists" and p.loc.line == line_of(folder / "amendments.yaml", "transaction: ITI-18") for p in result.problems)
    before = tree_hash(specs)
    for sid in ("XDS.b-on-demand", "rival"):
        done = run_cli("supplement", "incorporate", sid, "--specs", str(specs))
        assert done.returncode == 1 and "[supplement-conflict]" in done.stderr, done.stderr
    assert tree_hash(specs) == before


def test_two_supplements_appending_to_one_text_do_not_conflict(specs):
    add_supplement(specs, "more", "  - op: append-narrative\n    profile: PDQ\n    field: cross_profile\n    text: One more paragraph.\n")
    result = validate(specs)
    assert result.ok and not [p for p in result.problems if p.rule.startswith("supplement")], show(result.problems)


# --------------------------------------------------------------------------- the site


@pytest.fixture(scope="module")
def site():
    from generator.site.publish import publish

    published = publish(SPECS, cache_dir=REPO_ROOT / ".tfpub-cache")
    assert published.ok, show(published.problems)
    return published.source


def test_site_has_supplement_pages_index_print_versions_and_navigation(site):
    files = site.files
    for path in ("ITI/supplements/index.md", "ITI/supplements/PDQm.md", "ITI/supplements/XDS.b-on-demand.md", "ITI/supplements/PDQm/PDQm.html", "assets/tfpub-supplement.css"):
        assert path in files, path
    assert "tfpub-status--trial-implementation" in files["ITI/supplements/PDQm.md"]
    assert "tfpub-status--trial-implementation" in files["ITI/supplements/XDS.b-on-demand.md"]
    printable = files["ITI/supplements/XDS.b-on-demand/XDS.b-on-demand.html"]
    assert printable.startswith("<!DOCTYPE html>") and "<style>" in printable and "../../" not in printable
    iti = next(item["ITI"] for item in site.nav if isinstance(item, dict) and "ITI" in item)
    entry = next(e["Supplements"] for e in iti if isinstance(e, dict) and "Supplements" in e)
    assert entry[0] == "ITI/supplements/index.md" and len(entry) == 3
    assert "assets/tfpub-supplement.css" in site.extra_css
    assert not any(path.endswith(".pdf") for path in files)  # PDFs on the site are opt-in


def test_changed_chapters_carry_a_note_linking_to_the_supplement(site):
    xds = site.files["ITI/volume-1/XDS.b.md"]
    assert 'This profile is updated by the <a href="../../supplements/XDS.b-on-demand/">XDS.b On-Demand Documents supplement</a> (Trial Implementation).' in xds
    assert "supplements/PDQm/" in site.files["ITI/volume-1/PDQ.md"]
    assert "This transaction is updated by" in site.files["ITI/volume-2/ITI-43.md"]
    assert "updated by" not in site.files["ITI/volume-1/ATNA.md"]
    # what the supplements add is on the site in the supplements only
    assert "ITI/volume-1/PDQm.md" not in site.files and "ITI/volume-2/ITI-61.md" not in site.files


def test_one_prefilled_comment_link_per_numbered_section_not_per_heading(site):
    page = site.files["ITI/supplements/XDS.b-on-demand.md"]
    lines = page.splitlines()
    commented = [lines[n - 2] for n, line in enumerate(lines) if line.startswith('<p class="tfpub-comment">')]
    links = re.findall(r'<p class="tfpub-comment"><a href="([^"]+)"', page)
    assert all(re.match(r"^#{2,6} ", h) for h in commented)  # each link right under its heading
    titles = [re.sub(r"^#+ | \{ #.*$", "", h) for h in commented]
    # chapters, transactions and their first-level sections, every section an instruction adds or amends
    for shown in ("10.1 XDS.b Actors, Transactions, and Content Modules", "10.2.12 On-Demand Documents Option", "3.61 Register On-Demand Document Entry [ITI-61]", "3.61.4 Messages", "Open Issues and Questions"):
        assert shown in titles, shown
    # not under every heading: the message subsections of a new transaction are commented through 3.61.4
    assert not any(t.startswith("3.61.4.1") for t in titles) and "Foreword" not in titles
    headings = [line for line in lines if re.match(r"^#{2,6} ", line)]
    assert 10 < len(links) < len(headings)
    assert len(set(titles)) == len(titles)
    link = html.unescape(next(l for l in links if "10.2.12" in l))
    query = parse_qs(urlsplit(link).query)
    assert link.startswith("https://tracker.example.org/ITI/issues/new?")
    assert query["title"] == ["[XDS.b-on-demand] 10.2.12 On-Demand Documents Option"]
    assert "Revision 1.0, Trial Implementation" in query["body"][0]
    assert " " not in link and "\n" not in link


def test_new_items_carry_the_supplements_status_and_editors_read_plainly(site):
    odd = site.files["ITI/supplements/XDS.b-on-demand.md"]
    assert "ITI TF-2: 3.61 &middot; Trial Implementation" in odd  # the domain is Final Text; the new transaction is not
    assert "&middot; Final Text" not in odd
    pdqm = site.files["ITI/supplements/PDQm.md"]
    assert "ITI TF-2: 3.78 &middot; Trial Implementation" in pdqm and "ITI TF-2: 3.119 &middot; Trial Implementation" in pdqm
    assert "Editor: ITI Technical Committee, tfpub example framework (not an IHE publication)</p>" in pdqm
    assert "))" not in pdqm.split('<div class="tfpub-supplement-cover">')[1].split("</div>")[0]


# --------------------------------------------------------------------------- the command line


def test_cli_builds_html_and_md(tmp_path):
    out = tmp_path / "odd.html"
    done = run_cli("supplement", "build", "XDS.b-on-demand", "--specs", str(SPECS), "-o", str(out), cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert "<title>ITI Supplement: XDS.b On-Demand Documents</title>" in text and "<ins>" in text
    done = run_cli("supplement", "build", "PDQm", "--specs", str(SPECS), "--format", "md", "-o", "-", cwd=REPO_ROOT)
    assert done.returncode == 0 and done.stdout.startswith("# Patient Demographics Query for Mobile (PDQm)")
    done = run_cli("supplement", "build", "NOPE", "--specs", str(SPECS), cwd=REPO_ROOT)
    assert done.returncode == 2 and "no supplement 'NOPE'" in done.stderr


def test_cli_pdf(tmp_path):
    from generator.supplements.printing import find_chromium

    out = tmp_path / "odd.pdf"
    done = run_cli("supplement", "pdf", "XDS.b-on-demand", "--specs", str(SPECS), "-o", str(out), cwd=REPO_ROOT, timeout=240)
    if find_chromium() is None:
        assert done.returncode == 2 and "needs Chromium" in done.stderr
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")


def test_cli_pdf_without_chromium_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("TFPUB_CHROMIUM", str(tmp_path / "no-such-browser"))
    done = run_cli("supplement", "pdf", "PDQm", "--specs", str(SPECS), "-o", str(tmp_path / "x.pdf"), cwd=REPO_ROOT)
    assert done.returncode == 2
    assert "needs Chromium" in done.stderr and "apt-get install chromium" in done.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_cli_list(tmp_path):
    done = run_cli("supplement", "list", "--specs", str(SPECS), cwd=REPO_ROOT)
    assert done.returncode == 0
    assert "ITI/PDQm\tRev 3.2.0\tTrial Implementation" in done.stdout
    assert "adds profile PDQm, transaction ITI-119, ITI-78; amends PDQ" in done.stdout
    assert "adds actor on-demand-document-source, transaction ITI-61; amends ITI-43, XDS.b" in done.stdout


# --------------------------------------------------------------------------- add-use-case


def test_add_use_case_of_an_existing_id_or_profile_is_a_located_error(specs):
    folder = add_supplement(
        specs,
        "cases",
        "  - op: add-use-case\n    profile: XDS.b\n    use_case:\n      id: referral-summary\n      title: Again\n      description: Twice.\n"
        "  - op: add-use-case\n    profile: XDS.c\n    use_case:\n      id: elsewhere\n      title: Elsewhere\n      description: Nowhere.\n"
        "  - op: add-use-case\n    profile: CT\n    use_case:\n      id: stray-step\n      title: A stray step\n      description: A step by an actor CT does not have.\n"
        "      steps:\n        - from: document-consumer\n          text: Asks for the time.\n",
    )
    amendments = folder / "amendments.yaml"
    problems = validate(specs).problems
    located = {(p.rule, Path(p.loc.file).name, p.loc.line) for p in problems if p.loc.file.endswith("cases/amendments.yaml")}
    assert ("supplement-exists", "amendments.yaml", line_of(amendments, "id: referral-summary")) in located, show(problems)
    assert ("supplement-target", "amendments.yaml", line_of(amendments, "profile: XDS.c")) in located, show(problems)
    assert ("step-actor", "amendments.yaml", line_of(amendments, "from: document-consumer")) in located, show(problems)
    exists = next(p for p in problems if p.rule == "supplement-exists")
    assert "XDS.b already has use case 'referral-summary'" in exists.message
    before = tree_hash(specs)
    assert not incorporate(specs, "cases").ok
    assert tree_hash(specs) == before


# --------------------------------------------------------------------------- cost: applying copies only what changes, checks look only there


def test_applying_leaves_the_base_unchanged_and_shares_what_it_does_not_touch():
    from generator.supplements import apply

    fw = validate(SPECS).framework
    before = export_json(fw)
    tables = {attr: dict(getattr(fw, attr)) for attr in ("actors", "transactions", "profiles", "content_modules", "standards")}
    glossary = list(fw.glossary)
    for supp in load_supplements(SPECS)[0]:
        applied = apply(fw, supp)
        assert applied.ok, show(applied.problems)
        new = applied.framework
        for attr, old in tables.items():
            assert getattr(fw, attr) == old and all(getattr(fw, attr)[k] is v for k, v in old.items()), attr
            for key, entity in getattr(new, attr).items():
                kind = {"actors": "actor", "transactions": "transaction", "profiles": "profile", "content_modules": "content"}.get(attr)
                if kind and (kind, key) not in applied.touched:
                    assert entity is old[key], (attr, key)  # shared, not copied
        assert fw.glossary == glossary
    assert export_json(fw) == before
    # every amended entity is a copy: the base's object still says what it said
    applied = apply(fw, next(s for s in load_supplements(SPECS)[0] if s.id == "XDS.b-on-demand"))
    assert applied.framework.profiles["XDS.b"] is not fw.profiles["XDS.b"]
    assert fw.profiles["XDS.b"].option("on-demand-documents") is None
    assert applied.framework.transactions["ITI-43"] is not fw.transactions["ITI-43"]


SCOPE_CASES = {
    # each amendment below makes the framework checks find something new, or nothing
    "rows": "  - op: add-transaction\n    profile: XDS.b\n    actor: document-source\n    transaction: ITI-18\n    optionality: O\n"  # actor-without-role
    "  - op: remove-transaction\n    profile: CT\n    actor: time-client\n    transaction: ITI-1\n"
    "  - op: remove-transaction\n    profile: PDQ\n    actor: patient-demographics-consumer\n    transaction: ITI-21\n"
    "  - op: remove-transaction\n    profile: PDQ\n    actor: patient-demographics-supplier\n    transaction: ITI-21\n",  # ITI-21 unused; an empty actor
    "cycle": "  - op: add-grouping\n    profile: CT\n    grouping:\n      actor: time-client\n      with:\n        - profile: XDS.b\n          actor: document-source\n",
    "options": "  - op: add-option\n    profile: XDS.b\n    option:\n      id: extra\n      name: Extra\n      description: Adds [[ITI-999]] and [[actor:nobody]].\n      transactions: [ITI-43]\n      requires: [missing]\n"
    "    actors:\n      - actor: document-registry\n"
    "  - op: add-grouping\n    profile: XDS.b\n    grouping:\n      actor: document-registry\n      when_option: extra\n      with:\n        - profile: CT\n          actor: time-server\n          options: [nope]\n",
    "narrative": "  - op: replace-narrative\n    transaction: ITI-18\n    field: scope\n    text: See [[PDQx]] and [[option:XDS.b/on-demand]].\n"
    "  - op: add-use-case\n    profile: CT\n    use_case:\n      id: stray\n      title: Stray\n      description: Stray.\n      steps:\n        - from: document-consumer\n          to: nobody-at-all\n          transaction: ITI-18\n          text: Asks.\n"
    "  - op: add-actor\n    profile: PDQ\n    actor:\n      actor: time-client\n",
    "sound": "  - op: append-narrative\n    profile: PDQ\n    field: cross_profile\n    text: One more paragraph, naming [[ITI-18]].\n"
    "  - op: add-role\n    transaction: ITI-18\n    role:\n      actor: time-client\n      role: initiator\n      description: Asks.\n",
}


@pytest.mark.parametrize("case", sorted(SCOPE_CASES))
def test_checks_limited_to_what_a_supplement_changes_find_what_all_checks_find(specs, case, monkeypatch):
    import generator.supplements.check as C

    add_supplement(specs, case, SCOPE_CASES[case])
    # a new entity too: an actor whose id nearly repeats one, used by nothing, and a profile on a taken chapter
    folder = specs / "ITI" / "supplements" / case
    write(folder / "actors" / "time-clients.yaml", "id: time-clients\nname: Time Clients\ndefinition: Again.\n")
    ct = (specs / "ITI" / "profiles" / "CT.yaml").read_text().replace("acronym: CT", "acronym: CTx")
    write(folder / "profiles" / "CTx.yaml", ct)
    result = validate(specs)
    base = C.run_checks(result.framework, result.sources)
    supp = next(s for s in load_supplements(specs)[0] if s.id == case)
    assert C._scope(result.framework, C.apply(result.framework, supp)) is not None  # the limited checks run
    limited = C.check_supplement(result.framework, result.sources, supp, set(base))
    monkeypatch.setattr(C, "_scope", lambda base, applied: None)
    everything = C.check_supplement(result.framework, result.sources, supp, set(base))
    assert limited.problems == everything.problems, show(sorted(set(limited.problems) ^ set(everything.problems), key=lambda p: p.sort_key()))
    rules = {p.rule for p in everything.problems}
    assert {"near-duplicate-id", "unused-actor", "duplicate-chapter"} <= rules, rules
    expected = {
        "rows": {"actor-without-role", "unused-transaction", "empty-actor"},
        "cycle": {"grouping-cycle"},
        "options": {"unknown-option", "option-transaction-missing", "unresolved-reference"},
        "narrative": {"unresolved-reference", "step-actor", "unknown-actor", "empty-actor"},
        "sound": set(),
    }[case]
    assert expected <= rules, rules


# --------------------------------------------------------------------------- amending what the volumes state beyond rows

NEW_KEYS = """\
  - op: add-requirement
    profile: XDS.b
    actor: document-source
    requirement:
      text: Keep a copy of each submitted document until the registry confirms it.
      optionality: R
      reference: "ITI TF-1: 10.2"
  - op: add-table-note
    profile: XDS.b
    table: actor_options
    note: {text: The options of the Document Source apply to every submission it makes., numbered: false}
  - op: set-statement
    profile: XDS.b
    table: required_groupings
    statement: {text: Each actor below shall be grouped as the table lists., table: true}
  - op: add-grouping
    profile: XDS.b
    grouping:
      actor: document-consumer
      kind: recommended
      with:
        - external: {domain: RAD, profile: SWF, actor: Order Placer, reference: "RAD TF-1: 2"}
  - op: add-exchange
    profile: XDS.b
    exchange: {transaction: ITI-41, initiator: document-source, responder: document-repository}
"""


def test_rows_without_transactions_table_notes_statements_external_groupings_and_exchanges_are_amended(specs):
    add_supplement(specs, "keys", NEW_KEYS)
    fw, docs = documents(specs)
    doc = docs["keys"]
    actors, options, groupings = section(doc, "10.1"), section(doc, "10.2"), section(doc, "10.3")
    assert "<ins>Keep a copy of each submitted document until the registry confirms it.</ins>" in actors.replace("\n", " ")
    assert "Note: <ins>The options of the Document Source apply to every submission it makes.</ins>" in options
    assert "<ins>Each actor below shall be grouped as the table lists.</ins>" in groupings
    external = [r for r in rows_with(groupings, "Order Placer") if "<ins>" in r]
    assert len(external) == 1 and "RAD TF-1: 2" in text_of(external[0]) and "<a " not in external[0].split("Order Placer")[0].rsplit("<td", 1)[1]
    # the amended framework is the one incorporating gives
    result = incorporate(specs, "keys")
    assert result.ok, show(result.problems)
    after = validate(specs)
    assert after.ok, show(after.problems)
    assert export_json(after.framework) == export_json(doc.framework)
    xds = after.framework.profiles["XDS.b"]
    assert [e.transaction for e in xds.exchanges] == ["ITI-41"] and xds.statements["required_groupings"].table
    assert [g for g in xds.groupings if g.external and g.external[0].actor == "Order Placer"]


def test_a_statement_that_changed_under_the_supplement_is_refused_where_was_is_written(specs):
    folder = add_supplement(
        specs, "stmt",
        "  - op: set-statement\n    profile: XDS.b\n    table: required_groupings\n    statement: New words.\n    was: Old words.\n"
        "  - op: set-statement\n    profile: XDS.b\n    table: actor_options\n    statement: null\n",
    )
    result = validate(specs)
    problems = [p for p in result.problems if "stmt" in str(p.loc.file)]
    texts = [f"{p.loc.line}:{p.loc.col} {p.rule} {p.message}" for p in problems]
    amendments = folder / "amendments.yaml"
    assert any(t.startswith(f"{line_of(amendments, 'was: Old words.')}:10 supplement-base") and "expects the required groupings statement" in t for t in texts), texts
    assert any("has no actor options statement to remove" in t for t in texts), texts
