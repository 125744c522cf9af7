"""``python -m bench``: every stage on every size, each in a fresh process, as one table.

    python -m bench                      # ITI and IHE sizes, all stages (about 15-20 minutes on 2 cores)
    python -m bench --sizes iti          # one size
    python -m bench --sizes iti,ihe,x10  # 10×IHE too: validate, generation, diagram source and annex only
    python -m bench --sizes x10 --all-stages   # 10×IHE through every stage (long)

The table goes to standard output (Markdown) and, with every measured number, to
``<work>/results.json``. Times are wall-clock seconds of the stage's own work (not
the interpreter start-up); memory is the peak resident set of the stage's process
and its children (``os.wait4``), so stages never pollute each other.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import synth

REPO = Path(__file__).resolve().parents[1]

# Stage order matters: the cold diagram render fills the cache that the warm one, the
# generation, the build and the preview read (so they measure no rendering); generate
# writes the Markdown that plain mkdocs builds; build writes the site the link check reads.
ORDER = ["validate", "validate-process", "diagrams-source", "diagrams-cold", "diagrams-warm", "generate", "build", "mkdocs-plain", "zensical-plain", "linkcheck", "annex", "serve", "serve-core"]
CHEAP = {"validate", "validate-process", "diagrams-source", "annex"}  # repeated (--repeat) and the median reported
X10_DEFAULT = ["validate", "validate-process", "generate", "diagrams-source", "annex"]

BUDGETS = {  # issue 16 (and 6 before it)
    "validate_ihe": 1.0,
    "validate_x10": 10.0,
    "generation_share": 0.20,
    "build_ratio": 1.3,
    "diagrams_per_second": 30.0,
    "edit_to_preview": 2.0,
    "memory_ihe_mb": 1024,
}


def run_stage(name: str, specs: Path, work: Path, extra: list[str] | None = None, timeout: float = 3600) -> dict:
    """Run one stage in a fresh process; its JSON plus the process's wall time and peak RSS."""
    out = work / f"{name}.json"
    out.unlink(missing_ok=True)
    log = open(work / f"{name}.log", "w", encoding="utf-8")
    cmd = [sys.executable, "-m", "bench.stages", name, "--specs", str(specs), "--work", str(work), "--out", str(out), *(extra or [])]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, PYTHONPATH=str(REPO)))
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    log.close()
    wall = time.perf_counter() - started
    result: dict = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    if proc.returncode != 0 or not result:
        tail = (work / f"{name}.log").read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        result = {"failed": " | ".join(tail) or f"exit {proc.returncode}"}
    result["process_seconds"] = wall
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    return result


def median_of(runs: list[dict]) -> dict:
    ok = [r for r in runs if "seconds" in r]
    if not ok:
        return runs[-1]
    ok.sort(key=lambda r: r["seconds"])
    best = dict(ok[len(ok) // 2])
    best["runs"] = [round(r["seconds"], 3) for r in ok]
    best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in ok)
    return best


def bench_size(size: str, work: Path, stages: list[str], repeat: int, seed: int, edits: int, say) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    specs = work / "specs"
    t0 = time.perf_counter()
    counts = synth.write_framework(size, specs, seed)
    say(f"[{size}] wrote {counts['files']} spec files ({counts['bytes'] / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s")
    results: dict = {"specs": counts}
    for name in ORDER:
        if name not in stages:
            continue
        runs = []
        for _ in range(repeat if name in CHEAP else 1):
            extra = ["--edits", str(edits)] if name.startswith("serve") else None
            runs.append(run_stage(name, specs, work, extra))
            if "seconds" not in runs[-1]:
                break
        results[name] = median_of(runs)
        r = results[name]
        shown = r.get("failed") or r.get("missing") or f"{r['seconds']:.2f} s"
        say(f"[{size}] {name}: {shown} (process {r['process_seconds']:.1f} s, peak {r['peak_rss_mb']:.0f} MB)")
    return results


# --------------------------------------------------------------------------- the table


def _mb(r: dict) -> str:
    return f"{r['peak_rss_mb']:,.0f} MB"


def _cell(r: dict | None, text) -> str:
    if r is None:
        return "skipped"
    if "failed" in r:
        return f"failed: {r['failed'][:80]}"
    if "missing" in r and "seconds" not in r:
        return "n/a (feature missing)"
    if "missing" in r:
        return f"n/a ({r['missing']})"
    return text(r)


def _s(x: float) -> str:
    if x < 0.1:
        return f"{x * 1000:.0f} ms"
    return f"{x:.2f} s" if x < 100 else f"{x:.0f} s"


def table(results: dict, sizes: list[str]) -> str:
    labels = [synth.SIZES[s].label for s in sizes]
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, stage: str, text) -> None:
        rows.append((label, [_cell(results[s].get(stage), text) for s in sizes]))

    rows.append(("spec files (profiles / transactions / actors)", [
        f"{results[s]['specs']['files']:,} ({synth.SIZES[s].profiles:,} / {synth.SIZES[s].transactions:,} / {synth.SIZES[s].actors:,})" for s in sizes]))
    row("load + validate", "validate", lambda r: f"{_s(r['seconds'])} · {_mb(r)}")
    row("whole `tfpub validate` process, cold", "validate-process", lambda r: f"{_s(r['seconds'])} (CPU {_s(r['cpu'])}) · {_mb(r)}")
    row("… of which supplements", "validate", lambda r: _s(r["supplements_seconds"]) if r.get("supplements_seconds") is not None else "n/a (feature missing)")
    row("model + Markdown generation (diagrams from the warm cache)", "generate", lambda r: f"{_s(r['seconds'])} ({r['pages']:,} pages) · {_mb(r)}")
    row("… of which supplements (checks and pages)", "generate", lambda r: _s(r["supplements_seconds"]) if r.get("supplements_seconds") is not None else "n/a (feature missing)")
    row("… of which annex pages and downloads", "generate", lambda r: _s(r["annex_seconds"]) if r.get("annex_seconds") is not None else "n/a (feature missing)")
    row("diagram source generation", "diagrams-source", lambda r: f"{_s(r['seconds'])} ({r['diagrams']:,} diagrams) · {_mb(r)}")
    row("diagram rendering, cold", "diagrams-cold", lambda r: f"{_s(r['seconds'])} ({r['rendered']:,} rendered, {r['rendered'] / max(r['seconds'], 1e-9):.0f}/s, {r['java_starts']} Java) · {_mb(r)}")
    row("diagram rendering, warm", "diagrams-warm", lambda r: f"{_s(r['seconds'])} ({r['rendered']} rendered, {r['java_starts']} Java) · {_mb(r)}")
    row("site build (`tfpub build`)", "build", lambda r: f"{_s(r['seconds'])} · {_mb(r)}")
    row("… tfpub's own share (validate, generate, hook)", "build", lambda r: _s(r["tfpub_seconds"]))
    row("… of which supplements", "build", lambda r: _s(r["supplements_seconds"]) if r.get("supplements_seconds") is not None else "n/a (feature missing)")
    row("plain mkdocs, same Markdown, no hook", "mkdocs-plain", lambda r: f"{_s(r['seconds'])} · {_mb(r)}")
    row("plain Zensical, same Markdown and config", "zensical-plain", lambda r: f"{_s(r['seconds'])} ({r['html_pages']:,} pages, CPU {_s(r['cpu'])}) · {_mb(r)}")
    rows.append(("Zensical ÷ plain mkdocs", [_engine_ratio(results[s]) for s in sizes]))
    rows.append(("tfpub share ÷ plain mkdocs", [_ratio(results[s]) for s in sizes]))
    rows.append(("… without the supplements", [_ratio(results[s], without_supplements=True) for s in sizes]))
    row("annex expansion (20 selections)", "annex", lambda r: f"{_s(r['seconds'])} ({r['requirements']:,} requirements) · {_mb(r)}")
    row("edit one profile → page served (`tfpub serve`)", "serve", lambda r: f"{_s(r['seconds'])} (first build {_s(r['first_build_seconds'])}) · {r['serve_peak_rss_kb'] / 1024:,.0f} MB")
    row("… the same, without the supplements", "serve-core", lambda r: f"{_s(r['seconds'])} (first build {_s(r['first_build_seconds'])}) · {r['serve_peak_rss_kb'] / 1024:,.0f} MB")
    row("output: HTML pages · site size", "build", lambda r: f"{r['html_pages']:,} · {r['site_bytes'] / 1e6:,.0f} MB ({r['site_bytes'] / max(r['html_pages'], 1) / 1e3:.0f} KB/page)")
    row("broken links (linkcheck; a test of the output, not a stage)", "linkcheck", lambda r: f"{r['broken']} · {_s(r['seconds'])} · {_mb(r)}")
    out = ["| stage | " + " | ".join(labels) + " |", "| --- |" + " --- |" * len(labels)]
    out += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows]
    return "\n".join(out)


def _ratio(r: dict, without_supplements: bool = False) -> str:
    b, p = r.get("build"), r.get("mkdocs-plain")
    if not b or not p or "seconds" not in b or "seconds" not in p:
        return "skipped"
    if without_supplements:
        if b.get("supplements_seconds") is None:
            return "n/a (feature missing)"
        return f"{(b['tfpub_seconds'] - b['supplements_seconds']) / p['seconds']:.0%}"
    return f"{b['tfpub_seconds'] / p['seconds']:.0%}"


def _engine_ratio(r: dict) -> str:
    z, p = r.get("zensical-plain"), r.get("mkdocs-plain")
    if not z or not p or "seconds" not in z or "seconds" not in p:
        return "skipped" if not z or "missing" not in z else "n/a (zensical not installed)"
    return f"{z['seconds'] / p['seconds']:.2f}× wall" + (f", {z['cpu'] / p['cpu']:.2f}× CPU" if p.get("cpu") else "")


def _ok(flag: bool) -> str:
    return "met" if flag else "MISSED"


def verdict(value: float, budget: float, unit: str = "s") -> str:
    """``met (0.62 s, 38 % under 1 s)`` or ``MISSED by 0.40 s (+40 % over 1 s)``: how far either way."""
    shown = (lambda x: f"{x:.0%}") if unit == "%" else (lambda x: f"{x:.2f}×") if unit == "×" else _s
    margin = (budget - value) / budget
    if value < budget:
        return f"met ({shown(value)}, {margin:.0%} under {shown(budget)})"
    return f"MISSED by {shown(value - budget)} ({-margin:+.0%} over {shown(budget)}: {shown(value)})"


def budgets(results: dict, sizes: list[str]) -> list[str]:
    """One line per budget of issue 16: met or missed, by how much, or not measured."""
    lines = []

    def get(size, stage):
        r = results.get(size, {}).get(stage)
        return r if r and "seconds" in r and "missing" not in r else None

    for size, budget in (("ihe", BUDGETS["validate_ihe"]), ("x10", BUDGETS["validate_x10"])):
        proc, v = get(size, "validate-process"), get(size, "validate")
        label = synth.SIZES[size].label
        if proc:
            lines.append(f"- {label}: the whole `tfpub validate` process, cold, < {_s(budget)}: {verdict(proc['seconds'], budget)}"
                         f" (CPU {_s(proc['cpu'])}; of it load + validate {_s(v['seconds']) if v else 'not measured'})")
        elif v:
            lines.append(f"- {label}: load + validate < {_s(budget)}: {verdict(v['seconds'], budget)} (the process was not measured)")
    for size in sizes:
        b, p = get(size, "build"), get(size, "mkdocs-plain")
        if b and p:
            ratio = b["tfpub_seconds"] / p["seconds"]
            extra = ""
            if b.get("supplements_seconds") is not None:
                core = (b["tfpub_seconds"] - b["supplements_seconds"]) / p["seconds"]
                extra = f"; {core:.0%} without the supplements' {_s(b['supplements_seconds'])}"
            lines.append(f"- {synth.SIZES[size].label}: generation < {BUDGETS['generation_share']:.0%} of plain mkdocs: "
                         f"{verdict(ratio, BUDGETS['generation_share'], '%')} ({_s(b['tfpub_seconds'])} vs {_s(p['seconds'])}{extra})")
            whole = b["seconds"] / p["seconds"]
            lines.append(f"- {synth.SIZES[size].label}: full `tfpub build` within {BUDGETS['build_ratio']}× plain mkdocs: "
                         f"{verdict(whole, BUDGETS['build_ratio'], '×')} ({_s(b['seconds'])} vs {_s(p['seconds'])}"
                         + (f"; CPU {_s(b['cpu'])} vs {_s(p['cpu'])}, {b['cpu'] / p['cpu']:.2f}×" if b.get("cpu") and p.get("cpu") else "") + ")")
    for size in sizes:
        cold, warm = get(size, "diagrams-cold"), get(size, "diagrams-warm")
        if cold:
            rate = cold["rendered"] / max(cold["seconds"], 1e-9)
            lines.append(f"- {synth.SIZES[size].label}: diagrams cold ≥ 30/s with one Java process: {_ok(rate >= 30 and cold['java_starts'] <= 1)} "
                         f"({rate:.0f}/s, {cold['java_starts']} Java)")
        if warm:
            lines.append(f"- {synth.SIZES[size].label}: diagrams warm, zero renders: {_ok(warm['rendered'] == 0 and warm['java_starts'] == 0)} "
                         f"({warm['rendered']} rendered, {warm['java_starts']} Java)")
    s = get("ihe", "serve")
    if s:
        line = f"- edit one profile → served in < 2 s at IHE: {verdict(s['seconds'], BUDGETS['edit_to_preview'])} (median of {', '.join(_s(x) for x in s['cycles'])}"
        core = get("ihe", "serve-core")
        if core:
            line += f"; without the supplements {_s(core['seconds'])} of {', '.join(_s(x) for x in core['cycles'])}"
        lines.append(line + ")")
    # The link check is a test of the output, not a publishing stage: it is left out here.
    peaks = [(name, r["peak_rss_mb"]) for name, r in results.get("ihe", {}).items()
             if isinstance(r, dict) and "peak_rss_mb" in r and "failed" not in r and name != "linkcheck"]
    for name in ("serve", "serve-core"):
        if "serve_peak_rss_kb" in results.get("ihe", {}).get(name, {}):
            peaks.append((f"{name} (the server)", results["ihe"][name]["serve_peak_rss_kb"] / 1024))
    if peaks:
        worst = max(peaks, key=lambda x: x[1])
        lines.append(f"- peak memory < 1 GB at IHE: {_ok(worst[1] < BUDGETS['memory_ihe_mb'])} (largest: {worst[0]}, {worst[1]:,.0f} MB)")
    sized = [(s, get(s, "build")) for s in sizes if get(s, "build")]
    if len(sized) >= 2:
        per_page = ", ".join(f"{synth.SIZES[s].label} {b['site_bytes'] / b['html_pages'] / 1e3:.0f} KB/page" for s, b in sized)
        first, last = sized[0][1], sized[-1][1]
        growth = (last["site_bytes"] / last["html_pages"]) / (first["site_bytes"] / first["html_pages"])
        lines.append(f"- output size linear in page count: {_ok(growth < 1.5)} ({per_page}; ×{growth:.2f} per page)")
    return lines


def machine() -> str:
    load = os.getloadavg()
    return (f"{dt.date.today().isoformat()}, {os.cpu_count()} cores (nproc), Python {platform.python_version()}, "
            f"load average at the end {load[0]:.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="iti,ihe", help="comma-separated: iti, ihe, x10 (default: iti,ihe)")
    parser.add_argument("--stages", default="all", help=f"comma-separated, from: {', '.join(ORDER)} (default: all)")
    parser.add_argument("--all-stages", action="store_true", help="run every stage on 10×IHE too (by default only " + ", ".join(X10_DEFAULT) + ")")
    parser.add_argument("--work", type=Path, help="working folder (default: a new temporary folder)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the cheap stages; the median is reported (default 3)")
    parser.add_argument("--edits", type=int, default=3, help="edit-to-preview cycles; the median is reported (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for s in sizes:
        if s not in synth.SIZES:
            parser.error(f"unknown size {s!r}; use {', '.join(synth.SIZES)}")
    wanted = ORDER if args.stages == "all" else [s.strip() for s in args.stages.split(",")]
    work = args.work or Path(tempfile.mkdtemp(prefix="tfpub-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    say(f"tfpub benchmark in {work}; features: {synth.features()}")
    results: dict = {}
    for size in sizes:
        stages = wanted if size != "x10" or args.all_stages else [s for s in wanted if s in X10_DEFAULT]
        results[size] = bench_size(size, work / size, stages, args.repeat, args.seed, args.edits, say)
        (work / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    text = "\n".join([
        f"Measured {machine()}.",
        "",
        table(results, sizes),
        "",
        "Budgets (issue 16), each met or missed by how much:",
        "",
        *budgets(results, sizes),
    ])
    if "x10" in sizes and not args.all_stages:
        ran = [s for s in wanted if s in X10_DEFAULT]
        text += "\n\n10×IHE ran only " + ", ".join(ran) + " (the other stages take too long for the default run; `--all-stages` runs them)."
    print(text)
    (work / "results.md").write_text(text + "\n", encoding="utf-8")
    say(f"results: {work / 'results.json'}, {work / 'results.md'}")
    return 0
