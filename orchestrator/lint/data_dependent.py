"""Data-dependent rules: the upgrade works on an empty table and fails on a real one.

They depend on rows the table holds in production, which no review of the code can see, so
they are warnings: the revision may be right when the table is known to be clean.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator

from orchestrator.history.operations import Operation, column_name, literal
from orchestrator.lint.context import RevisionContext, callee, is_false, keyword
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
RULES = (NOT_NULL_COLUMN, SET_NOT_NULL, UNIQUE_ON_EXISTING)


def check(ctx: RevisionContext) -> Iterator[LintFinding]:
    for op, table in ctx.changes_to_existing_tables():
        if op.name == "add_column":
            yield from _not_null_column(ctx, op, table)
        elif op.name == "alter_column" and is_false(op.args.get("nullable")):
            yield from _set_not_null(ctx, op, table)
        elif op.name == "create_unique_constraint" or (
                op.name == "create_index" and op.keyword("unique") is True):
            yield from _unique(ctx, op, table)


def _not_null_column(ctx: RevisionContext, op: Operation, table: str) -> Iterator[LintFinding]:
    column = op.args.get("column")
    name = column_name(column)
    if not isinstance(column, ast.Call) or name is None:
        return
    nullable = keyword(column, "nullable")
    required = is_false(nullable) or (
        nullable is None and literal(keyword(column, "primary_key")) is True)
    default = keyword(column, "server_default")
    has_default = default is not None and not (
        isinstance(default, ast.Constant) and default.value is None)
    generated = any(callee(arg) in ("Identity", "Computed") for arg in column.args)
    if required and not has_default and not generated:
        yield ctx.finding(
            NOT_NULL_COLUMN, op.line,
            f"adds NOT NULL column {table}.{name} without a server default; the existing "
            "rows have no value for it", f"column {table}.{name}")


def _set_not_null(ctx: RevisionContext, op: Operation, table: str) -> Iterator[LintFinding]:
    column = op.target
    added = ctx.added_columns.get((table, column or ""))
    if added is not None and keyword(added, "server_default") is not None:
        return
    backfilled = any(s.verb == "update" and s.table == table and s.line is not None
                     and s.line < op.line for s in ctx.statements)
    if not backfilled:
        yield ctx.finding(
            SET_NOT_NULL, op.line,
            f"sets {table}.{column} NOT NULL with no UPDATE of {table!r} before it in this "
            "revision; existing NULLs make it fail", f"column {table}.{column}")


def _unique(ctx: RevisionContext, op: Operation, table: str) -> Iterator[LintFinding]:
    columns = op.literal("columns")
    names = [c for c in columns if isinstance(c, str)] if isinstance(columns, list) else []
    if names and all((table, c) in ctx.added_columns for c in names):
        return
    what = "unique index" if op.name == "create_index" else "unique constraint"
    if op.target:
        what += f" {op.target}"
    yield ctx.finding(
        UNIQUE_ON_EXISTING, op.line,
        f"adds {what} on existing {table}({', '.join(names) or '?'}); duplicates already "
        "in the table make it fail", what)
