"""Whether a revision imports the models themselves from a models package (PF501).

Read from what the import gives (the module is imported, as the revision's reading imported
it): a mapped class, a ``Table``, a ``MetaData`` or what carries one (a declarative base, a
Flask-SQLAlchemy ``db``), or a whole module of models. A column type (``TypeDecorator``), an
``enum.Enum`` of values, a function or a constant is not: a revision may use those without
taking today's schema with it. A whole module imported only to reach such names
(``import app.models`` for ``app.models.NaiveDateTime()``) is judged by the names it reaches.
What cannot be imported is reported: it cannot be told.
"""
from __future__ import annotations

import ast
import contextlib
import importlib
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from sqlalchemy import MetaData, Table
from sqlalchemy.types import TypeEngine

_MISSING = object()


def model_imports(tree: ast.Module, packages: dict[str, str]) -> Iterator[tuple[int, str]]:
    """``(line, what)`` for every import statement of the revision that imports models from
    a models package (a service's ``models =`` or a module path with a ``models`` segment)."""
    uses = _attribute_uses(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported = [(alias.name, None, alias.asname or alias.name.split(".")[0],
                         alias.asname is not None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported = [(node.module, alias.name, alias.asname or alias.name, True)
                        for alias in node.names]
        else:
            continue
        for module, name, bound, exact in imported:
            full = f"{module}.{name}" if name else module
            if not _models_path(full, module, packages):
                continue
            value = _resolve(module, name)
            if isinstance(value, ModuleType):
                spelled = bound if exact else full  # `import a.b.models` is used as a.b.models
                if _reaches_only_non_models(value, uses.get(spelled)):
                    continue
            elif value is not _MISSING and not _model_like(value):
                continue  # a column type, an enum, a helper: not the models themselves
            yield node.lineno, full
            break


def _models_path(full: str, module: str, packages: dict[str, str]) -> bool:
    return "models" in full.split(".") or any(
        name == pkg or name.startswith(pkg + ".") for pkg in packages for name in (full, module))


def _resolve(module: str, name: str | None) -> Any:
    """What ``from module import name`` (or ``import module``) gives; _MISSING when it
    cannot be imported."""
    loaded = sys.modules.get(module)
    if loaded is None:
        with contextlib.suppress(Exception):
            loaded = importlib.import_module(module)
    if loaded is None:
        return _MISSING
    if name is None:
        return loaded
    value = getattr(loaded, name, _MISSING)
    if value is _MISSING:
        with contextlib.suppress(Exception):
            value = importlib.import_module(f"{module}.{name}")
    return value


def _reaches_only_non_models(module: ModuleType, names: set[str | None] | None) -> bool:
    """Whether the revision uses the module only as ``module.X``, no X a model."""
    if not names or None in names:
        return False  # unused (nothing to tell), or the module itself passed around
    values = [getattr(module, name, _MISSING) for name in names]
    return all(value is not _MISSING and not _model_like(value) for value in values)


def _attribute_uses(tree: ast.Module) -> dict[str, set[str | None]]:
    """Dotted name -> the attributes the revision reads of it (None: used bare)."""
    heads = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    uses: dict[str, set[str | None]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Attribute, ast.Name)) or isinstance(
                getattr(node, "ctx", None), ast.Store):
            continue
        dotted = _dotted(node)
        if dotted is None:
            continue
        if isinstance(node, ast.Attribute):
            base, _, attr = dotted.rpartition(".")
            uses.setdefault(base, set()).add(attr)
        if id(node) not in heads:
            uses.setdefault(dotted, set()).add(None)
    return uses


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _model_like(value: Any) -> bool:
    if isinstance(value, ModuleType | Table | MetaData):
        return True
    if isinstance(value, TypeEngine) or (isinstance(value, type)
                                         and issubclass(value, TypeEngine)):
        return False
    if hasattr(value, "__table__") or hasattr(value, "__mapper__"):
        return True
    return isinstance(getattr(value, "metadata", None), MetaData)
