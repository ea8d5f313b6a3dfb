"""Backward-incompatible rules: code deployed before the upgrade stops working after it.

During a rolling deploy the old code runs against the new schema for a while; a rename
breaks every query that still uses the old name.
"""
from __future__ import annotations

from collections.abc import Iterator

from orchestrator.history.reading import Call
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
DROP_NOT_NULL = warning(
    "BC303", "drops NOT NULL from an existing column",
    "Deploy code that handles NULL in the column first (readers that assumed a value), then "
    "relax the constraint; suppress with the reason once they do.",
)
DROP_DEFAULT = warning(
    "BC304", "drops the default of an existing column",
    "Deploy code that always writes the column first (inserts that left it out now get "
    "NULL, or fail on NOT NULL), then drop the default.",
)
RULES = (RENAME_TABLE, RENAME_COLUMN, DROP_NOT_NULL, DROP_DEFAULT)



def check(ctx: RevisionContext) -> Iterator[LintFinding]:
    for call, table in ctx.changes_to_existing_tables():
        if call.name == "rename_table":
            yield _table(ctx, call.line, table, call.new_name)
        elif call.name == "alter_column":
            if call.new_name:
                yield _column(ctx, call.line, table, call.target, call.new_name)
            yield from _relaxed(ctx, call.line, table, call.target,
                                drops_not_null=call.option("nullable") is True
                                and _was_not_null(ctx, call, table),
                                drops_default=call.option("server_default") is False)
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
            elif clause.kind == "alter column":
                yield from _relaxed(ctx, line, table, clause.name,
                                    drops_not_null=clause.change == "drop not null",
                                    drops_default=clause.change == "drop default")


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


def _was_not_null(ctx: RevisionContext, call: Call, table: str) -> bool:
    """Whether the column was NOT NULL before ``call``: ``existing_nullable=`` says, else the
    service's history; unknown counts as not (``nullable=True`` may only make sure of it)."""
    existing = call.option("existing_nullable")
    if existing is not None:
        return existing is False
    return ctx.nullable_before(table, call.target or "") is False


def _relaxed(ctx: RevisionContext, line: int, table: str, column: str | None,
             drops_not_null: bool, drops_default: bool) -> Iterator[LintFinding]:
    """BC303 and BC304, for a column this revision did not add."""
    if column is None or (table, column) in ctx.added_columns:
        return
    if drops_not_null:
        yield ctx.finding(DROP_NOT_NULL, line,
                          f"drops NOT NULL from {table}.{column}; code deployed now may "
                          "rely on it holding a value", f"column {table}.{column}")
    if drops_default:
        yield ctx.finding(DROP_DEFAULT, line,
                          f"drops the default of {table}.{column}; code that inserts "
                          "without it gets NULL (or fails)", f"column {table}.{column}")
