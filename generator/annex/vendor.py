"""The browser libraries the annex builder page uses for Word, Excel and YAML, pinned.

The builder writes Word and Excel in the browser, so the published site carries three
MIT-licensed libraries from the npm registry, each with its licence:

* ``docx`` (dolanmiu/docx): Word documents (``dist/index.iife.js``, global ``docx``);
* ``exceljs``: Excel workbooks with data validation (``dist/exceljs.min.js``, global ``ExcelJS``);
* ``js-yaml``: reading an annex YAML file the buyer loads (``dist/browser/js-yaml.umd.min.js``, global ``jsyaml``).

They are fetched by the install step (``make``), never by a build or a test::

    python -m generator.annex.vendor

exactly as :mod:`generator.diagrams.fetch` fetches PlantUML: ``npm pack NAME@VERSION``
(no package script runs), the tarball's sha512 must equal the pinned registry
integrity, and each kept file its pinned sha256. Only those files are kept, in the
environment (``<venv>/share/tfpub/vendor/``). A build without them still works: the
builder page then says that Word and Excel are unavailable and how to fetch them.
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
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Library:
    name: str  # the npm package
    version: str
    integrity: str  # the registry's dist.integrity of the tarball
    script: str  # member of the tarball: the browser bundle
    script_sha256: str
    license: str  # member of the tarball: the licence text
    license_sha256: str
    spdx: str
    purpose: str

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"

    @property
    def script_name(self) -> str:
        return self.script.rsplit("/", 1)[-1]


LIBRARIES = (
    Library(
        "docx", "9.15.2",
        "sha512-G/R41dlYE5RS3TG2ybX1DIodQv+TchMspmdvrrovFyzTpvLZe0pLKVqiGosBhZszLkRonrK9+zxJDPWHDYx4NA==",
        "package/dist/index.iife.js", "c4af8674f408b38d38db71a5683da7fcaf2973bcafe86dae9e93420a08ab0252",
        "package/LICENSE", "b5b2364c0c95a26b2a2399d7e706a61acac680be1d5b180b00592ee85830bffb",
        "MIT", "Word (.docx)",
    ),
    Library(
        "exceljs", "4.4.0",
        "sha512-XctvKaEMaj1Ii9oDOqbW/6e1gXknSY4g/aLCDicOXqBE4M0nRWkUu0PTp++UPNzoFY12BNHMfs/VadKIS6llvg==",
        "package/dist/exceljs.min.js", "7e49da68588e250dbb8bba190d2caa8ab3787cc0284bda1d8b2f805c4df742c9",
        "package/LICENSE", "2ed526b7e7c7681dc2347995b5036ddf73dc27d0539cdea59b6d4a72b63a57a0",
        "MIT", "Excel (.xlsx)",
    ),
    Library(
        "js-yaml", "5.5.0",
        "sha512-paNr4LFIFPjeeSmwNYdrb8FafLLG/Cr2Af3GjbsHJ5CxIjH4r0c2emlmRdAtpPAieP1gRVzk6buBbVP5gBMGAg==",
        "package/dist/browser/js-yaml.umd.min.js", "02970a652376ad653ff069c606ee7440b0514f52ed94a98426cb52426c8e5a02",
        "package/LICENSE", "a07bc24468b9654ce76a547d47a2db282d07733b715db4c73a98bd63961f9550",
        "MIT", "reading annex YAML files",
    ),
)
FIX = "run `make` (or `python -m generator.annex.vendor`) once, with npm installed, then build again"


class VendorError(Exception):
    pass


def vendor_dir() -> Path:
    """Where the install step puts the libraries (``TFPUB_VENDOR_DIR`` overrides, for tests)."""
    given = os.environ.get("TFPUB_VENDOR_DIR")
    return Path(given) if given else Path(sys.prefix) / "share" / "tfpub" / "vendor"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def installed(lib: Library, root: Path | None = None) -> tuple[bytes, bytes] | None:
    """(script, licence) of an installed library whose files have the pinned hashes, else None."""
    folder = (root or vendor_dir()) / lib.folder
    try:
        script = (folder / lib.script_name).read_bytes()
        licence = (folder / "LICENSE").read_bytes()
    except OSError:
        return None
    if _sha256(script) != lib.script_sha256 or _sha256(licence) != lib.license_sha256:
        return None
    return script, licence


def _pack(npm: str, lib: Library, tmp: str) -> bytes:
    spec = f"{lib.name}@{lib.version}"
    proc = subprocess.run(
        [npm, "pack", spec, "--pack-destination", tmp, "--ignore-scripts", "--json", "--silent"],
        cwd=tmp, capture_output=True, text=True, timeout=600,
    )
    if proc.returncode != 0:
        raise VendorError(f"npm pack {spec} failed: {(proc.stderr or proc.stdout).strip()[-800:]}")
    try:
        filename = json.loads(proc.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError):
        found = sorted(Path(tmp).glob(f"{lib.name}-*.tgz"))
        if not found:
            raise VendorError(f"npm pack {spec} gave no tarball") from None
        filename = found[0].name
    # scoped names pack as scope-name-version.tgz; ours are unscoped
    return (Path(tmp) / Path(filename).name).read_bytes()


def _member(archive: tarfile.TarFile, name: str, sha256: str, spec: str) -> bytes:
    try:
        handle = archive.extractfile(archive.getmember(name))
    except KeyError:
        handle = None
    if handle is None:
        raise VendorError(f"{spec}: no file {name} in the tarball")
    data = handle.read()
    if _sha256(data) != sha256:
        raise VendorError(f"{spec}: {name} has sha256 {_sha256(data)}, not the pinned {sha256}")
    return data


def install(lib: Library, root: Path | None = None, *, quiet: bool = False) -> Path:
    """Make sure ``lib`` is installed under ``root`` (default :func:`vendor_dir`); returns its folder."""
    root = root or vendor_dir()
    folder = root / lib.folder
    spec = f"{lib.name}@{lib.version}"
    if installed(lib, root) is not None:
        if not quiet:
            print(f"{spec}: already installed at {folder}")
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError(f"npm is needed once to download {spec} from the npm registry: install Node.js (apt-get install -y npm)")
    with tempfile.TemporaryDirectory(prefix="tfpub-vendor-") as tmp:
        if not quiet:
            print(f"downloading {spec} from the npm registry (npm pack) ...")
        tarball = _pack(npm, lib, tmp)
        if _integrity(tarball) != lib.integrity:
            raise VendorError(f"{spec}: tarball integrity {_integrity(tarball)} is not the pinned {lib.integrity}")
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            script = _member(archive, lib.script, lib.script_sha256, spec)
            licence = _member(archive, lib.license, lib.license_sha256, spec)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in ((lib.script_name, script), ("LICENSE", licence)):
        fd, tmp_path = tempfile.mkstemp(dir=folder, prefix=".vendor-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, folder / name)
    if not quiet:
        print(f"{spec} ({lib.spdx}): installed at {folder}")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.annex.vendor", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--dir", type=Path, default=None, help="install here instead of <venv>/share/tfpub/vendor")
    args = parser.parse_args(argv)
    try:
        for lib in LIBRARIES:
            install(lib, args.dir, quiet=args.quiet)
    except (VendorError, OSError, subprocess.SubprocessError, tarfile.TarError) as exc:
        print(f"tfpub: annex builder libraries: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
