"""What a service's history says of a column before a given revision: whether it is NULL-able.

Read from the recorded readings of the service's revisions, in history order: the columns
``create_table`` and ``add_column`` make, ``alter_column(nullable=...)``, and raw
``ALTER COLUMN ... SET/DROP NOT NULL``. A rule asks it when the revision itself does not say
(autogenerate writes ``nullable=True`` without ``existing_nullable=`` for that very change).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cached_property

from orchestrator.history.reading import Call
from orchestrator.history.revisions import ServiceHistory

#: (table, column) -> the history's facts, as (position in history order, nullable).
_Events = dict[tuple[str, str], list[tuple[int, bool]]]


class ColumnHistory:
    """One service's columns through its history; tables named as ``canonical`` names them."""

    def __init__(self, history: ServiceHistory, canonical: Callable[[str], str]) -> None:
        self._history = history
        self._canonical = canonical

    def nullable_before(self, revision: str, table: str, column: str) -> bool | None:
        """Whether ``table.column`` accepted NULL just before ``revision``; None when no
        earlier revision of the service says (a column older than the history)."""
        position = self._history.position.get(revision)
        if position is None:
            return None
        known = [nullable for at, nullable in self._events.get((table, column), ())
                 if at < position]
        return known[-1] if known else None

    @cached_property
    def _events(self) -> _Events:
        events: _Events = {}
        readings = self._history.readings()
        for position, rev in enumerate(self._history.order):
            reading = readings.get(rev)
            upgrade = reading.upgrade if reading is not None else None
            for call in upgrade.calls if upgrade is not None else ():
                for table, column, nullable in self._facts(call):
                    events.setdefault((self._canonical(table), column), []).append(
                        (position, nullable))
        return events

    @staticmethod
    def _facts(call: Call) -> Iterator[tuple[str, str, bool]]:
        table = f"{call.schema}.{call.table}" if call.schema and call.table else call.table
        if table and call.name in ("create_table", "add_column"):
            for column in call.columns:
                yield table, column.name, column.nullable and not column.primary_key
        elif table and call.name == "alter_column" and call.target and (
                call.option("nullable") is not None):
            yield table, call.new_name or call.target, bool(call.option("nullable"))
        for statement in call.sql:
            if statement.raw and statement.table:
                for clause in statement.clauses:
                    if clause.kind == "alter column" and clause.name and clause.change in (
                            "set not null", "drop not null"):
                        yield statement.table, clause.name, clause.change == "drop not null"
