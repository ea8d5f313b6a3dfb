"""The package's layering (docs/architecture.md): imports only ever run downward.

Every module of ``orchestrator`` is imported (so none is broken), and every ``import`` in it,
at module level or inside a function, is checked against the layers below: a package may import
its own modules and those of lower layers, never a higher layer nor another package of its own
layer.
"""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "orchestrator"

#: Lowest first. Keep in step with docs/architecture.md.
LAYERS: list[set[str]] = [
    {"core"},
    {"config"},
    {"history"},
    {"workspace"},
    {"runtime"},
    {"lint"},
    {"autogenerate"},
    {"branches", "trains", "planner"},
    {"cli"},
    # entry points: what users, env.py files and pytest (the pytest11 plugin) import
    {"__main__", "envrunner", "__init__", "pytest_plugin"},
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def unit_of(module: str) -> str:
    """The layered unit a module belongs to: its subpackage, or itself at the top."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def imported_modules(path: Path) -> set[str]:
    """Every ``orchestrator`` module that ``path`` imports, wherever in the file.

    ``from orchestrator.lint import destructive`` imports the module ``orchestrator.lint.
    destructive``; ``from orchestrator.lint import lint`` imports ``orchestrator.lint``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{path}: use absolute imports"
            source = node.module or ""
            for alias in node.names:
                name = f"{source}.{alias.name}"
                found.add(name if is_module(name) else source)
    return {name for name in found if name == "orchestrator" or name.startswith("orchestrator.")}


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_unit_has_a_layer() -> None:
    units = {unit_of(module_name(path)) for path in MODULES}
    assert units == set(RANK), "add new subpackages to LAYERS and docs/architecture.md"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_run_downward(path: Path) -> None:
    module = module_name(path)
    if module != "orchestrator.__main__":  # running it would start the command line
        importlib.import_module(module)
    unit = unit_of(module)
    upward = []
    for target in sorted(imported_modules(path)):
        other = unit_of(target)
        if target == "orchestrator" and unit != "__init__":
            upward.append(f"{target} (import from the subpackage itself, not the package root)")
        elif other != unit and RANK[other] >= RANK[unit]:
            upward.append(f"{target} ({other}: layer {RANK[other]}, {unit} is layer {RANK[unit]})")
    assert not upward, f"{module} imports upward or sideways: " + "; ".join(upward)


def test_modules_import_no_cycle() -> None:
    graph = nx.DiGraph()
    names = {module_name(path) for path in MODULES}
    for path in MODULES:
        for target in imported_modules(path):
            if target in names and target != module_name(path):
                graph.add_edge(module_name(path), target)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import cycles: {cycles}"


def test_the_top_of_the_package_is_small() -> None:
    entries = [p.name for p in PACKAGE.iterdir() if p.name != "__pycache__"]
    # 15: the pytest plugin joined the entry points (a pytest11 entry point is a top module)
    assert len(entries) <= 15, sorted(entries)


def test_the_library_api_is_lazy_and_complete() -> None:
    import subprocess
    import sys

    probe = ("import sys, orchestrator; loaded = [m for m in sys.modules "
             "if m.startswith('orchestrator.')]; print(loaded)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=PACKAGE.parent).stdout.strip()
    assert out == "[]", f"importing orchestrator loaded {out}"
    import orchestrator

    for name in orchestrator.__all__:
        assert callable(getattr(orchestrator, name)), name
    with pytest.raises(AttributeError):
        orchestrator.no_such_thing  # noqa: B018
