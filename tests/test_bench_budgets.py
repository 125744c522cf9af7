"""The bench's verdicts: each budget printed as met or missed, by how much, from one run's results."""

from __future__ import annotations

from bench.run import BUDGETS, budgets, table, verdict


def _results(validate_process: float, build: float, tfpub: float, plain: float, serve: float) -> dict:
    return {
        "ihe": {
            "specs": {"files": 2048},
            "validate": {"seconds": 0.6, "peak_rss_mb": 90},
            "validate-process": {"seconds": validate_process, "cpu": validate_process * 0.9, "peak_rss_mb": 84},
            "build": {"seconds": build, "tfpub_seconds": tfpub, "peak_rss_mb": 300, "site_bytes": 10**8, "html_pages": 2000},
            "mkdocs-plain": {"seconds": plain, "cpu": plain, "peak_rss_mb": 200},
            "zensical-plain": {"seconds": plain * 1.1, "cpu": plain * 1.2, "html_pages": 2010, "peak_rss_mb": 400},
            "serve": {"seconds": serve, "cycles": [serve, serve, serve], "first_build_seconds": 60, "serve_peak_rss_kb": 10**5},
        }
    }


def test_verdict_says_by_how_much_either_way():
    assert verdict(0.8, 1.0) == "met (0.80 s, 20% under 1.00 s)"
    assert verdict(1.5, 1.0) == "MISSED by 0.50 s (+50% over 1.00 s: 1.50 s)"
    assert verdict(0.3, 0.2, "%") == "MISSED by 10% (+50% over 20%: 30%)"
    assert verdict(1.2, 1.3, "×") == "met (1.20×, 8% under 1.30×)"


def test_every_budget_of_issue_16_is_judged():
    lines = budgets(_results(validate_process=0.9, build=120.0, tfpub=30.0, plain=100.0, serve=2.5), ["ihe"])
    text = "\n".join(lines)
    assert "the whole `tfpub validate` process, cold, < 1.00 s: met (0.90 s" in text
    assert f"generation < {BUDGETS['generation_share']:.0%} of plain mkdocs: MISSED by 10% (+50% over 20%: 30%)" in text
    assert "full `tfpub build` within 1.3× plain mkdocs: met (1.20×" in text
    assert "edit one profile → served in < 2 s at IHE: MISSED by 0.50 s" in text


def test_the_table_has_the_zensical_column():
    text = table(_results(validate_process=0.9, build=120.0, tfpub=30.0, plain=100.0, serve=2.5), ["ihe"])
    assert "plain Zensical, same Markdown and config | 110 s (2,010 pages, CPU 120 s)" in text
    assert "| Zensical ÷ plain mkdocs | 1.10× wall, 1.20× CPU |" in text
    assert "whole `tfpub validate` process, cold | 0.90 s (CPU 0.81 s)" in text
