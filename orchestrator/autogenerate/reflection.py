"""One reflection of the database per run, shared by every service's comparison.

Plain Alembic reflects once per service: one batch of ``Inspector.get_multi_*`` queries for
each service's tables, and on PostgreSQL one more query per ``SERIAL`` column to learn whether
its sequence is owned by it. :func:`reflect` asks each ``get_multi_*`` question once for every
owned table of the workspace (and the sequence question once for the whole database); each
service's comparison then reads its tables from the :class:`Snapshot` through a
:class:`SnapshotInspector`, an Inspector whose table list and multi-table answers come from the
snapshot and whose every other method is the live Inspector's.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import BigInteger, Integer, inspect, text
from sqlalchemy.engine import Connection, Inspector
from sqlalchemy.ext.asyncio import AsyncConnection

from orchestrator.core.concurrency import task_group

#: What Alembic's autogenerate reads of a table, as ``Inspector.get_multi_<kind>`` methods.
KINDS: tuple[str, ...] = (
    "columns",
    "pk_constraint",
    "foreign_keys",
    "indexes",
    "unique_constraints",
    "table_comment",
    "check_constraints",
    "table_options",
)
TableKey = tuple[str | None, str]
_NEXTVAL = re.compile(r"nextval\('(.+?)'::regclass\)")


@dataclass
class Snapshot:
    """The database's table names and, for the tables asked for, every ``get_multi_*`` answer.

    Tables are named as the ownership registry names them: ``name`` in the default schema,
    ``schema.name`` in another (:func:`table_key`). ``data[kind]`` maps ``(schema, table)``
    (``None`` for the default schema) to the reflected records, exactly as the Inspector's
    ``get_multi_<kind>`` returns them; a kind the dialect does not implement is absent and
    listed in ``unsupported``.
    """

    dialect: str
    table_names: list[str]
    data: dict[str, dict[TableKey, Any]] = field(default_factory=dict)
    unsupported: frozenset[str] = frozenset()
    #: PostgreSQL's native enum types, every schema: ``Inspector.get_enums(schema="*")``.
    enums: list[dict] | None = None

    @cached_property
    def present(self) -> frozenset[str]:
        return frozenset(self.table_names)

    def records(self, kind: str, table: str) -> Any:
        return self.data.get(kind, {}).get(split_key(table))


def split_key(table: str) -> TableKey:
    """``"reporting.daily"`` -> ``("reporting", "daily")``; ``"daily"`` -> ``(None, "daily")``."""
    schema, _, name = table.rpartition(".")
    return (schema or None, name)


async def reflect(connections: Sequence[AsyncConnection],
                  wanted: Callable[[str], bool] | Collection[str],
                  table_names: list[str] | None = None) -> Snapshot:
    """Reflect the tables ``wanted`` (names, or a predicate on names) that exist, in one batch.

    Each ``get_multi_<kind>`` question is asked once per schema, for all those tables; the
    questions are spread over ``connections`` and asked concurrently. When most of a schema is
    wanted, nothing is filtered (one scan is cheaper than a long ``IN`` list), as SQLAlchemy
    does. ``table_names``: the database's tables when already listed (default schema only
    otherwise).
    """
    names = table_names if table_names is not None else await connections[0].run_sync(
        lambda c: inspect(c).get_table_names())
    keep = wanted if callable(wanted) else set(wanted).__contains__
    snapshot = Snapshot(connections[0].dialect.name, names)
    if snapshot.dialect == "postgresql":
        snapshot.enums = await connections[0].run_sync(
            lambda c: inspect(c).get_enums(schema="*"))
    by_schema: dict[str | None, list[str]] = {}
    listed: dict[str | None, int] = {}
    for key in names:
        schema, name = split_key(key)
        listed[schema] = listed.get(schema, 0) + 1
        if keep(key):
            by_schema.setdefault(schema, []).append(name)
    if not by_schema:
        return snapshot
    questions = [(kind, schema, None if len(tables) * 2 > listed[schema] else tables)
                 for schema, tables in by_schema.items() for kind in KINDS]
    selected = {(schema, name) for schema, tables in by_schema.items() for name in tables}
    unsupported: set[str] = set()

    async def ask(connection: AsyncConnection, mine: Sequence[tuple]) -> None:
        for kind, schema, filter_names in mine:
            answer = await connection.run_sync(_ask, kind, schema, filter_names)
            if answer is None:
                unsupported.add(kind)
            else:
                snapshot.data.setdefault(kind, {}).update(
                    (k, v) for k, v in answer.items() if k in selected)

    async with task_group() as group:
        for index, connection in enumerate(connections):
            group.start_soon(ask, connection, questions[index::len(connections)])
    snapshot.data = {kind: snapshot.data[kind] for kind in KINDS if kind in snapshot.data}
    snapshot.unsupported = frozenset(unsupported)
    if snapshot.dialect == "postgresql":
        await connections[0].run_sync(_resolve_serial_defaults, snapshot)
    return snapshot


def _ask(connection: Connection, kind: str, schema: str | None,
         filter_names: list[str] | None) -> dict | None:
    try:
        return dict(getattr(inspect(connection), f"get_multi_{kind}")(
            schema=schema, filter_names=filter_names))
    except NotImplementedError:
        return None


def _resolve_serial_defaults(connection: Connection, snapshot: Snapshot) -> None:
    """Drop the ``nextval(...)`` default of SERIAL columns, as Alembic does, in one query.

    Alembic's PostgreSQL ``autogen_column_reflect`` asks, for every integer column whose
    default is ``nextval('seq'::regclass)``, which column owns the sequence, and forgets the
    default when it is that column (a SERIAL). That is one round trip per table; here the
    owners of every sequence are read at once and the same rule applied, so the comparison
    itself never queries.
    """
    owners = dict(connection.execute(text(
        "SELECT c.oid::regclass::text, a.attname "
        "FROM pg_class c "
        "JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass "
        "  AND d.refclassid = 'pg_class'::regclass "
        "JOIN pg_class t ON t.oid = d.refobjid "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
        "WHERE c.relkind = 'S'"
    )).all())
    for columns in snapshot.data.get("columns", {}).values():
        for column in columns:
            default = column.get("default")
            if not default or not isinstance(column["type"], (Integer, BigInteger)):
                continue
            match = _NEXTVAL.match(default)
            if match and owners.get(match.group(1)) == column["name"]:
                column["default"] = None


class SnapshotInspector:
    """An Inspector answering the table list and ``get_multi_*`` from a :class:`Snapshot`.

    It shows one service's view: of the database's tables, those ``tables`` admits (the tables
    the service owns, which is all its ``include_name`` admits anyway), so that no comparison walks
    the table list of the whole database. Every record handed out is a copy, so what one
    comparison changes (Alembic wraps constraint names, dialect hooks adjust column records)
    never leaks into another. Any other question goes to the live Inspector.
    """

    def __init__(self, live: Inspector, snapshot: Snapshot,
                 tables: Callable[[str], bool] | Collection[str]) -> None:
        self._live = live
        self._snapshot = snapshot
        keep = tables if callable(tables) else set(tables).__contains__
        self._tables: dict[str | None, list[str]] = {}
        for key in sorted(snapshot.present):
            if keep(key):
                schema, name = split_key(key)
                self._tables.setdefault(schema, []).append(name)
        self._listed = {split_key(key)[0] for key in snapshot.present}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("get_multi_") and name[len("get_multi_"):] in KINDS:
            kind = name[len("get_multi_"):]
            return lambda **kw: self._multi(kind, **kw)
        return getattr(self._live, name)

    def get_table_names(self, schema: str | None = None, **kw: Any) -> list[str]:
        if schema is not None and (kw or schema not in self._listed):
            return self._live.get_table_names(schema, **kw)
        return list(self._tables.get(schema, []))

    def get_enums(self, schema: str | None = None, **kw: Any) -> list[dict]:
        """The enum types of ``schema`` (``None``: those visible on the search path)."""
        if self._snapshot.enums is None or kw:
            return self._live.get_enums(schema, **kw)
        return [dict(enum, labels=list(enum["labels"])) for enum in self._snapshot.enums
                if schema == "*" or (enum["schema"] == schema if schema else enum["visible"])]

    def _multi(self, kind: str, schema: str | None = None,
               filter_names: Iterable[str] | None = None, **kw: Any) -> dict[TableKey, Any]:
        snapshot = self._snapshot
        if kw or (schema is not None and schema not in self._listed):
            return getattr(self._live, f"get_multi_{kind}")(
                schema=schema, filter_names=filter_names, **kw)
        if kind in snapshot.unsupported:
            raise NotImplementedError(kind)
        held = snapshot.data.get(kind, {})
        names = list(filter_names) if filter_names is not None else self._tables.get(schema, [])
        answer = {(schema, n): _copy(held[(schema, n)]) for n in names if (schema, n) in held}
        missing = [n for n in names if (schema, n) not in held]
        if missing:
            answer.update(getattr(self._live, f"get_multi_{kind}")(
                schema=schema, filter_names=missing))
        return answer


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [dict(item) if isinstance(item, dict) else item for item in value]
    if isinstance(value, dict):
        return dict(value)
    return value
