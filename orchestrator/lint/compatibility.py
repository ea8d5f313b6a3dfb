"""Backward-incompatible rules: code deployed before the upgrade stops working after it.

During a rolling deploy the old code runs against the new schema for a while; a rename
breaks every query that still uses the old name.
"""
from __future__ import annotations

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



def check(ctx: RevisionContext) -> Iterator[LintFinding]:
    for call, table in ctx.changes_to_existing_tables():
        if call.name == "rename_table":
            yield _table(ctx, call.line, table, call.new_name)
        elif call.name == "alter_column" and call.new_name:
            yield _column(ctx, call.line, table, call.target, call.new_name)
    for statement in ctx.statements:
        table = statement.table
        if not statement.raw or table is None or ctx.is_new(table):
            continue
        line = ctx.line_of(statement)
        for clause in statement.clauses:
            if clause.kind == "rename table":
                yield _table(ctx, line, table, clause.new_name)
            elif clause.kind == "rename column":
                yield _column(ctx, line, table, clause.name, clause.new_name)


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
