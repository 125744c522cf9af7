"""Every internal link and anchor of the generated site resolves."""

from __future__ import annotations

from pathlib import Path

from sitebuild import example_site

from generator.site.linkcheck import check_site


def test_example_site_has_no_broken_links():
    broken = check_site(example_site())
    assert [str(b) for b in broken] == []


def test_broken_links_and_anchors_are_found(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<a href="a/">ok</a><a href="a/#here">ok</a><a href="a/#nowhere">bad</a><a href="b/">bad</a>')
    (tmp_path / "a" / "index.html").write_text('<h2 id="here">x</h2><svg><a href="../#top">svg link</a></svg>')
    found = {(b.page, b.target) for b in check_site(tmp_path)}
    assert found == {("index.html", "a/#nowhere"), ("index.html", "b/"), ("a/index.html", "../#top")}
