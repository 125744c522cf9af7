"""Hostile specs cannot run script on the published site, tried in a real headless Chromium.

The example specs are copied with payloads in every name, title, narrative text and
URL (tests/payload_specs.py); the site is built with the real CLI, and every page is
loaded. A payload that ran would set ``window.__pwned``. Besides reading that global,
the test looks in each page's DOM for what a payload would need to run later (an
``on...`` attribute, a ``javascript:`` link), focuses and clicks what it could, and
checks that the names are shown as the literal text they are.
"""

from __future__ import annotations

import functools
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from browser import browser_page, require_browser
from payload_specs import (
    MARK,
    REFUSED,
    REFUSED_TEXT,
    write_payload_specs,
    write_refused,
)
from sitebuild import REPO, SPECS, serve, tfpub

# Attributes a payload could use to run script, and links to script.
_DOM_PROBE = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (name.startsWith('on')) bad.push(el.tagName + ' ' + name + '=' + attr.value.slice(0, 60));
      // tfpub's own empty icon of the print pages (<link rel="icon" href="data:,">) holds nothing and runs nothing
      const emptyIcon = el.tagName === 'LINK' && el.getAttribute('rel') === 'icon' && value === 'data:,';
      if (/^(javascript|vbscript|data):/.test(value) && /(href|src|action|formaction|xlink:href|data)$/.test(name) && !emptyIcon)
        bad.push(el.tagName + ' ' + name + '=' + attr.value.slice(0, 60));
    }
  }
  return bad;
}"""


def _project(root: Path) -> Path:
    """A project (mkdocs.yml, docs, the hook) whose specs carry the payloads."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "docs", root / "docs")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "generator" / "site").mkdir(parents=True)
    shutil.copy(REPO / "generator" / "site" / "mkdocs_hook.py", root / "generator" / "site" / "mkdocs_hook.py")
    return root


@functools.lru_cache(maxsize=None)
def payload_site() -> Path:
    root = _project(Path(tempfile.mkdtemp(prefix="tfpub-payloads-")) / "project")
    write_payload_specs(SPECS, root / "specs")
    result = tfpub("build", "-d", str(root / "site"), cwd=root, env={"PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "site"


def _pages(site: Path) -> list[str]:
    """Every HTML page of the site: the mkdocs pages and the supplements' print versions."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if "assets" not in p.parts and p.name != "404.html")
    assert len(pages) > 80, pages
    return pages


@pytest.mark.browser
def test_no_payload_runs_on_any_page():
    require_browser()
    site = payload_site()
    pages = _pages(site)
    found: dict[str, list[str]] = {}
    with serve(site) as base, browser_page() as page:
        for rel in pages:
            page.goto(base + rel, wait_until="load")
            page.wait_for_timeout(50)  # late handlers: autofocus, image errors
            bad = page.evaluate(_DOM_PROBE)
            # Focus every link and focusable element a payload could have made (onfocus, autofocus).
            page.evaluate("() => { for (const el of document.querySelectorAll('a[href], [tabindex], h1, td')) el.focus(); }")
            if page.evaluate(f"window.{MARK}") is not None:
                bad.append(f"window.{MARK} was set")
            if bad:
                found[rel] = bad
        assert not found, "\n".join(f"{rel}: {b}" for rel, items in found.items() for b in items[:5])
        assert not [p for p in page.problems if p.startswith("dialog")], page.problems


@pytest.mark.browser
def test_names_are_shown_as_the_text_they_are():
    require_browser()
    site = payload_site()
    with serve(site) as base, browser_page() as page:
        page.goto(base + "ITI/actors/time-client/")
        heading = page.locator("h1").inner_text()
        assert "Time Client [more](javascript:window.__pwned=1)" in heading
        assert "![i](x.png){: onerror=window.__pwned=1}" in heading
        assert "</title><script>window.__pwned=1</script>" in heading
        assert "*e* `c` &lt;b&gt; @enduml" in heading
        # <title> keeps the whole name as text: the </title> in it closes nothing.
        assert "</title><script>window.__pwned=1</script><img src=x" in page.title()
        assert page.locator("head script:not([src])").count() == page.locator("head script:not([src])").filter(has_not_text=MARK).count()
        # In the navigation, the name is text too.
        nav = page.locator("nav.md-nav--primary").inner_text()
        assert "Time Client [more](javascript:window.__pwned=1)" in nav
        # A table cell on a profile page, and the use-case steps.
        page.goto(base + "ITI/volume-1/CT/")
        table = page.locator("#table-actors-and-transactions").inner_text()
        assert "Time Client [more](javascript:window.__pwned=1)" in table
        page.goto(base + "ITI/indexes/standards/")
        link = page.locator("a[href^='https://example.org/']").first
        assert link.get_attribute("href") == 'https://example.org/a?b=1&c=%22d%22#e'
        assert page.evaluate(f"window.{MARK}") is None


@pytest.mark.browser
def test_search_results_show_payloads_as_text():
    require_browser()
    site = payload_site()
    with serve(site) as base, browser_page() as page:
        page.goto(base + "ITI/")
        page.keyboard.press("s")
        page.locator("input.md-search__input").press_sequentially("onerror")
        page.locator(".md-search-result__item").first.wait_for(timeout=15000)
        page.wait_for_timeout(500)
        assert page.evaluate(_DOM_PROBE) == []
        assert page.evaluate(f"window.{MARK}") is None


def _yaml_line(path: Path, key: str, value: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.lstrip(" -").startswith(f"{key}:") and value.split("\n")[0][:20] in line:
            return number
    raise AssertionError(f"{key}: {value!r} not in {path}")


@pytest.mark.parametrize("rel,key,value", REFUSED, ids=[f"{k}-{i}" for i, (_, k, _v) in enumerate(REFUSED)])
def test_script_urls_are_refused_at_their_line(tmp_path, rel, key, value):
    specs = write_refused(SPECS, tmp_path / "specs", rel, key, value)
    result = tfpub("validate", str(specs))
    assert result.returncode != 0
    line = _yaml_line(specs / rel, key, value)
    assert re.search(rf"{re.escape(rel)}:{line}:\d+: error: .*http\(s\) address.* \[schema-pattern\]", result.stdout + result.stderr), result.stdout + result.stderr


@pytest.mark.parametrize("rel,key,value", REFUSED_TEXT, ids=["name", "narrative-diagram"])
def test_script_links_in_text_are_refused_at_their_place(tmp_path, rel, key, value):
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    path = specs / rel
    text = path.read_text(encoding="utf-8")
    import yaml

    data = yaml.safe_load(text)
    data[key] = value
    from conftest import to_yaml

    path.write_text(to_yaml(data), encoding="utf-8")
    result = tfpub("validate", str(specs))
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert re.search(rf"{re.escape(rel)}:\d+:\d+: error: unknown reference kind 'javascript'.*\[unresolved-reference\]", out), out


@pytest.mark.browser
def test_the_probe_finds_what_a_payload_would_leave(tmp_path):
    """The checks above can fail: a page with a handler, a script link and a script that ran is caught."""
    require_browser()
    (tmp_path / "index.html").write_text(
        f'<html><body><img src="x" onerror="1"><a href=" JaVa\tScript:1">a</a><script>window.{MARK}=1</script></body></html>',
        encoding="utf-8",
    )
    with serve(tmp_path) as base, browser_page() as page:
        page.goto(base + "index.html")
        bad = page.evaluate(_DOM_PROBE)
        assert any("onerror" in b for b in bad) and any("HREF" in b.upper() and "SCRIPT" in b.upper() for b in bad), bad
        assert page.evaluate(f"window.{MARK}") == 1
