"""The package's imports run one way: no module of ``generator/`` reaches, directly or
through others, back to itself. Imports inside functions count too, since a deferred
import is still a dependency; it only hides the circle from Python, not from a reader.
"""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "generator"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def resolve_from(current: str, is_package: bool, level: int, target: str | None) -> str:
    base = current.split(".") if is_package else current.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every ``generator`` module this file imports, anywhere in it.

    ``from . import x`` names the submodule ``x`` when there is one, else the package.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "generator":
                    found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = resolve_from(name, is_package, node.level, node.module)
            elif node.module and node.module.split(".")[0] == "generator":
                base = node.module
            else:
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    return {m for m in found if m in known and m != name}


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    graph = {name: imports_of(name, path, known) for name, path in mods.items()}
    # Importing a.b.c runs a/__init__ and a/b/__init__ first: that is an edge too.
    for name, deps in graph.items():
        for dep in list(deps):
            parts = dep.split(".")
            for i in range(1, len(parts)):
                parent = ".".join(parts[:i])
                if parent in known and parent != name and not name.startswith(parent + "."):
                    deps.add(parent)
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively, so a deep package cannot hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def test_the_graph_sees_deferred_imports():
    """The checker itself must see imports inside functions, or it proves nothing."""
    graph = import_graph()
    assert "generator.site.site_build" in graph
    # site_build imports publish only inside its functions.
    assert "generator.site.publish" in graph["generator.site.site_build"]


def test_strongly_connected_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert [c for c in strongly_connected(graph) if len(c) > 1] == [["a", "b", "c"]]


def test_no_import_circle():
    circles = [c for c in strongly_connected(import_graph()) if len(c) > 1]
    assert not circles, "import circles in generator/: " + "; ".join(" <-> ".join(c) for c in circles)


def test_readme_module_table_matches_the_tree():
    """Every module the README's "How it is built" table names exists, and every module is named."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How it is built", 1)[1].split("\n## ", 1)[0]
    import re

    named = set(re.findall(r"`(generator/[\w/]+(?:\.py)?/?)`", section))
    files = {str(p.relative_to(REPO_ROOT)) for p in PACKAGE.rglob("*.py")}
    missing = sorted(n for n in named if n.endswith(".py") and n not in files)
    assert not missing, f"README names modules that do not exist: {missing}"
    covered = set()
    for f in files:
        if f in named or any(n.endswith("/") and f.startswith(n) for n in named):
            covered.add(f)
    unnamed = sorted(f for f in files - covered if not f.endswith("__init__.py") and not f.endswith("__main__.py"))
    assert not unnamed, f"README's module table does not name: {unnamed}"
