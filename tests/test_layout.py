"""The package's layout as docs/architecture.md draws it: imports go one way down the
pipeline (no stage imports a later one), no import cycle between modules, no module over
600 lines, and no private module of Python."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

GEO = Path(__file__).resolve().parent.parent / "geo"

#: Each top-level part of ``geo`` and its place in the flow; a part may import parts of a
#: lower or equal rank only (the bottom modules rank 0).
RANK = {
    "model": 0, "config": 0, "geodesy": 0, "inputs": 0,
    "text": 1, "articles": 2, "gazetteer": 2, "formats": 2,
    "extract": 3, "store": 3,
    "pipeline": 4, "distributed": 5, "monitor": 5,
    "web": 6, "commands": 6, "cli": 7,
}
MAX_LINES = 600
PRIVATE = ("re._parser", "re._compiler", "sre_parse", "sre_compile", "_sre")


def _module(path: Path) -> str:
    parts = path.relative_to(GEO.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Modules ``path`` (a module of ``geo``) imports (absolute names, relative ones
    resolved)."""
    out = set()
    module = _module(path) if path.is_relative_to(GEO) else "geo.outside"
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
                   for stmt in block.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in typing_only:  # (annotations only: no import at run time)
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}
    return out


def _sources() -> dict[str, Path]:
    return {_module(p): p for p in sorted(GEO.rglob("*.py"))}


def _part(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_every_part_has_a_rank() -> None:
    parts = {_part(m) for m in _sources() if m != "geo"}
    assert parts <= set(RANK), parts - set(RANK)


def test_imports_go_one_way_down_the_pipeline() -> None:
    wrong = []
    for module, path in _sources().items():
        if module == "geo":
            continue
        here = _part(module)
        for target in _imports(path):
            there = _part(target) if target.startswith("geo.") else None
            if there and there != here and there in RANK and RANK[there] > RANK[here]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, wrong


def test_no_import_cycle_between_modules() -> None:
    sources = _sources()
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in sources.items():
        graph[module] = {t for t in _imports(path) if t in sources and t != module}
    # a package imports its own modules from its __init__ to export them: that is no cycle
    for module in graph:
        graph[module] = {t for t in graph[module] if not module.startswith(t + ".")}
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, trail: list[str]) -> bool:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle.extend([*trail[trail.index(nxt):], nxt] if nxt in trail else [node, nxt])
                return True
            if nxt not in state and visit(nxt, [*trail, nxt]):
                return True
        state[node] = 2
        return False

    for start in sorted(graph):
        if start not in state and visit(start, [start]):
            break
    assert not cycle, " -> ".join(cycle)


@pytest.mark.parametrize("path", sorted(GEO.rglob("*.py")), ids=lambda p: _module(p))
def test_modules_stay_small_and_use_no_private_module(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path.name}: {lines} lines"
    private = [m for m in _imports(path) if m.startswith(PRIVATE)]
    assert not private, private


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """The import reader sees an upward import and a private module."""
    bad = tmp_path / "bad.py"
    bad.write_text("import re._parser\nfrom geo.web import page\nif TYPE_CHECKING:\n"
                   "    from geo.cli import main\n", encoding="utf-8")
    found = _imports(bad)
    assert {"re._parser", "geo.web", "geo.web.page"} <= found and "geo.cli" not in found
