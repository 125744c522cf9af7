"""The generated XDS.b and MHD tables carry exactly the rows of the published tables.

The published tables are recorded in ../shared/ihe-reference/ (see its README);
the rows are read back from the built HTML, so the test covers the whole path
from YAML to the page a reader sees.

XDS.b's published tables include what the On-Demand Documents supplement added,
which the example keeps in its open supplement XDS.b-on-demand. So the XDS.b
tables are read from a site built after that supplement was incorporated, with
``tfpub supplement incorporate`` and ``tfpub build`` on a copy of the project:
incorporating the supplement and building must give the published table.
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
from pathlib import Path

import pytest
from lxml import html as lxml_html
from sitebuild import REPO, copy_project, example_site, tfpub

REFERENCE = REPO.parent / "shared" / "ihe-reference"
pytestmark = pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"reference facts not found at {REFERENCE} (clone outside the shared layout)")

TX_ID = re.compile(r"\[([A-Z]+-\d+)\]")
NOTE = re.compile(r"\s*\(Notes?[^)]*\)")


def norm(name: str) -> str:
    return re.sub(r"\s*/\s*", "/", NOTE.sub("", name)).strip()


def table_rows(page: Path, table_id: str) -> list[list[str]]:
    """The table's rows as text, with row-spanning cells repeated on every row they span."""
    doc = lxml_html.parse(str(page)).getroot()
    table = doc.get_element_by_id(table_id).find(".//table")
    rows, carry = [], {}
    for tr in table.find("tbody").findall("tr"):
        cells, tds, col = [], list(tr.findall("td")), 0
        while tds or col in carry:
            if col in carry:
                text, left = carry[col]
                cells.append(text)
                carry[col] = (text, left - 1)
                if left - 1 == 0:
                    del carry[col]
            else:
                td = tds.pop(0)
                text = " ".join(td.text_content().split())
                span = int(td.get("rowspan", "1"))
                if span > 1:
                    carry[col] = (text, span - 1)
                cells.append(text)
            col += 1
        rows.append(cells)
    return rows


def published_actor_rows(rows: list[dict]) -> list[tuple[str, str, str]]:
    out, actor = [], ""
    for r in rows:
        actor = r["actor"] or actor
        out.append((norm(actor), r["transaction_id"], r["optionality"].strip()[0]))
    return sorted(out)


def generated_actor_rows(page: Path) -> list[tuple[str, str, str]]:
    out = []
    for actor, transaction, _role, optionality, _ref in table_rows(page, "table-actors-and-transactions"):
        out.append((norm(actor), TX_ID.search(transaction).group(1), optionality[0]))
    return sorted(out)


def published_options(rows: list[dict]) -> list[tuple[str, str]]:
    out = []
    for r in rows:
        for option in r["option"].split(","):
            out.append((norm(r["actor"]), norm(option)))
    return sorted(out)


def generated_options(page: Path) -> list[tuple[str, str]]:
    return sorted((norm(actor), norm(option)) for actor, option, _ref in table_rows(page, "table-actor-options") if option != "No options defined")


def generated_groupings(page: Path) -> list[tuple[str, str, str]]:
    out = []
    for actor, condition, grouped, *_ in table_rows(page, "table-required-groupings"):
        if grouped != "None":
            out.append((norm(actor), NOTE.sub("", condition).replace(" Option", "").strip(), NOTE.sub("", grouped)))
    return sorted(out)


SUPPLEMENT = "XDS.b-on-demand"


@functools.lru_cache(maxsize=None)
def incorporated_site() -> Path:
    """The example site built after incorporating the XDS.b-on-demand supplement into a copy of the project."""
    project = copy_project(Path(tempfile.mkdtemp(prefix="tfpub-incorporated-")) / "project")
    done = tfpub("supplement", "incorporate", SUPPLEMENT, cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "status: final-text" in (project / "specs/ITI/supplements" / SUPPLEMENT / "supplement.yaml").read_text()
    built = tfpub("build", cwd=project)
    assert built.returncode == 0, built.stderr
    return project / "site"


def xds_b_page() -> Path:
    return incorporated_site() / "ITI/volume-1/XDS.b/index.html"


def test_xds_b_actors_and_transactions_rows():
    facts = json.loads((REFERENCE / "tf/XDS.b.json").read_text())
    assert generated_actor_rows(xds_b_page()) == published_actor_rows(facts["actors_and_transactions"]["rows"])
    # the rows the supplement brought: without it, the volumes lack them
    base = generated_actor_rows(example_site() / "ITI/volume-1/XDS.b/index.html")
    assert sorted(set(generated_actor_rows(xds_b_page())) - set(base)) == [
        ("Document Registry", "ITI-61", "O"),
        ("On-Demand Document Source", "ITI-43", "R"),
        ("On-Demand Document Source", "ITI-61", "R"),
    ]
    assert set(base) <= set(generated_actor_rows(xds_b_page()))


def test_xds_b_options_rows():
    facts = json.loads((REFERENCE / "tf/XDS.b.json").read_text())
    assert generated_options(xds_b_page()) == published_options(facts["actor_options"]["rows"])


def test_xds_b_required_groupings_rows():
    facts = json.loads((REFERENCE / "tf/XDS.b.json").read_text())
    page = xds_b_page()
    expected = []
    for r in facts["required_groupings"]["rows"]:
        grouped = r["cells"][1].replace("CT / Consistent Time", "CT / Time Client")
        expected.append((norm(r["actor"]), "\u2013", grouped))
    assert generated_groupings(page) == sorted(expected)


def test_mhd_actors_and_transactions_rows():
    facts = json.loads((REFERENCE / "ig/ITI.MHD/facts.json").read_text())
    page = example_site() / "ITI/volume-1/MHD/index.html"
    assert generated_actor_rows(page) == published_actor_rows(facts["actors_and_transactions"]["rows"])


def test_mhd_options_rows():
    facts = json.loads((REFERENCE / "ig/ITI.MHD/facts.json").read_text())
    page = example_site() / "ITI/volume-1/MHD/index.html"
    assert generated_options(page) == published_options(facts["actor_options"]["rows"])


def test_mhd_required_groupings_rows():
    facts = json.loads((REFERENCE / "ig/ITI.MHD/facts.json").read_text())
    page = example_site() / "ITI/volume-1/MHD/index.html"
    expected = []
    for r in facts["required_groupings"]["rows"]:
        if r["grouped_with"] == "None":
            continue
        expected.append((norm(r["actor"]), r["grouping_condition"].replace(" Option", ""), r["grouped_with"]))
    assert generated_groupings(page) == sorted(expected)
    # Actors with no grouping are printed as "None", as the published table does.
    nones = sorted(norm(r[0]) for r in table_rows(page, "table-required-groupings") if r[2] == "None")
    assert nones == sorted(norm(r["actor"]) for r in facts["required_groupings"]["rows"] if r["grouped_with"] == "None")
