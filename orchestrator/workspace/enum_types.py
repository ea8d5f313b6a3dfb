"""The native enum types a service's tables use, and which of them it creates.

A native enum (``sa.Enum(..., name="order_status")`` on PostgreSQL) is a type of its own in the
database, shared by every column that names it. The service whose tables declare it creates it
and owns it, like a table. A service that only uses another's enum says so with
``postgresql.ENUM(name="order_status", create_type=False)``: it references the type, it does not
create it. Two services creating one enum is an ownership overlap, as for a table.
"""
from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import MetaData
from sqlalchemy.dialects import postgresql


@dataclass
class EnumUse:
    """One native enum type as a service's tables declare it."""

    name: str
    schema: str | None
    values: tuple[str, ...]
    creates: bool
    #: (table schema, table, column, is an array of the enum)
    columns: list[tuple[str | None, str, str, bool]] = field(default_factory=list)


def native_enum(type_: object) -> tuple[sa.Enum, bool] | None:
    """The native enum type of a column type (``ARRAY`` of one too), and whether in an array."""
    array = isinstance(type_, sa.ARRAY)
    item = type_.item_type if isinstance(type_, sa.ARRAY) else type_
    item = getattr(item, "impl", item) if isinstance(item, sa.TypeDecorator) else item
    if isinstance(item, sa.Enum) and item.native_enum and item.name:
        return item, array
    return None


def enum_uses(metadata: MetaData, tables: Collection[str]) -> dict[str, EnumUse]:
    """The native enums of the tables ``tables`` (registry keys) of ``metadata``, by name."""
    found: dict[str, EnumUse] = {}
    for key, column, enum, array in _enum_columns(metadata, tables):
        use = found.setdefault(enum.name, EnumUse(enum.name, enum.schema,
                                                  tuple(enum.enums), False))
        use.creates = use.creates or _creates(enum)
        use.columns.append((column.table.schema, column.table.name, column.name, array))
    return found


def _enum_columns(metadata: MetaData, tables: Collection[str]
                  ) -> Iterator[tuple[str, sa.Column, sa.Enum, bool]]:
    for key in sorted(set(tables) & set(metadata.tables)):
        for column in metadata.tables[key].columns:
            found = native_enum(column.type)
            if found is not None:
                yield key, column, found[0], found[1]


def _creates(enum: sa.Enum) -> bool:
    """False for ``postgresql.ENUM(..., create_type=False)``: a reference to another's type."""
    return not isinstance(enum, postgresql.ENUM) or enum.create_type
