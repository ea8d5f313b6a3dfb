"""Custom column types whose ``repr`` is unstable, found before anything is generated.

Autogenerate writes a column's type into the revision as ``module.<repr(type)>``. A custom
type (a ``TypeDecorator``, a ``UserDefinedType``) whose ``repr`` shows a memory address, or
changes from one instance or one call to the next, renders a revision that differs on every
run, or that is not even valid Python. The fix is a ``__repr__`` returning a constant
constructor call such as ``TenantId()``; this module names the type and the columns using it.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from sqlalchemy import MetaData
from sqlalchemy.types import TypeEngine

from orchestrator.workspace.ownership import OwnershipRegistry, table_key

_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]+")


@dataclass(frozen=True)
class UnstableType:
    service: str
    table: str
    column: str
    type_name: str
    rendered: str
    reason: str

    @property
    def message(self) -> str:
        short = self.type_name.rpartition(".")[2]
        return (
            f"service {self.service!r}: column {self.table}.{self.column} uses type "
            f"{self.type_name} whose repr is unstable ({self.reason}: {self.rendered!r}); "
            "autogenerate writes types with repr(), so revisions would differ on every run. "
            f"Give {short} a __repr__ returning a constant call such as {short + '()'!r}"
        )

    def to_dict(self) -> dict:
        return {"table": self.table, "column": self.column, "type": self.type_name,
                "repr": self.rendered, "reason": self.reason, "message": self.message}


def find_unstable_types(service: str, metadata: MetaData,
                        ownership: OwnershipRegistry) -> list[UnstableType]:
    """Every column of the service's own tables whose custom type has an unstable repr."""
    owned = ownership.tables_of(service)
    found: list[UnstableType] = []
    for table in metadata.tables.values():
        if table_key(table.name, table.schema) not in owned:
            continue
        for column in table.columns:
            type_ = column.type
            if type(type_).__module__.startswith("sqlalchemy."):
                continue
            problem = repr_problem(type_)
            if problem:
                reason, rendered = problem
                kind = type(type_)
                found.append(UnstableType(service, table.name, column.name,
                                          f"{kind.__module__}.{kind.__qualname__}", rendered,
                                          reason))
    return found


def repr_problem(type_: TypeEngine) -> tuple[str, str] | None:
    """(reason, repr) when ``repr(type_)`` cannot be rendered the same way every time."""
    try:
        rendered = repr(type_)
        again = repr(type_)
        twin = repr(type_.copy())
    except Exception as error:  # a broken __repr__ is exactly what is reported
        return f"repr() raises {type(error).__name__}: {error}", "?"
    if _ADDRESS.search(rendered):
        return "it shows a memory address", rendered
    if again != rendered:
        return f"it changes from one call to the next ({again!r})", rendered
    if twin != rendered:
        return f"a copy of the same type renders differently ({twin!r})", rendered
    try:
        ast.parse(rendered, mode="eval")
    except SyntaxError:
        return "it is not a Python expression", rendered
    return None
