"""One benchmark stage, run in a fresh process: ``python -m bench.stages STAGE --specs DIR --work DIR --out FILE``.

Each stage imports what it needs, does its work once, and writes a JSON object to
``--out`` with its own timings (``seconds``: the work itself, without interpreter
start-up and imports) and what it produced. The parent (:mod:`bench.run`) measures
the wall time and the peak memory of the whole process (``os.wait4``), so stages
never share memory or caches.

A stage whose feature is missing writes ``{"missing": "..."}``: the table then says
"n/a (feature missing)" instead of a number.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

REPO = Path(__file__).resolve().parents[1]
STAGES: dict = {}


def stage(name: str):
    def register(fn):
        STAGES[name] = fn
        return fn

    return register


class Clock:
    """Wall and CPU time of a block: ``with Clock() as c: ...; c.wall, c.cpu``."""

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu
        return False


def _validate(specs: Path):
    from generator.validate import validate

    result = validate(specs)
    if result.errors or result.warnings:
        raise SystemExit(f"the synthetic specs have problems: {len(result.errors)} errors, {len(result.warnings)} warnings; first: {result.problems[0]}")
    return result


_ACTIVE: set = set()


def _wrap(holder, name: str, into: dict, key: str) -> None:
    """Time every call of ``holder.name`` into ``into[key]`` (when the attribute exists).

    Calls made while another timed call is running (one instrumented function calling
    another) are not counted twice.
    """
    original = getattr(holder, name, None)
    if original is None:
        return

    def timed(*a, **k):
        if _ACTIVE:
            return original(*a, **k)
        _ACTIVE.add(key)
        try:
            with Clock() as c:
                out = original(*a, **k)
        finally:
            _ACTIVE.discard(key)
        into[key] = into.get(key, 0.0) + c.wall
        return out

    setattr(holder, name, timed)


def instrument() -> dict:
    """Time the optional features' parts of validation and generation (those present)."""
    shares: dict = {}
    try:
        import generator.supplements as S
        import generator.supplements.site as SS

        _wrap(S, "validate_supplements", shares, "supplements_validate")
        _wrap(SS, "addition", shares, "supplements_generate")
    except ImportError:
        pass
    import generator.annex.site as AS
    import generator.site.publish as P

    _wrap(AS, "addition", shares, "annex_generate")
    _wrap(P, "add_figures", shares, "figures")
    return shares


def _tree_size(root: Path) -> tuple[int, int, int]:
    """(files, bytes, HTML pages) under root."""
    files = size = pages = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            files += 1
            size += os.path.getsize(os.path.join(dirpath, name))
            pages += name.endswith(".html")
    return files, size, pages


# --------------------------------------------------------------------------- validate and generate


@stage("validate")
def validate_stage(specs: Path, work: Path, args) -> dict:
    """Load, schema-check, resolve and cross-check every spec: ``tfpub validate``."""
    import generator.validate as V

    shares = instrument()
    with Clock() as c:
        result = V.validate(specs)
    fw = result.framework
    return {
        "seconds": c.wall, "cpu": c.cpu, "files": len(result.files), "errors": len(result.errors), "warnings": len(result.warnings),
        "first_problem": str(result.problems[0]) if result.problems else "",
        "profiles": len(fw.profiles), "transactions": len(fw.transactions), "actors": len(fw.actors),
        "supplements_seconds": shares.get("supplements_validate"),
    }


def _plain_project(work: Path, source) -> Path:
    """The generated site source as plain files, with a mkdocs.yml like the real one but without the hook."""
    import yaml

    plain = work / "plain"
    if plain.exists():
        shutil.rmtree(plain)
    docs = plain / "docs"
    for src, content in source.files.items():
        path = docs / src
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config.pop("hooks", None)
    config.pop("watch", None)
    config.get("extra", {}).pop("tfpub", None)
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    config["nav"] = source.nav
    config["extra_css"] = list(source.extra_css) + [c for c in config.get("extra_css", []) if c not in source.extra_css]
    config["extra_javascript"] = list(source.extra_javascript) + [j for j in config.get("extra_javascript", []) if j not in source.extra_javascript]
    (plain / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return plain


@stage("generate")
def generate_stage(specs: Path, work: Path, args) -> dict:
    """Validate, then everything ``tfpub build`` does before mkdocs: the model, every page, the export.

    Diagrams come from the cache the diagram stages filled (rendering is measured there).
    """
    import generator.site.publish as P

    try:
        from generator.diagrams import renderer
    except ImportError:
        renderer = None
    java_before = renderer.JAVA_STARTS if renderer else 0
    shares = instrument()

    timings = {"validate": 0.0}
    original = P.validate

    def timed(*a, **k):
        with Clock() as c:
            out = original(*a, **k)
        timings["validate"] += c.wall
        return out

    P.validate = timed
    with Clock() as c:
        published = P.publish(specs, cache_dir=work / "cache")
    if not published.ok:
        raise SystemExit("publish failed: " + "; ".join(str(p) for p in published.problems[:3]))
    source = published.source
    md_pages = [k for k in source.files if k.endswith(".md")]
    md_bytes = sum(len(v.encode("utf-8") if isinstance(v, str) else v) for v in source.files.values())
    with Clock() as w:
        _plain_project(work, source)
    return {
        "seconds": c.wall - timings["validate"], "cpu": c.cpu, "validate_seconds": timings["validate"], "total_seconds": c.wall,
        "pages": len(md_pages), "files": len(source.files), "source_bytes": md_bytes, "write_seconds": w.wall,
        "java_starts": (renderer.JAVA_STARTS - java_before) if renderer else 0,
        "supplements_seconds": shares.get("supplements_generate"), "annex_seconds": shares.get("annex_generate"),
        "figures_seconds": shares.get("figures"), "supplements_validate_seconds": shares.get("supplements_validate"),
    }


# --------------------------------------------------------------------------- diagrams


def _diagrams():
    try:
        from generator.diagrams import model_diagrams, render  # noqa: F401
    except ImportError as exc:
        return None, str(exc)
    return (model_diagrams, render), ""


@stage("diagrams-source")
def diagrams_source_stage(specs: Path, work: Path, args) -> dict:
    found, why = _diagrams()
    if found is None:
        return {"missing": f"generator.diagrams: {why}"}
    model_diagrams, _ = found
    fw = _validate(specs).framework
    with Clock() as c:
        diagrams = model_diagrams(fw)
    return {"seconds": c.wall, "cpu": c.cpu, "diagrams": len(diagrams), "source_bytes": sum(len(d.source) for d in diagrams)}


def _render(specs: Path, work: Path, fresh: bool) -> dict:
    found, why = _diagrams()
    if found is None:
        return {"missing": f"generator.diagrams: {why}"}
    model_diagrams, render = found
    from generator.diagrams import renderer

    cache = work / "cache" / "diagrams"  # where publish() looks (cache_dir/diagrams): the generate and build stages find it warm
    if fresh and cache.exists():
        shutil.rmtree(cache)
    fw = _validate(specs).framework
    diagrams = model_diagrams(fw)
    before = renderer.JAVA_STARTS
    with Clock() as c:
        report = render(diagrams, cache)
    out = {
        "seconds": c.wall, "cpu": c.cpu, "diagrams": len(diagrams), "rendered": report.rendered, "cached": report.cached,
        "skipped": report.skipped, "java_starts": renderer.JAVA_STARTS - before,
        "errors": sum(1 for p in report.problems if p.is_error), "first_problem": str(report.problems[0]) if report.problems else "",
        "svg_bytes": sum(len(d.svg or "") for d in diagrams),
    }
    if report.skipped:
        out["missing"] = "Java or the PlantUML jar (python -m generator.diagrams.fetch)"
    return out


@stage("diagrams-cold")
def diagrams_cold_stage(specs: Path, work: Path, args) -> dict:
    return _render(specs, work, fresh=True)


@stage("diagrams-warm")
def diagrams_warm_stage(specs: Path, work: Path, args) -> dict:
    return _render(specs, work, fresh=False)


# --------------------------------------------------------------------------- the site


def project(work: Path, specs: Path) -> Path:
    """A project folder as an editor has it: mkdocs.yml (with the hook), specs/, an empty docs/."""
    proj = work / "project"
    (proj / "generator").mkdir(parents=True, exist_ok=True)
    (proj / "docs").mkdir(exist_ok=True)
    for name, target in (("specs", specs), (".tfpub-cache", work / "cache")):  # the diagram cache the diagram stages filled
        link = proj / name
        if link.is_symlink() or link.exists():
            link.unlink()
        target.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target, target_is_directory=True)
    shutil.copy(REPO / "mkdocs.yml", proj / "mkdocs.yml")
    (proj / "generator" / "site").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "generator" / "site" / "mkdocs_hook.py", proj / "generator" / "site" / "mkdocs_hook.py")
    return proj


@stage("build")
def build_stage(specs: Path, work: Path, args) -> dict:
    """``tfpub build``: the real command's path (validate, generate, mkdocs with the hook, atomic swap)."""
    from mkdocs.plugins import PluginCollection

    import generator.site.publish as P
    from generator.site.site_build import build_site

    proj = project(work, specs)
    site = work / "site"
    shares = instrument()
    share = {"publish": 0.0, "hook": 0.0}
    original_publish = P.publish

    def timed_publish(*a, **k):
        with Clock() as c:
            out = original_publish(*a, **k)
        share["publish"] += c.wall
        return out

    P.publish = timed_publish
    original_event = PluginCollection.run_event

    def timed_event(self, name, *a, **k):
        if name not in ("config", "files"):
            return original_event(self, name, *a, **k)
        with Clock() as c:
            out = original_event(self, name, *a, **k)
        share["hook"] += c.wall
        return out

    PluginCollection.run_event = timed_event
    with Clock() as c:
        result = build_site(proj / "mkdocs.yml", specs, site)
    if not result.ok:
        raise SystemExit(f"tfpub build failed: {result.message} {[str(p) for p in result.problems[:3]]}")
    files, size, pages = _tree_size(site)
    tfpub = share["publish"] + share["hook"]
    return {
        "seconds": c.wall, "cpu": c.cpu, "tfpub_seconds": tfpub, "publish_seconds": share["publish"], "hook_seconds": share["hook"],
        "mkdocs_seconds": c.wall - tfpub, "site_files": files, "site_bytes": size, "html_pages": pages,
        "supplements_seconds": shares.get("supplements_validate", 0.0) + shares.get("supplements_generate", 0.0)
        if ("supplements_validate" in shares or "supplements_generate" in shares) else None,
        "search_index_bytes": (site / "search" / "search_index.json").stat().st_size if (site / "search" / "search_index.json").exists() else 0,
    }


@stage("mkdocs-plain")
def mkdocs_plain_stage(specs: Path, work: Path, args) -> dict:
    """Plain mkdocs on the same generated Markdown (written by the generate stage), no hook."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    plain = work / "plain"
    if not (plain / "mkdocs.yml").is_file():
        raise SystemExit("run the generate stage first")
    with Clock() as c:
        config = load_config(config_file=str(plain / "mkdocs.yml"))
        build(config)
    files, size, pages = _tree_size(plain / "site")
    return {"seconds": c.wall, "cpu": c.cpu, "site_files": files, "site_bytes": size, "html_pages": pages}


@stage("validate-process")
def validate_process_stage(specs: Path, work: Path, args) -> dict:
    """The whole ``tfpub validate`` command as an editor runs it: a fresh process, start-up and imports included.

    Cold: tfpub keeps no cache of specs between processes. Its time is the wall time;
    ``cpu`` is the process's user + system time (steadier on a busy machine)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with Clock() as c:
        done = subprocess.run([sys.executable, "-m", "generator", "validate", str(specs)], cwd=work, capture_output=True, text=True, encoding="utf-8", errors="replace")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit("tfpub validate found problems: " + " | ".join(done.stdout.strip().splitlines()[:3]))
    return {"seconds": c.wall, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "child_peak_rss_mb": after.ru_maxrss / 1024}


@stage("zensical-plain")
def zensical_plain_stage(specs: Path, work: Path, args) -> dict:
    """Zensical (Material for MkDocs' successor) on the same generated Markdown and config as mkdocs-plain.

    Run as its own command (``python -m zensical build``), from a clean cache; its
    time is the command's wall time and the CPU time of it and its threads."""
    import importlib.util
    import resource

    import yaml

    if importlib.util.find_spec("zensical") is None:
        return {"missing": "zensical is not installed (pip install -e '.[test]')"}
    plain = work / "plain"
    if not (plain / "mkdocs.yml").is_file():
        raise SystemExit("run the generate stage first")
    config = yaml.safe_load((plain / "mkdocs.yml").read_text(encoding="utf-8"))
    config["site_dir"] = "site-zensical"  # inside the project folder, as Zensical requires; apart from mkdocs' site
    (plain / "zensical.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    shutil.rmtree(plain / "site-zensical", ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with Clock() as c:
        done = subprocess.run([sys.executable, "-m", "zensical", "build", "-c", "-f", str(plain / "zensical.yml")], cwd=plain,
                              capture_output=True, text=True, encoding="utf-8", errors="replace")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit("zensical build failed: " + " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:]))
    files, size, pages = _tree_size(plain / "site-zensical")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": c.wall, "cpu": cpu, "site_files": files, "site_bytes": size, "html_pages": pages,
            "issues": next((line.strip() for line in done.stdout.splitlines() if "issue" in line.lower()), "")}


@stage("linkcheck")
def linkcheck_stage(specs: Path, work: Path, args) -> dict:
    from generator.site.linkcheck import check_site

    with Clock() as c:
        broken = check_site(work / "site")
    return {"seconds": c.wall, "cpu": c.cpu, "broken": len(broken), "first_broken": str(broken[0]) if broken else ""}


# --------------------------------------------------------------------------- annex


@stage("annex")
def annex_stage(specs: Path, work: Path, args) -> dict:
    """Read, check and expand the generated annex (20 selections); then its site files."""
    try:
        from generator.annex import expand
        from generator.annex.selection import check_annex, read_annex
    except ImportError as exc:
        return {"missing": f"generator.annex: {exc}"}
    files = sorted(specs.glob("*/annexes/*.yaml"))
    if not files:
        return {"missing": "no annex in the specs (the generator writes one only when the annex feature exists)"}
    fw = _validate(specs).framework
    path = files[0]
    with Clock() as c:
        annex, problems = read_annex(path, path.parent.parent.name)
        problems = problems + (check_annex(fw, annex) if annex else [])
        if annex is None or any(p.is_error for p in problems):
            raise SystemExit(f"the annex has errors: {[str(p) for p in problems[:3]]}")
        expansion = expand(fw, annex)
    out = {"seconds": c.wall, "cpu": c.cpu, "selections": len(annex.selection), "requirements": len(expansion.requirements),
           "warnings": len(problems)}
    try:
        from generator.annex import annex_site_files
    except ImportError:
        return out
    with Clock() as s:
        site_files = annex_site_files(fw, specs)
    out["site_files_seconds"] = s.wall
    out["site_files"] = len(site_files)
    return out


# --------------------------------------------------------------------------- edit to preview


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", errors="replace")
    except OSError:
        return None


def _peak_rss_kb(pid: int) -> int:
    """Peak resident memory (VmHWM) of a running process, in KB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@stage("serve-core")
def serve_core_stage(specs: Path, work: Path, args) -> dict:
    """The same, on the specs without their supplements: what the rest of tfpub costs."""
    if not any(specs.glob("*/supplements/*/supplement.yaml")):
        return {"missing": "no supplements in these specs: the row above is the same measurement"}
    return serve_stage(specs, work, args, without_supplements=True)


@stage("serve")
def serve_stage(specs: Path, work: Path, args, without_supplements: bool = False) -> dict:
    """``tfpub serve``: from saving one profile file to the rebuilt page being served.

    Starts the real ``tfpub serve`` on a copy of the specs, waits for the first build,
    then edits one profile (its summary) ``--edits`` times, each time polling the
    profile's page over HTTP every 20 ms until the new text is there.
    """
    from bench import synth

    served_specs = work / "serve-specs"
    if served_specs.exists():
        shutil.rmtree(served_specs)
    shutil.copytree(specs, served_specs)
    if without_supplements:
        for folder in served_specs.glob("*/supplements"):
            shutil.rmtree(folder)
    proj = project(work, served_specs)
    port = _free_port()
    log = open(work / "serve.log", "w", encoding="utf-8")
    cmd = [sys.executable, "-m", "generator", "serve", "-f", str(proj / "mkdocs.yml"), "--specs", str(served_specs), "-a", f"127.0.0.1:{port}"]
    started = time.perf_counter()
    server = subprocess.Popen(cmd, cwd=proj, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    cycles: list[float] = []
    try:
        acronym, path = synth.edit_profile(served_specs, "Edit marker 0.")
        domain = path.parent.parent.name
        url = f"http://127.0.0.1:{port}/{domain}/volume-1/{acronym}/"
        deadline = time.perf_counter() + args.timeout
        while "Edit marker 0." not in (_get(url) or ""):
            if server.poll() is not None or time.perf_counter() > deadline:
                raise SystemExit(f"tfpub serve did not come up (see {work / 'serve.log'})")
            time.sleep(0.25)
        first = time.perf_counter() - started
        time.sleep(1.0)
        for n in range(1, args.edits + 1):
            marker = f"Edit marker {n}."
            text = path.read_text(encoding="utf-8").replace(f"Edit marker {n - 1}.", marker, 1)
            t0 = time.perf_counter()
            path.write_text(text, encoding="utf-8")
            deadline = t0 + args.timeout
            while marker not in (_get(url) or ""):
                if server.poll() is not None or time.perf_counter() > deadline:
                    raise SystemExit(f"the edit did not show up in time (see {work / 'serve.log'})")
                time.sleep(0.02)
            cycles.append(time.perf_counter() - t0)
            time.sleep(1.0)
        peak = _peak_rss_kb(server.pid)
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    cycles.sort()
    return {
        "seconds": cycles[len(cycles) // 2], "cycles": cycles, "first_build_seconds": first, "profile": acronym,
        "serve_peak_rss_kb": peak,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stages")
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("--specs", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    result = STAGES[args.stage](args.specs.resolve(), args.work.resolve(), args)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
