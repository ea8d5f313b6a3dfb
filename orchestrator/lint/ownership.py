"""Ownership rules: a revision changes only its own service's tables.

A table is the service's own when the ownership registry gives it to the service, or when no
service owns it and the service's own revisions create it somewhere in its history (so the
revision that drops a table the models no longer have is still the service's business).
Referring to another service's table (a foreign key to it) is not touching it.
"""
from __future__ import annotations

from collections.abc import Iterator

from orchestrator.lint.context import RevisionContext
from orchestrator.lint.finding import LintFinding
from orchestrator.lint.rule import error
from orchestrator.workspace.ownership import Ownership

TOUCHES_OTHERS = error(
    "OW101", "changes a table another service owns",
    "Make the change in a revision of the owning service; if this service needs it first, "
    "name that revision in `requires`.",
)
CREATES_OTHERS = error(
    "OW102", "creates a table another service owns",
    "Remove the create_table: the owning service creates its tables. When a table really "
    "moves between services, suppress this in the old revision with the reason.",
)
TOUCHES_UNOWNED = error(
    "OW103", "changes a table no service owns",
    "Claim the table in this service's models (or `tables =` in its ini); leave ignored "
    "third-party tables and version tables alone.",
)
RULES = (TOUCHES_OTHERS, CREATES_OTHERS, TOUCHES_UNOWNED)

_VERBS = {
    "create_table": "creates", "drop_table": "drops", "rename_table": "renames",
    "add_column": "adds a column to", "drop_column": "drops a column of",
    "alter_column": "alters a column of", "create_index": "creates an index on",
    "drop_index": "drops an index of", "create_foreign_key": "adds a foreign key to",
    "create_unique_constraint": "adds a unique constraint to",
    "create_check_constraint": "adds a check constraint to",
    "create_primary_key": "adds a primary key to", "drop_constraint": "drops a constraint of",
    "bulk_insert": "inserts rows into", "create_table_comment": "comments on",
    "drop_table_comment": "drops the comment of", "create table": "creates",
    "drop table": "drops", "alter table": "alters", "insert": "inserts rows into",
    "update": "updates rows of", "delete": "deletes rows of", "truncate": "truncates",
    "create index": "creates an index on", "drop index": "drops an index of",
    "rename table": "renames", "comment": "comments on",
}


def check(ctx: RevisionContext) -> Iterator[LintFinding]:
    seen: set[tuple[str, int]] = set()
    calls = [c for function in ctx.reading.functions() for c in function.calls]
    sites = [(ctx.table_of(c), c.line, c.name) for c in calls]
    sites += [(ctx.canonical(s.table), ctx.line_of(s), s.verb)
              for s in ctx.statements if s.raw and s.table]
    for table, line, action in sites:
        if table is None or (table, line) in seen:
            continue
        seen.add((table, line))
        finding = _judge(ctx, table, line, action)
        if finding is not None:
            yield finding


def _judge(ctx: RevisionContext, table: str, line: int, action: str) -> LintFinding | None:
    owner = ctx.ownership.owner(table)
    verb = _VERBS.get(action, "changes")
    obj = f"table {table}"
    if action in ("create_table", "create table"):
        if owner is not None and owner != ctx.service:
            return ctx.finding(CREATES_OTHERS, line,
                               f"creates table {table!r}, which service {owner!r} owns", obj)
        return None
    if owner == ctx.service or (owner is None and table in ctx.own_history_tables):
        return None
    if owner is not None:
        return ctx.finding(TOUCHES_OTHERS, line,
                           f"{verb} table {table!r}, which service {owner!r} owns", obj)
    why = {
        Ownership.INTERNAL: "an Alembic/orchestrate version table",
        Ownership.IGNORED: "ignored by [tool.orchestrate] ignore",
    }.get(ctx.ownership.classify(table), "owned by no service: no models claim it and no "
          f"revision of {ctx.service!r} creates it")
    return ctx.finding(TOUCHES_UNOWNED, line, f"{verb} table {table!r}, {why}", obj)
