"""Destructive rules: the upgrade throws data away.

Dropping what the same revision created is no loss and is not reported. Downgrades are
destructive by nature and are not checked.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from orchestrator.lint.context import RevisionContext
from orchestrator.lint.finding import LintFinding
from orchestrator.lint.rule import error

DROP_TABLE = error(
    "DS101", "drops a table",
    "Stop using the table first and drop it in a later release; when the data is really "
    "gone for good, suppress with the reason (`# orchestrate: allow DS101 -- ...`).",
)
DROP_COLUMN = error(
    "DS102", "drops a column",
    "Deploy code that no longer reads the column first, then drop it in a later release with "
    "a suppression giving the reason.",
)
DROP_SCHEMA = error(
    "DS103", "drops a schema",
    "Drop the schema's tables through their owning services' revisions; suppress only with "
    "the reason when the whole schema is really retired.",
)
DELETE_ALL = error(
    "DS104", "deletes every row of a table (TRUNCATE, DELETE without WHERE)",
    "Delete only the rows meant to go (a WHERE clause), or suppress with the reason when "
    "emptying the table is the point.",
)
RULES = (DROP_TABLE, DROP_COLUMN, DROP_SCHEMA, DELETE_ALL)

_DROP_COLUMN = re.compile(r"^DROP\s+(?:COLUMN\s+)?(?!CONSTRAINT\b)", re.IGNORECASE)
_WHERE = r"\bWHERE\b"


def check(ctx: RevisionContext) -> Iterator[LintFinding]:
    for op, table in ctx.changes_to_existing_tables():
        if op.name == "drop_table":
            yield ctx.finding(DROP_TABLE, op.line, f"drops table {table!r}", f"table {table}")
        elif op.name == "drop_column" and op.target:
            yield from _drop_column(ctx, op.line, table, op.target)
    for statement in ctx.statements:
        if not statement.raw:
            continue
        line, table = ctx.line_of(statement), statement.table
        if statement.verb == "drop table" and not ctx.is_new(table):
            yield ctx.finding(DROP_TABLE, line, f"drops table {table!r} in raw SQL",
                              f"table {table}")
        elif (statement.verb == "alter table" and table and statement.name
              and _DROP_COLUMN.match(statement.action)):
            yield from _drop_column(ctx, line, table, statement.name)
        elif statement.verb == "drop schema":
            yield ctx.finding(DROP_SCHEMA, line, f"drops schema {statement.name!r}",
                              f"schema {statement.name}")
        elif statement.verb == "truncate" or (
                statement.verb == "delete" and not statement.has(_WHERE)):
            if not ctx.is_new(table):
                yield ctx.finding(DELETE_ALL, line,
                                  f"deletes every row of table {table!r}: "
                                  f"{statement.describe()}", f"table {table}")


def _drop_column(ctx: RevisionContext, line: int, table: str, column: str
                 ) -> Iterator[LintFinding]:
    if ctx.is_new(table) or (table, column) in ctx.added_columns:
        return
    yield ctx.finding(DROP_COLUMN, line, f"drops column {table}.{column}",
                      f"column {table}.{column}")
