"""Extension points a workspace declares instead of editing ``env.py``: dotted paths, as written.

``[tool.orchestrate]`` declares them for every service, a service's ini ``[orchestrate]``
section for that service alone (applied after the workspace's). Only the declarations are read
here; the hooks are imported when a migration context is configured
(:mod:`orchestrator.runtime.extensions`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: Alembic's hooks orchestrate chains with its own, plus ``comparators``: modules adding
#: autogenerate comparison functions (an Alembic plugin module with ``setup(plugin)``, or a
#: module registering on ``alembic.autogenerate.comparators`` when imported).
KEYS: tuple[str, ...] = (
    "include_object",
    "include_name",
    "render_item",
    "process_revision_directives",
    "comparators",
)


@dataclass(frozen=True)
class Declared:
    """One dotted path, with where it was written (for messages naming the key and the file)."""

    key: str
    path: str
    source: Path
    section: str

    @property
    def where(self) -> str:
        return f"{self.source}: {self.section} {self.key} = {self.path!r}"


@dataclass(frozen=True)
class Declarations:
    """Dotted paths per key, in the order they apply (the workspace's first)."""

    items: tuple[Declared, ...] = ()

    def of(self, key: str) -> tuple[Declared, ...]:
        return tuple(item for item in self.items if item.key == key)

    def __add__(self, other: Declarations) -> Declarations:
        return Declarations(self.items + other.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def declarations(values: dict[str, Iterable[str]], source: Path, section: str) -> Declarations:
    """``values`` maps known keys to their dotted paths (keys absent or empty: none)."""
    return Declarations(tuple(
        Declared(key, path, source, section)
        for key in KEYS for path in values.get(key, ())
    ))
