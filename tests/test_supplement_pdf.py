"""The supplement PDF as IHE publishes it, printed by real headless Chromium and read back with pdftotext.

Cover alone on page 1; foreword and contents after it; a running header and a
"Page n of m" footer on every page; line numbers in the margin for Public Comment only.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO_ROOT, run_cli

from generator.supplements.printing import find_chromium

SPECS = REPO_ROOT / "specs"


def pages_of(pdf: Path) -> list[str]:
    """The text of each page, laid out as printed (pdftotext -layout; pages end with a form feed)."""
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.split("\f")[:-1]


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, list[str]]:
    """PDQm printed as a Public Comment supplement (with a comment period), XDS.b On-Demand as Trial Implementation."""
    if find_chromium() is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    root = tmp_path_factory.mktemp("pdf")
    specs = root / "specs"
    shutil.copytree(SPECS, specs)
    meta = specs / "ITI" / "supplements" / "PDQm" / "supplement.yaml"
    text = meta.read_text(encoding="utf-8")
    assert "status: trial-implementation\n" in text
    meta.write_text(text.replace("status: trial-implementation\n", 'status: public-comment\ncomments_due: "2023-09-15"\n'), encoding="utf-8")
    out = {}
    for sid in ("PDQm", "XDS.b-on-demand"):
        pdf = root / f"{sid}.pdf"
        done = run_cli("supplement", "pdf", sid, "--specs", str(specs), "-o", str(pdf), cwd=REPO_ROOT, timeout=240)
        assert done.returncode == 0, done.stderr
        assert pdf.read_bytes().startswith(b"%PDF")
        out[sid] = pages_of(pdf)
    return out


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("sid, status", [("PDQm", "Public Comment"), ("XDS.b-on-demand", "Trial Implementation")])
def test_cover_alone_on_page_one(printed, sid, status):
    cover = squash(printed[sid][0])
    title = {"PDQm": "Patient Demographics Query for Mobile (PDQm)", "XDS.b-on-demand": "XDS.b On-Demand Documents"}[sid]
    assert "IT Infrastructure Technical Framework (ITI)" in cover and "Supplement" in cover
    assert title in cover and f"Revision {'3.2.0' if sid == 'PDQm' else '1.0'} \u2013 {status}" in cover
    assert "Date: 2023-08-04" in cover and "Applies to: IT Infrastructure Technical Framework, Revision 20.0" in cover
    assert "Editor: ITI Technical Committee, tfpub example framework (not an IHE publication)" in cover and "))" not in cover
    assert ("Comments due: 2023-09-15" in cover) == (status == "Public Comment")
    assert "Foreword" not in cover and "Contents" not in cover  # the cover stands alone
    second = [line for line in printed[sid][1].splitlines() if line.strip()]
    assert title in second[0] and "Foreword" in second[1]  # the header names it; the text does not repeat the title before the Foreword


@pytest.mark.parametrize("sid", ["PDQm", "XDS.b-on-demand"])
def test_foreword_then_contents_then_the_supplement(printed, sid):
    second = printed[sid][1]
    assert "Foreword" in second and "Contents" in second
    assert second.index("Foreword") < second.index("Contents")
    contents = squash(second.split("Contents", 1)[1])
    expected = {
        "PDQm": ["Introduction to this Supplement", "Appendix B \u2013 Transaction Summary Definitions", "Volume 1 \u2013 Profiles", "38 Patient Demographics Query for Mobile (PDQm)", "38.2 PDQm Actor Options", "Volume 2 \u2013 Transactions", "3.78 Mobile Patient Demographics Query [ITI-78]"],
        "XDS.b-on-demand": ["Introduction to this Supplement", "10 Cross-Enterprise Document Sharing (XDS.b)", "10.2.12 On-Demand Documents Option", "3.61 Register On-Demand Document Entry [ITI-61]"],
    }[sid]
    at = [contents.index(entry) for entry in expected]
    assert at == sorted(at)  # in document order
    assert "Introduction to this Supplement" not in squash(printed[sid][0] + printed[sid][1].split("Contents")[0])


@pytest.mark.parametrize("sid", ["PDQm", "XDS.b-on-demand"])
def test_running_header_and_page_numbers_on_every_page(printed, sid):
    pages = printed[sid]
    assert len(pages) > 4
    for n, page in enumerate(pages, 1):
        lines = [line for line in page.splitlines() if line.strip()]
        assert "ITI Supplement \u2013" in lines[0], (n, lines[0])
        assert re.search(rf"Page {n} of {len(pages)}\b", lines[-1]), (n, lines[-1])


def numbered(pages: list[str], heading: str) -> int | None:
    """The line number printed in the margin before ``heading`` in the text (its last occurrence:
    the first is in the contents), or None when the line has none."""
    found = [m for page in pages for line in page.splitlines() if (m := re.match(rf"^\s*(?:(\d+)\s+)?{re.escape(heading)}", line))]
    assert len(found) >= 2, f"{heading!r} is not in the contents and the text"
    return int(found[-1].group(1)) if found[-1].group(1) else None


def test_public_comment_numbers_its_lines(printed):
    pages = printed["PDQm"]
    a = numbered(pages, "38.1 PDQm Actors, Transactions, and Content Modules")
    b = numbered(pages, "38.2 PDQm Actor Options")
    c = numbered(pages, "3.78 Mobile Patient Demographics Query [ITI-78]")
    assert a is not None and b is not None and c is not None
    assert 0 < a < b < c  # one count through the document
    assert numbered(pages, "Introduction to this Supplement") < a
    assert not re.search(r"^\s*\d+\s+Contents", pages[1], re.M)  # the contents are not numbered lines


def test_trial_implementation_has_no_line_numbers(printed):
    pages = printed["XDS.b-on-demand"]
    for heading in ("Introduction to this Supplement", "10.2.12 On-Demand Documents Option", "3.61 Register On-Demand Document Entry [ITI-61]"):
        assert numbered(pages, heading) is None, heading
