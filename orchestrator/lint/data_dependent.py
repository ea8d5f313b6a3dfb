"""Data-dependent rules: the upgrade works on an empty table and fails on a real one.

They depend on rows the table holds in production, which no review of the code can see, so
they are warnings: the revision may be right when the table is known to be clean.
"""
from __future__ import annotations

from collections.abc import Iterator

from orchestrator.history.reading import Call
from orchestrator.lint.context import RevisionContext
from orchestrator.lint.finding import LintFinding
from orchestrator.lint.rule import warning

NOT_NULL_COLUMN = warning(
    "DD201", "adds a NOT NULL column without a server default to an existing table",
    "Give the column a server_default, or add it nullable, back-fill it, and set NOT NULL "
    "afterwards (in the same revision after the back-fill, or in a later one).",
)
SET_NOT_NULL = warning(
    "DD202", "sets NOT NULL on an existing column with no back-fill earlier in the revision",
    "Back-fill the NULLs first (an UPDATE earlier in the same upgrade), then alter the "
    "column to nullable=False.",
)
UNIQUE_ON_EXISTING = warning(
    "DD203", "adds a unique constraint or unique index on existing columns",
    "Check for duplicates and clean them up (in an earlier revision or a data fix) before "
    "adding the constraint.",
)
UNBATCHED_BACKFILL = warning(
    "DD204", "back-fills a whole existing table in one UPDATE",
    "Update in batches (a key range or `WHERE id IN (SELECT id ... LIMIT n)` in a loop, each "
    "batch committed), or in a revision that runs outside the release's downtime window.",
)
RULES = (NOT_NULL_COLUMN, SET_NOT_NULL, UNIQUE_ON_EXISTING, UNBATCHED_BACKFILL)


def check(ctx: RevisionContext) -> Iterator[LintFinding]:
    yield from _unbatched(ctx)
    for call, table in ctx.changes_to_existing_tables():
        if call.name == "add_column":
            yield from _not_null_column(ctx, call, table)
        elif call.name == "alter_column" and call.option("nullable") is False:
            yield from _set_not_null(ctx, call, table)
        elif call.name == "create_unique_constraint" or (
                call.name == "create_index" and call.option("unique") is True):
            yield from _unique(ctx, call, table)


def _not_null_column(ctx: RevisionContext, call: Call, table: str) -> Iterator[LintFinding]:
    for column in call.columns:
        required = not column.nullable
        if required and not column.server_default and not column.generated:
            yield ctx.finding(
                NOT_NULL_COLUMN, call.line,
                f"adds NOT NULL column {table}.{column.name} without a server default; the "
                "existing rows have no value for it", f"column {table}.{column.name}")


def _set_not_null(ctx: RevisionContext, call: Call, table: str) -> Iterator[LintFinding]:
    column = call.target
    added = ctx.added_columns.get((table, column or ""))
    if added is not None and added.server_default:
        return
    backfilled = any(s.verb == "update" and s.table and ctx.canonical(s.table) == table
                     and s.line is not None and s.line < call.line for s in ctx.statements)
    if backfilled or _unread_before(ctx, call):
        return
    yield ctx.finding(
        SET_NOT_NULL, call.line,
        f"sets {table}.{column} NOT NULL with no UPDATE of {table!r} before it in this "
        "revision; existing NULLs make it fail", f"column {table}.{column}")


def _unbatched(ctx: RevisionContext) -> Iterator[LintFinding]:
    for statement in ctx.statements:
        if statement.verb != "update" or not statement.unbatched or statement.table is None:
            continue
        table = ctx.canonical(statement.table)
        if ctx.is_new(table, statement) or ctx.ownership.is_internal(table):
            continue  # a new table has no rows; a version table has one
        reach = "every row" if not statement.where else "every row missing a value"
        yield ctx.finding(
            UNBATCHED_BACKFILL, ctx.line_of(statement),
            f"updates {reach} of existing table {table!r} in one statement: "
            f"`{statement.describe()}` locks those rows (and holds the transaction) "
            "until it ends", f"table {table}")


def _unread_before(ctx: RevisionContext, call: Call) -> bool:
    """Whether the upgrade skipped or could not render something before ``call`` when read
    offline (an online-only back-fill, a batch block): a back-fill may hide there."""
    upgrade = ctx.reading.upgrade
    if upgrade is None:
        return False
    return any(stop.line < call.line for stop in (*upgrade.skipped, *upgrade.unrendered))


def _unique(ctx: RevisionContext, call: Call, table: str) -> Iterator[LintFinding]:
    columns = next((c.columns for c in call.constraints), None) or ()
    names = list(columns)
    if names and all((table, c) in ctx.added_columns for c in names):
        return
    what = "unique index" if call.name == "create_index" else "unique constraint"
    if call.target:
        what += f" {call.target}"
    yield ctx.finding(
        UNIQUE_ON_EXISTING, call.line,
        f"adds {what} on existing {table}({', '.join(names) or '?'}); duplicates already "
        "in the table make it fail", what)
