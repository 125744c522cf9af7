"""``tfpub build`` and ``tfpub serve``: run mkdocs on the generated source, safely.

A build writes into a temporary folder beside ``site/`` and swaps it in only when
everything succeeded, so a failed build never leaves a half-written site behind
and the previous site keeps working.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..problems import Problem

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # the notice is about mkdocs itself, not this site


@dataclass
class BuildResult:
    ok: bool
    problems: list[Problem]
    message: str = ""
    site_dir: Path | None = None


def _load_config(config_file: Path, site_dir: Path, specs: Path | None, strict: bool):
    from mkdocs.config import load_config

    config = load_config(config_file=str(config_file), site_dir=str(site_dir), strict=strict)
    if specs is not None:
        extra = dict(config.extra or {})
        own = dict(extra.get("tfpub", {}) or {})
        own["specs"] = str(specs.resolve())
        extra["tfpub"] = own
        config.extra = extra
    return config


def build_site(config_file: Path, specs: Path | None = None, site_dir: Path | None = None, *, strict: bool = True) -> BuildResult:
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    from .publish import publish

    config_file = config_file.resolve()
    base = config_file.parent
    target = (site_dir or base / "site").resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".site-build-", dir=target.parent))
    published = None
    try:
        config = _load_config(config_file, tmp, specs, strict)
        own = (config.extra or {}).get("tfpub", {}) or {}
        specs_path = Path(own.get("specs") or base / "specs")
        specs_path = specs_path if specs_path.is_absolute() else base / specs_path
        cache = Path(own.get("cache", ".tfpub-cache"))
        published = publish(specs_path, cache_dir=cache if cache.is_absolute() else base / cache, docs_dir=Path(config.docs_dir))
        if not published.ok:
            shutil.rmtree(tmp, ignore_errors=True)
            return BuildResult(False, published.problems, "the specs have errors; the previous site was left as it was")
        build(config)
    except (MkDocsException, SystemExit) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        return BuildResult(False, published.problems if published else [], f"mkdocs could not build the site: {exc}")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _swap(tmp, target)
    return BuildResult(True, published.problems, "", target)


def _swap(new: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def serve_site(config_file: Path, specs: Path | None, host: str, port: int) -> None:
    """mkdocs' live-reloading server; it rebuilds when a spec or template changes."""
    from mkdocs.commands.serve import serve

    from ..render.pages import default_templates_dir

    from .publish import SERVE_DIRTY
    from ..validate import reuse_unchanged_files

    watch = [str(default_templates_dir())]
    if specs is not None:
        os.environ["TFPUB_SPECS"] = str(specs.resolve())
        watch.append(str(specs.resolve()))
    # After an edit, mkdocs renders again only the pages whose generated Markdown changed
    # (the hook writes the source as files and touches only those; see publish.sync_source).
    os.environ[SERVE_DIRTY] = "1"
    reuse_unchanged_files()  # and files that did not change are not parsed again
    serve(config_file=str(config_file.resolve()), livereload=True, build_type="dirty", dev_addr=f"{host}:{port}", watch=watch)
