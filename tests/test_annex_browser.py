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
from generator.annex.vendor import FIX, LIBRARIES, installed
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


def write_site(root: Path) -> Path:
    import markdown

    result = validate(SPECS)
    assert not result.errors, show(result.errors)
    fw = result.framework
    files = annex_site_files(fw, SPECS)
    body = markdown.markdown(files["ITI/annexes/builder.md"], extensions=["tables"])
    page = root / "ITI" / "annexes" / "builder" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Annex builder</title></head>\n<body>\n{body}\n</body></html>\n', encoding="utf-8")
    for name, content in files.items():
        if name.startswith("assets/"):  # the builder script, and its vendored libraries with their licences
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    (root / "model.json").write_text(export_json(fw), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    if any(installed(lib) is None for lib in LIBRARIES):
        pytest.skip(f"the annex builder's browser libraries are not installed: {FIX}")
    return write_site(tmp_path_factory.mktemp("annex-site"))


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


# --------------------------------------------------------------------------- Word, Excel, the URL, the filter, files

MHD_SOURCE = ("MHD", "document-source", [], "SHALL", ["ITI-65"])
OFFICE_SELECTION = [s + ([],) for s in SELECTION] + [MHD_SOURCE]
ITI_65 = "The MHD Document Source actor SHALL support Provide Document Bundle [ITI-65]."


def open_builder(page, base: str, fragment: str = ""):
    page.goto(base + "ITI/annexes/builder/" + fragment)
    page.wait_for_selector("#tfpub-annex-builder[data-ready=yes]", timeout=15000)


def tick(page, selection) -> None:
    for profile, actor, options, level, transactions in selection:
        where = f'[data-profile="{profile}"][data-actor="{actor}"]'
        summary = page.locator(f'summary[data-profile="{profile}"]')
        if page.locator(f'details[data-profile="{profile}"]').get_attribute("open") is None:
            summary.click()
        page.check(f"input.tfpub-annex-select{where}")
        page.select_option(f"select.tfpub-annex-level{where}", level)
        for option in options:
            page.check(f'input.tfpub-annex-option{where}[data-option="{option}"]')
        for tx in transactions:
            page.check(f'input.tfpub-annex-tx{where}[data-transaction="{tx}"]')


def form_state(page) -> list:
    """What the form says is selected: (profile, actor, level, options, transactions)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('input.tfpub-annex-select:checked')).map(p => {
        const w = `[data-profile="${p.dataset.profile}"][data-actor="${p.dataset.actor}"]`;
        const ids = (sel, key) => Array.from(document.querySelectorAll(sel + w + ':checked:not(:disabled)')).map(x => x.dataset[key]);
        return [p.dataset.profile, p.dataset.actor, document.querySelector('select.tfpub-annex-level' + w).value,
                ids('input.tfpub-annex-option', 'option'), ids('input.tfpub-annex-tx', 'transaction')];
    })""")


def cli_requirements(tmp_path: Path, selection, *extra: str) -> list[tuple[str, str, str]]:
    args = ["annex", "build", "--specs", str(SPECS), "--format", "json", "-o", str(tmp_path), *extra]
    for profile, actor, options, level, transactions in selection:
        items = options + transactions
        args += ["--select" if level == "SHALL" else "--should", f"{profile}:{actor}" + (f"[{','.join(items)}]" if items else "")]
    done = run_cli(*args, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "annex.json").read_text(encoding="utf-8"))
    return [(r["id"], r["level"], r["text"]) for r in data["requirements"]]


def docx_requirements(path: Path) -> list[tuple[str, str, str]]:
    import re

    from docx import Document

    out = []
    for table in Document(str(path)).tables:
        for row in table.rows:
            cells = [c.text for c in row.cells]
            if len(cells) == 5 and re.fullmatch(rf"{PREFIX}-\d+", cells[0]):
                out.append((cells[0], cells[1], cells[2]))
    return out


def test_builder_word_and_excel_match_the_command_line(site, tmp_path):
    from openpyxl import load_workbook

    with serve(site) as base, browser_page() as page:
        open_builder(page, base)
        page.fill("#tfpub-annex-title", TITLE)
        page.fill("#tfpub-annex-buyer", BUYER)
        page.fill("#tfpub-annex-prefix", PREFIX)
        tick(page, OFFICE_SELECTION)
        page.click("#tfpub-annex-build")
        page.wait_for_selector("#tfpub-annex-download-docx", timeout=30000)
        page.wait_for_selector("#tfpub-annex-download-xlsx", timeout=30000)
        files = {}
        for ext in ("docx", "xlsx"):
            with page.expect_download() as info:
                page.click(f"#tfpub-annex-download-{ext}")
            assert info.value.suggested_filename == f"annex.{ext}"
            files[ext] = tmp_path / f"builder.{ext}"
            info.value.save_as(files[ext])
        assert page.problems == []

    want = cli_requirements(tmp_path / "cli", OFFICE_SELECTION, "--title", TITLE, "--buyer", BUYER, "--prefix", PREFIX)
    assert len(want) > 30
    assert (next(i for i, _, t in want if t == ITI_65), "SHALL", ITI_65) in want
    assert docx_requirements(files["docx"]) == want

    wb = load_workbook(files["xlsx"])
    ws = wb["Requirements"]
    header = [c.value for c in ws[1]]
    assert header == ["Requirement ID", "Level", "Subject", "Requirement", "Source", "Reference", "Flags", "Compliance",
                      "Roadmap date", "Product and version", "Integration statement link", "Evidence (Connectathon or test report)", "Comments"]
    rows = [(r[0], r[1], r[3]) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert rows == want
    # the compliance drop-down on every requirement row, the response columns open, the rest locked
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists and '"Compliant,Partial,Not compliant,Planned"' in lists[0].formula1
    covered = {cell.coordinate for dv in lists for rng in dv.sqref.ranges for row in ws[rng.coord] for cell in row}
    assert {f"H{n}" for n in range(2, len(want) + 2)} <= covered
    assert ws.protection.sheet
    assert ws["D2"].protection.locked and not ws["H2"].protection.locked
    assert ws.freeze_panes == "B2"
    assert ws.row_dimensions[2].height and ws.row_dimensions[2].height >= 15
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage


def test_builder_keeps_the_selection_in_the_url(site, tmp_path):
    chosen = [SELECTION[1] + ([],), ("PDQ", "patient-demographics-consumer", [], "SHOULD", []), MHD_SOURCE]
    with serve(site) as base, browser_page() as page:
        open_builder(page, base)
        page.fill("#tfpub-annex-buyer", BUYER)
        tick(page, chosen)
        state = form_state(page)
        url = page.url
        assert "#" in url and "MHD%3Adocument-source%5BITI-65%5D" in url and "should=PDQ" in url
        page.click("#tfpub-annex-build")
        page.wait_for_selector("#tfpub-annex-summary")
        first = page.input_value("#tfpub-annex-json")

        page.reload()
        page.wait_for_selector("#tfpub-annex-builder[data-ready=yes]", timeout=15000)
        assert form_state(page) == state
        assert page.input_value("#tfpub-annex-buyer") == BUYER
        page.click("#tfpub-annex-build")
        page.wait_for_selector("#tfpub-annex-summary")
        assert page.input_value("#tfpub-annex-json") == first

        # the address works on a fresh page too (it can be shared)
        page.goto("about:blank")
        page.goto(url)
        page.wait_for_selector("#tfpub-annex-builder[data-ready=yes]", timeout=15000)
        assert form_state(page) == state
        assert page.problems == []


def test_builder_filter_hides_profiles_that_do_not_match(site):
    with serve(site) as base, browser_page() as page:
        open_builder(page, base)
        profiles = page.locator("details.tfpub-annex-profile")
        total = profiles.count()
        assert total >= 10

        def visible():
            return [p.get_attribute("data-profile") for p in profiles.all() if p.is_visible()]

        page.fill("#tfpub-annex-filter", "mhd")  # MHD, and MHDS by its acronym
        assert visible() == ["MHD", "MHDS"]
        page.fill("#tfpub-annex-filter", "scheduling")
        assert visible() == ["Scheduling"]
        page.fill("#tfpub-annex-filter", "time client")  # actor names count too
        assert visible() == ["CT"]
        page.fill("#tfpub-annex-filter", "no such thing")
        assert visible() == [] and page.locator("#tfpub-annex-filter-empty").is_visible()
        page.fill("#tfpub-annex-filter", "")
        assert len(visible()) == total
        assert page.problems == []


def test_builder_loads_an_annex_yaml_and_its_json(site, tmp_path):
    import yaml

    annex_file = SPECS / "ITI" / "annexes" / "regional-document-sharing.yaml"
    data = yaml.safe_load(annex_file.read_text(encoding="utf-8"))
    data["select"].append({"profile": "MHD", "actor": "document-source", "transactions": ["ITI-65"]})
    data["minimum_status"] = "trial-implementation"
    path = tmp_path / "regional-document-sharing.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    done = run_cli("annex", "build", str(path), "--specs", str(SPECS), "--format", "json", "-o", str(tmp_path / "cli"), cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    cli_json = tmp_path / "cli" / "regional-document-sharing.json"
    want = json.loads(cli_json.read_text(encoding="utf-8"))
    expected_state = [[s["profile"], s["actor"], s["level"], s["options"], s.get("transactions", [])] for s in want["selection"]]

    with serve(site) as base, browser_page() as page:
        for source in (path, cli_json):
            open_builder(page, base)
            page.set_input_files("#tfpub-annex-load", str(source))
            page.wait_for_function("document.querySelector('#tfpub-annex-load-status').textContent.startsWith('Loaded')")
            assert sorted(form_state(page)) == sorted(expected_state)
            assert page.input_value("#tfpub-annex-title") == data["title"]
            assert page.input_value("#tfpub-annex-prefix") == "RDS"
            page.click("#tfpub-annex-build")
            page.wait_for_selector("#tfpub-annex-summary")
            got = json.loads(page.input_value("#tfpub-annex-json"))
            assert [(r["id"], r["level"], r["text"]) for r in got["requirements"]] == [(r["id"], r["level"], r["text"]) for r in want["requirements"]]
            assert ITI_65 in [r["text"] for r in got["requirements"]]
            assert "MHD%3Adocument-source%5BITI-65%5D" in page.url  # a loaded file lands in the address too

        # a file that names what the framework lacks is refused with the reason
        bad = tmp_path / "bad.yaml"
        bad.write_text("title: x\nprefix: REQ\nselect:\n  - profile: MHD\n    actor: document-source\n    transactions: [ITI-18]\n", encoding="utf-8")
        page.set_input_files("#tfpub-annex-load", str(bad))
        page.wait_for_function("document.querySelector('#tfpub-annex-load-status').textContent.includes('ITI-18')")
        assert "has no transaction 'ITI-18'" in page.locator("#tfpub-annex-load-status").inner_text()
        assert page.problems == []


def test_builder_inputs_have_borders_in_light_mode(site):
    with serve(site) as base, browser_page() as page:
        open_builder(page, base)
        for selector in ("#tfpub-annex-title", "#tfpub-annex-filter", "#tfpub-annex-minimum-status"):
            style = page.eval_on_selector(selector, "e => { const s = getComputedStyle(e); return [s.borderTopStyle, s.borderTopWidth, s.borderTopColor]; }")
            assert style[0] == "solid" and style[1] == "1px" and style[2] not in ("rgba(0, 0, 0, 0)", "transparent"), (selector, style)


def test_builder_without_the_libraries_says_so_and_still_builds(tmp_path, monkeypatch):
    monkeypatch.setenv("TFPUB_VENDOR_DIR", str(tmp_path / "no-vendor"))
    root = write_site(tmp_path / "site")
    assert not (root / "assets" / "vendor").exists()
    with serve(root) as base, browser_page() as page:
        open_builder(page, base)
        notice = page.locator("#tfpub-annex-unavailable").inner_text()
        assert "Word (.docx), Excel (.xlsx), reading annex YAML files unavailable" in notice and "make" in notice
        tick(page, [MHD_SOURCE])
        page.click("#tfpub-annex-build")
        page.wait_for_selector("#tfpub-annex-summary")
        assert "unavailable" in page.locator("#tfpub-annex-unavailable-docx").inner_text()
        assert page.locator("#tfpub-annex-download-json").count() == 1
        assert page.locator("#tfpub-annex-download-docx").count() == 0
        assert page.problems == []
