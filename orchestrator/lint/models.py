"""Whether a name a revision imports from a models package is the models themselves (PF501).

Read from what the import gives (the module is imported, as the revision's reading imported
it): a mapped class, a ``Table``, a ``MetaData`` or what carries one (a declarative base, a
Flask-SQLAlchemy ``db``), or a whole module of models. A column type (``TypeDecorator``), an
``enum.Enum`` of values, a function or a constant is not: a revision may use those without
taking today's schema with it.
"""
from __future__ import annotations

import contextlib
import importlib
import sys
from types import ModuleType
from typing import Any

from sqlalchemy import MetaData, Table
from sqlalchemy.types import TypeEngine


def is_model(module: str, name: str) -> bool:
    """Whether ``from module import name`` imports models; True when it cannot be told."""
    loaded = sys.modules.get(module)
    if loaded is None:
        with contextlib.suppress(Exception):
            loaded = importlib.import_module(module)
    if loaded is None:
        return True
    value = getattr(loaded, name, None)
    if value is None:
        value = sys.modules.get(f"{module}.{name}")
    return value is None or _model_like(value)


def _model_like(value: Any) -> bool:
    if isinstance(value, ModuleType | Table | MetaData):
        return True
    if isinstance(value, TypeEngine) or (isinstance(value, type)
                                         and issubclass(value, TypeEngine)):
        return False
    if hasattr(value, "__table__") or hasattr(value, "__mapper__"):
        return True
    return isinstance(getattr(value, "metadata", None), MetaData)
