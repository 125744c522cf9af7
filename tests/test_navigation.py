"""Navigation and landing pages for a large framework: Volume 1's profile groups, the appendices
together, the domain home linking every section, the standards index in its heading's order,
and Reference cells as links. Real validation and real page generation on the test framework."""

from __future__ import annotations

import re

from conftest import expect, show
from sitebuild import copy_project, tfpub

from generator.render import grouping, pages, site_paths, views
from generator.render.site_source import Addition


def _fw(tree):
    result = tree.validate()
    assert not result.errors, show(result.errors)
    return result.framework


def _groups(fw, domain):
    return [(g.title, [p.acronym for p in g.profiles]) for g in grouping.profile_groups(fw, domain)]


def _section(nav, domain, title):
    entries = next(item[domain] for item in nav if isinstance(item, dict) and domain in item)
    return next(e[title] for e in entries if isinstance(e, dict) and title in e)


# --------------------------------------------------------------------------- grouping


def test_profiles_are_grouped_by_type_by_default(tree):
    fw = _fw(tree)
    assert _groups(fw, "ITX") == [("Workflow Profiles", ["DOC"]), ("Transport Profiles", ["CT", "ATN"])]


def test_the_domain_sets_the_groups_in_its_order_and_the_rest_go_to_other(tree):
    tree["ITX/domain.yaml"]["publishing"] = {"navigation": {"profile_groups": [{"title": "Security", "profiles": ["ATN"]}, {"title": "Sharing", "profiles": ["DOC"]}]}}
    fw = _fw(tree)
    assert _groups(fw, "ITX") == [("Security", ["ATN"]), ("Sharing", ["DOC"]), ("Other Profiles", ["CT"])]
    # the other domain keeps its default
    rdx = _groups(fw, "RDX")
    assert rdx and {t for t, _ in rdx} <= set(grouping.TYPE_TITLES.values())


def test_groups_keep_the_listed_order_of_their_profiles(tree):
    tree["ITX/domain.yaml"]["publishing"] = {"navigation": {"profile_groups": [{"title": "All", "profiles": ["DOC", "ATN", "CT"]}]}}
    fw = _fw(tree)
    assert _groups(fw, "ITX") == [("All", ["DOC", "ATN", "CT"])]  # no "Other": every profile is placed


def test_an_unknown_profile_in_a_group_is_a_located_error(tree):
    tree["ITX/domain.yaml"]["publishing"] = {"navigation": {"profile_groups": [{"title": "Sharing", "profiles": ["DOC", "DOCS"]}]}}
    tree.write()
    line = tree.line_of("ITX/domain.yaml", "- DOCS")
    problem = expect(tree.validate(), "unknown-profile", "ITX/domain.yaml", line, col=tree.col_of("ITX/domain.yaml", "DOCS"))
    assert "navigation group 'Sharing'" in problem.message and "did you mean 'DOC'" in problem.message


def test_a_profile_of_another_domain_or_twice_grouped_is_an_error(tree):
    tree["ITX/domain.yaml"]["publishing"] = {
        "navigation": {"profile_groups": [{"title": "A", "profiles": ["DOC", "IMG"]}, {"title": "B", "profiles": ["DOC"]}]}
    }
    result = tree.validate()
    foreign = expect(result, "unknown-profile", "ITX/domain.yaml")
    assert "IMG is a RDX profile" in foreign.message
    twice = expect(result, "duplicate-entry", "ITX/domain.yaml")
    assert "already in navigation group 'A'" in twice.message


def test_a_group_without_title_is_a_schema_error(tree):
    tree["ITX/domain.yaml"]["publishing"] = {"navigation": {"profile_groups": [{"profiles": ["DOC"]}]}}
    result = tree.validate()
    assert any(p.rule.startswith("schema") and "title" in p.message for p in result.errors), show(result.problems)


# --------------------------------------------------------------------------- navigation and pages


def test_navigation_shows_the_groups_and_keeps_the_appendices_together(tree):
    tree["ITX/domain.yaml"]["publishing"] = {"navigation": {"profile_groups": [{"title": "Sharing", "profiles": ["DOC"]}]}}
    nav = pages.navigation(_fw(tree))
    volume1 = _section(nav, "ITX", "Volume 1: Profiles")
    p = lambda acr: site_paths.profile_page("ITX", acr)  # noqa: E731
    assert volume1 == [site_paths.volume_index("ITX", 1), {"Sharing": [{"10 DOC": p("DOC")}]}, {"Other Profiles": [{"7 CT": p("CT")}, {"9 ATN": p("ATN")}]}]
    appendices = _section(nav, "ITX", "Appendices and Indexes")
    assert appendices[0] == site_paths.appendix_page("ITX", "A")  # the section opens on Appendix A
    titles = [next(iter(e)) for e in appendices[1:]]
    assert titles == ["Appendix B: Transactions", "Appendix D: Glossary", "Index of Transactions", "Index of Standards"]
    actors = _section(nav, "ITX", "Actors")
    assert actors and all(isinstance(e, dict) for e in actors)  # actor pages only: Appendix A moved out


def test_volume_1_index_lists_the_same_groups(tree):
    tree["ITX/domain.yaml"]["publishing"] = {"navigation": {"profile_groups": [{"title": "Sharing", "profiles": ["DOC"]}]}}
    site = pages.generate(_fw(tree))
    text = site.files["ITX/volume-1/index.md"]
    assert text.index("## Sharing") < text.index("(DOC)") < text.index("## Other Profiles") < text.index("(CT)") < text.index("(ATN)"), text


def test_domain_home_links_every_section_and_what_later_stages_add(tree):
    fw = _fw(tree)
    extra = Addition(files={"ITX/supplements/index.md": "# Supplements\n"}, home_links=[("ITX", "Supplements", "ITX/supplements/index.md")])
    site = pages.generate(fw, additions=[extra])
    home = site.files["ITX/index.md"]
    home_src = site_paths.domain_home("ITX")
    targets = [site_paths.volume_index("ITX", v) for v in (1, 2, 3)]
    targets += [site_paths.appendix_page("ITX", x) for x in "ABD"]
    targets += [site_paths.index_page("ITX", x) for x in ("transactions", "standards")] + ["ITX/supplements/index.md"]
    for target in targets:
        assert f'href="{site_paths.url_link(home_src, target)}"' in home, (target, home)
    assert ">Supplements</a>" in home
    assert ">Supplements</a>" not in site.files["RDX/index.md"]


def test_standards_index_is_ordered_by_its_headings(tree):
    tree["ITX/standards.yaml"]["standards"].append({"id": "AAA-1", "title": "Zeta Messaging", "publisher": "X"})
    site = pages.generate(_fw(tree))
    text = site.files[next(k for k in site.files if k.startswith("ITX/") and "standards" in k and k.endswith(".md"))]
    headings = re.findall(r"^## (.+?) \{", text, flags=re.M)
    assert headings == sorted(headings, key=str.lower) and headings[-1] == "Zeta Messaging", headings


def test_reference_cells_of_options_and_groupings_are_links(tree):
    fw = _fw(tree)
    doc = views.profile_page(fw, fw.profiles["DOC"])
    options = doc.context["options_table"]
    for row in options.rows:
        if "No options" not in row[1].html:
            assert re.fullmatch(r'<a href="\./\#option-[\w-]+">ITX TF-1: 10\.2\.\d+</a>', str(row[2].html)), row[2].html
    groupings = doc.context["groupings_table"]
    refs = [str(row[-1].html) for row in groupings.rows if not row[-1].covered and "TF-1" in row[-1].html]
    assert refs and all(re.fullmatch(r'(<a href="\.\./\w+/">ITX TF-1: \d+</a>(, )?)+', r) for r in refs), refs


# --------------------------------------------------------------------------- the built site


def test_built_site_navigation_shows_the_groups_the_domain_sets(tmp_path):
    """A real build of a copy of the example, grouped in its domain.yaml: the navigation of a
    profile page shows the groups, and Appendices and Indexes opens on Appendix A."""
    project = copy_project(tmp_path / "project")
    domain = project / "specs" / "ITI" / "domain.yaml"
    text = domain.read_text(encoding="utf-8")
    groups = "  navigation:\n    profile_groups:\n      - title: Document Sharing\n        profiles: [XDS.b, XCA, XDR, XDM, MHD]\n"
    if "\npublishing:\n" in text:
        text = text.replace("\npublishing:\n", "\npublishing:\n" + groups, 1)
    else:
        text += "publishing:\n" + groups
    domain.write_text(text, encoding="utf-8")
    result = tfpub("build", cwd=project)
    assert result.returncode == 0, result.stderr
    page = (project / "site" / "ITI" / "volume-1" / "XDS.b" / "index.html").read_text(encoding="utf-8")
    nav = page[page.index('class="md-nav md-nav--primary"') :]
    nav = nav[: nav.index("</nav>\n</div>") if "</nav>\n</div>" in nav else len(nav)]
    labels = [re.sub(r"\s+", " ", t).strip() for t in re.findall(r'<span class="md-ellipsis">(.*?)</span>', nav, flags=re.S)]
    assert "Document Sharing" in labels and "Other Profiles" in labels, labels
    assert labels.index("Document Sharing") < labels.index("10 XDS.b") < labels.index("18 XCA") < labels.index("Other Profiles"), labels
    volume1 = (project / "site" / "ITI" / "volume-1" / "index.html").read_text(encoding="utf-8")
    assert volume1.index(">Document Sharing<") < volume1.index(">Other Profiles<")
    home = (project / "site" / "ITI" / "index.html").read_text(encoding="utf-8")
    for text in ("Supplements", "Procurement Annexes", "Appendix A: Actor Summary Definitions", "Index of Referenced Standards"):
        assert f">{text}</a>" in home, text


# --------------------------------------------------------------------------- long lists in runs


def test_long_lists_are_cut_into_runs_titled_by_their_ends():
    entries = [f"T-{n}" for n in range(1, 46)]
    assert grouping.runs(entries[:grouping.FLAT_LIMIT], str) == [("", entries[:grouping.FLAT_LIMIT])]
    runs = grouping.runs(entries, str)
    assert [title for title, _ in runs] == ["T-1 \u2013 T-20", "T-21 \u2013 T-40", "T-41 \u2013 T-45"]
    assert [e for _, chunk in runs for e in chunk] == entries  # every entry once, in order


def test_volume_2_and_the_actors_of_a_large_domain_are_in_runs(example_framework):
    """The example has more than FLAT_LIMIT transactions and actors: both come in titled runs,
    each holding every page once, in number and name order; a short list stays flat."""
    nav = pages.navigation(example_framework)
    for section, ordered in (
        ("Volume 2: Transactions", [f"{t.id} {t.name}" for t in views.numbering.transactions_in_order(example_framework, "ITI")]),
        ("Actors", sorted((x.name for x in example_framework.actors.values() if x.domain == "ITI"), key=str.lower)),
    ):
        entries = [e for e in _section(nav, "ITI", section) if isinstance(e, dict)]
        assert len(ordered) > grouping.FLAT_LIMIT
        assert all(len(e) == 1 and isinstance(next(iter(e.values())), list) for e in entries), entries
        titles = [next(iter(e)) for e in entries]
        inside = [next(iter(item)) for e in entries for item in next(iter(e.values()))]
        assert inside == ordered
        assert titles[0].startswith(ordered[0].split(" ")[0])
    modules = [e for e in _section(nav, "ITI", "Volume 3: Content Modules") if isinstance(e, dict)]
    assert all(isinstance(next(iter(e.values())), str) for e in modules)  # few: flat
