"""The builder page's script gives exactly what the Python gives, for many selections (run under Node).

The browser test (test_annex_browser.py) drives the real page; this one runs the
same script's expansion and rendering directly, so it can cover many more cases
quickly: conditional groupings, alternatives (met and not), recommended
groupings, options that require options, status flags and both minimum statuses.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import show
from example import EXAMPLE_SPECS

from generator.annex import render
from generator.annex.expand import expand
from generator.annex.selection import Annex, Selected
from generator.annex.site import builder_javascript
from generator.render.export import export_json
from generator.validate import validate

NODE = shutil.which("node") or shutil.which("nodejs")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed (apt-get install nodejs); the browser test covers the page")

HARNESS = r"""
const fs = require('fs');
const [jsPath, modelPath, casesPath] = process.argv.slice(2);
global.window = {};
eval(fs.readFileSync(jsPath, 'utf8'));
const model = new window.tfpubAnnex.Model(JSON.parse(fs.readFileSync(modelPath, 'utf8')));
const out = JSON.parse(fs.readFileSync(casesPath, 'utf8')).map(function (annex) {
  const r = window.tfpubAnnex.build(model, annex);
  return { markdown: r.markdown, csv: r.csv, json: r.json };
});
process.stdout.write(JSON.stringify(out));
"""

TREE_CASES = [
    ["DOC:document-source"],
    ["DOC:document-source[folders]"],
    ["DOC:document-recipient"],
    ["IMG:image-archive"],
    ["IMG:image-archive", "ATN:secure-node"],
    ["IMG:image-archive", "DOC:document-recipient", "SHOULD RPT:report-creator"],
    ["RPT:report-creator", "IMG:image-creator"],
    ["SHOULD CT:time-server[secured-ntp]", "CT:time-client[sntp,secured-ntp]"],
    ["SHOULD DOC:document-source[document-update]", "ATN:secure-node"],
]
SPECS_CASES = [
    ["XDS.b:document-source", "XDS.b:document-consumer[basic-patient-privacy-enforcement]", "PIX:patient-identifier-cross-reference-consumer",
     "SHOULD PDQ:patient-demographics-consumer", "XUA:x-service-user[subject-role]", "BPPC:content-creator", "BPPC:content-consumer"],
    ["XDS.b:document-registry[patient-identity-feed]", "XDS.b:document-repository"],
    ["XDS.b:patient-identity-source"],
    ["ATNA:audit-record-forwarder", "ATNA:audit-record-repository[atx-tls-syslog]"],
    ["XCA:initiating-gateway[xds-affinity-domain]", "SHOULD XDM:portable-media-creator[zip-over-email-response]"],
    ["BPPC:content-consumer"],
    # transactions required by name (upper case in the brackets)
    ["MHD:document-source[ITI-65]"],
    ["MHD:document-source[simplified-publish,ITI-106,ITI-105]", "SHOULD MHD:document-recipient[ITI-106]"],
    ["SHOULD MHD:document-source[ITI-65]", "XDS.b:document-source"],
]


def parse(item: str) -> dict:
    level = "SHALL"
    if item.startswith("SHOULD "):
        level, item = "SHOULD", item[7:]
    profile, rest = item.split(":", 1)
    actor, _, opts = rest.partition("[")
    items = [o for o in opts.rstrip("]").split(",") if o]
    return {"profile": profile, "actor": actor, "options": [o for o in items if o.islower()],
            "transactions": [o for o in items if not o.islower()], "level": level}


def run_cases(fw, cases, minimum, tmp_path: Path):
    annexes = []
    expected = []
    for case in cases:
        sel = [parse(i) for i in case]
        data = {"id": "annex", "title": "Annex <b>&</b> | *test*", "buyer": "Buyer [x](y)", "prefix": "RFP-9", "revision": "",
                "minimum_status": minimum, "introduction": "", "domain": "", "selection": sel}
        annexes.append(data)
        a = Annex("annex", data["title"], "RFP-9", [Selected(s["profile"], s["actor"], s["options"], s["level"], transactions=s["transactions"]) for s in sel],
                  buyer=data["buyer"], minimum_status=minimum)
        e = expand(fw, a)
        expected.append({"markdown": render.to_markdown(e, fw), "csv": render.to_csv(e), "json": render.to_json(e)})
    (tmp_path / "builder.js").write_text(builder_javascript(), encoding="utf-8")
    (tmp_path / "model.json").write_text(export_json(fw), encoding="utf-8")
    (tmp_path / "cases.json").write_text(json.dumps(annexes), encoding="utf-8")
    (tmp_path / "harness.js").write_text(HARNESS, encoding="utf-8")
    done = subprocess.run([NODE, str(tmp_path / "harness.js"), str(tmp_path / "builder.js"), str(tmp_path / "model.json"), str(tmp_path / "cases.json")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    for case, want, have in zip(cases, expected, got):
        for fmt in ("json", "markdown", "csv"):
            assert have[fmt] == want[fmt], f"{fmt} differs for {case}"


@pytest.mark.parametrize("minimum", ["final-text", "trial-implementation"])
def test_builder_script_matches_python_on_the_test_framework(tree, tmp_path, minimum):
    result = tree.validate()
    assert result.problems == [], show(result.problems)
    run_cases(result.framework, TREE_CASES, minimum, tmp_path)


def test_builder_script_matches_python_with_conditions_in_words(tree, tmp_path):
    tree["ITX/profiles/DOC.yaml"]["groupings"][0]["condition"] = "When the  source\nsends | images <now>."
    tree["ITX/profiles/DOC.yaml"]["actors"][1]["options"] = [{"option": "document-update"}]
    tree["ITX/profiles/DOC.yaml"]["options"][1]["status"] = "deprecated"
    result = tree.validate()
    assert not result.errors, show(result.problems)
    run_cases(result.framework, TREE_CASES + [["DOC:document-recipient[document-update]"]], "final-text", tmp_path)


def test_builder_script_matches_python_on_the_example_specs(tmp_path):
    result = validate(EXAMPLE_SPECS)
    assert not result.errors, show(result.errors)
    everything = [f"{p.acronym}:{a.actor}[{','.join(c.option for c in a.options)}]" for p in result.framework.profiles.values() for a in p.actors]
    run_cases(result.framework, SPECS_CASES + [everything], "final-text", tmp_path)


def test_builder_script_matches_python_on_behaviours_external_groupings_and_option_effects(tree, tmp_path):
    doc = tree["ITX/profiles/DOC.yaml"]
    doc["actors"][1]["requirements"] = [
        {"text": "Keep every received document.", "optionality": "R"},
        {"text": "Index images", "optionality": "C", "condition": "When it  stores images."},
    ]
    doc["actors"][1]["options"] = [{"option": "document-update"}]
    doc["options"][1]["adds"] = [{"actor": "document-recipient", "transaction": "ITX-3", "optionality": "R"}]
    doc["groupings"].append({"actor": "document-source", "with": [{"external": {"domain": "RAD", "profile": "SWF", "actor": "Order Placer", "reference": "RAD TF-1: 2"}}]})
    doc["groupings"].append({"actor": "document-recipient", "kind": "recommended", "with": [
        {"profile": "ATN", "actor": "secure-node"},
        {"external": {"domain": "PCC", "profile": "XPHR", "actor": "Content Creator", "reference": "PCC TF-1: 2"}},
    ]})
    result = tree.validate()
    assert not result.errors, show(result.problems)
    cases = [["DOC:document-source[folders]", "SHOULD DOC:document-recipient"], ["DOC:document-recipient[document-update]"],
             ["IMG:image-archive"], ["DOC:document-source"]]
    run_cases(result.framework, cases, "final-text", tmp_path)
