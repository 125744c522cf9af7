"""The annex builder page in headless Chromium gives the same annex as the command line.

The page is served as the publisher would place it, without a full site build:
the builder page's Markdown (from annex_site_files) rendered to HTML at
ITI/annexes/builder/index.html, its script at assets/, and the model export at
model.json, all from a local http.server on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser import browser_page
from conftest import REPO_ROOT, run_cli, show
from example import EXAMPLE_SPECS
from sitebuild import serve

from generator.annex.site import annex_site_files
from generator.render.export import export_json
from generator.validate import validate

pytestmark = pytest.mark.browser
SPECS = EXAMPLE_SPECS

SELECTION = [
    # profile, actor, options, level
    ("XDS.b", "document-source", [], "SHALL"),
    ("XDS.b", "document-consumer", ["basic-patient-privacy-enforcement"], "SHALL"),
    ("PIX", "patient-identifier-cross-reference-consumer", [], "SHALL"),
    ("PDQ", "patient-demographics-consumer", [], "SHOULD"),
    ("XUA", "x-service-user", ["subject-role"], "SHALL"),
    ("BPPC", "content-creator", [], "SHALL"),
    ("BPPC", "content-consumer", [], "SHALL"),
]
TITLE = "Regional network <annex> & *more*"
BUYER = "Example HIE | Region"
PREFIX = "RDS"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    import markdown

    result = validate(SPECS)
    assert not result.errors, show(result.errors)
    fw = result.framework
    root = tmp_path_factory.mktemp("annex-site")
    files = annex_site_files(fw, SPECS)
    body = markdown.markdown(files["ITI/annexes/builder.md"], extensions=["tables"])
    page = root / "ITI" / "annexes" / "builder" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Annex builder</title></head>\n<body>\n{body}\n</body></html>\n', encoding="utf-8")
    (root / "assets").mkdir()
    (root / "assets" / "tfpub-annex-builder.js").write_text(files["assets/tfpub-annex-builder.js"], encoding="utf-8")
    (root / "model.json").write_text(export_json(fw), encoding="utf-8")
    return root


def cli_output(fmt: str, out_dir: Path) -> str:
    """What `tfpub annex build --select ...` writes, byte for byte (CSV keeps its CRLF line ends)."""
    args = ["annex", "build", "--specs", str(SPECS), "--title", TITLE, "--buyer", BUYER, "--prefix", PREFIX, "--format", fmt, "-o", str(out_dir)]
    for profile, actor, options, level in SELECTION:
        spec = f"{profile}:{actor}" + (f"[{','.join(options)}]" if options else "")
        args += ["--select" if level == "SHALL" else "--should", spec]
    done = run_cli(*args, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    return (out_dir / f"annex.{fmt}").read_bytes().decode("utf-8")


def test_builder_page_matches_the_command_line(site, tmp_path):
    with serve(site) as base, browser_page() as page:
        page.goto(base + "ITI/annexes/builder/")
        page.wait_for_selector("#tfpub-annex-builder[data-ready=yes]", timeout=15000)
        page.fill("#tfpub-annex-title", TITLE)
        page.fill("#tfpub-annex-buyer", BUYER)
        page.fill("#tfpub-annex-prefix", PREFIX)
        opened = set()
        for profile, actor, options, level in SELECTION:
            if profile not in opened:
                page.click(f'summary[data-profile="{profile}"]')
                opened.add(profile)
            where = f'[data-profile="{profile}"][data-actor="{actor}"]'
            page.check(f"input.tfpub-annex-select{where}")
            page.select_option(f"select.tfpub-annex-level{where}", level)
            for option in options:
                page.check(f'input.tfpub-annex-option{where}[data-option="{option}"]')
        # a required option is shown ticked and cannot be unticked
        required = page.locator('input.tfpub-annex-option[data-profile="BPPC"][data-actor="content-creator"][data-option="basic-patient-privacy-acknowledgement"]')
        assert required.is_checked() and required.is_disabled()
        page.click("#tfpub-annex-build")
        page.wait_for_selector("#tfpub-annex-summary", timeout=15000)

        with page.expect_download() as info:
            page.click("#tfpub-annex-download-md")
        markdown_download = Path(info.value.path()).read_text(encoding="utf-8")
        with page.expect_download() as info:
            page.click("#tfpub-annex-download-csv")
        csv_download = Path(info.value.path()).read_bytes().decode("utf-8")
        json_text = page.input_value("#tfpub-annex-json")
        table_rows = page.locator("#tfpub-annex-table tbody tr").count()
        shown = page.locator("#tfpub-req-RDS-001").inner_text()
        assert page.problems == []

    assert markdown_download == cli_output("md", tmp_path)
    assert csv_download == cli_output("csv", tmp_path)
    assert json_text == cli_output("json", tmp_path)
    data = json.loads(json_text)
    assert table_rows == len(data["requirements"])
    assert data["requirements"][0]["id"] in shown
    texts = [r["text"] for r in data["requirements"]]
    assert texts.count("The CT Time Client actor SHALL support Maintain Time [ITI-1].") == 1
    assert texts.count("The ATNA Secure Node or Secure Application actor SHALL support Record Audit Event [ITI-20].") == 1


def test_builder_page_asks_for_a_selection(site):
    with serve(site) as base, browser_page() as page:
        page.goto(base + "ITI/annexes/builder/")
        page.wait_for_selector("#tfpub-annex-builder[data-ready=yes]", timeout=15000)
        page.click("#tfpub-annex-build")
        assert "Tick at least one actor" in page.locator(".tfpub-annex-error").inner_text()
        page.fill("#tfpub-annex-prefix", "bad prefix")
        page.click("#tfpub-annex-build")
        assert "prefix" in page.locator(".tfpub-annex-error").inner_text()
        assert page.problems == []
