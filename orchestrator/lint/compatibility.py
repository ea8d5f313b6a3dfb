"""Backward-incompatible rules: code deployed before the upgrade stops working after it.

During a rolling deploy the old code runs against the new schema for a while; a rename
breaks every query that still uses the old name.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from orchestrator.lint.context import RevisionContext
from orchestrator.lint.finding import LintFinding
from orchestrator.lint.rule import warning

RENAME_TABLE = warning(
    "BC301", "renames a table",
    "Expand and contract: create the new table (or a view under the new name), move "
    "readers and writers over, then drop the old one in a later release.",
)
RENAME_COLUMN = warning(
    "BC302", "renames a column",
    "Expand and contract: add the new column, write both, back-fill, move readers, then "
    "drop the old column in a later release.",
)
RULES = (RENAME_TABLE, RENAME_COLUMN)

_RENAME_TO = re.compile(r"^RENAME\s+TO\s+", re.IGNORECASE)
_RENAME_COLUMN = re.compile(r"^RENAME\s+(?:COLUMN\s+)?(?!TO\b|CONSTRAINT\b)", re.IGNORECASE)


def check(ctx: RevisionContext) -> Iterator[LintFinding]:
    for op, table in ctx.changes_to_existing_tables():
        if op.name == "rename_table":
            yield _table(ctx, op.line, table, op.target)
        elif op.name == "alter_column" and isinstance(op.literal("new_column_name"), str):
            yield _column(ctx, op.line, table, op.target, str(op.literal("new_column_name")))
    for statement in ctx.statements:
        table = statement.table
        if not statement.raw or table is None or ctx.is_new(table):
            continue
        line = ctx.line_of(statement)
        if statement.verb == "rename table" or (
                statement.verb == "alter table" and _RENAME_TO.match(statement.action)):
            yield _table(ctx, line, table, statement.name)
        elif statement.verb == "alter table" and _RENAME_COLUMN.match(statement.action):
            yield _column(ctx, line, table, statement.name, None)


def _table(ctx: RevisionContext, line: int, table: str, new: str | None) -> LintFinding:
    return ctx.finding(RENAME_TABLE, line,
                       f"renames table {table!r} to {new!r}; code still using {table!r} breaks",
                       f"table {table}")


def _column(ctx: RevisionContext, line: int, table: str, column: str | None,
            new: str | None) -> LintFinding:
    to = f" to {new!r}" if new else ""
    return ctx.finding(RENAME_COLUMN, line,
                       f"renames column {table}.{column}{to}; code still using it breaks",
                       f"column {table}.{column}")
