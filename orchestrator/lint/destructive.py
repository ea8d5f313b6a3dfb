"""Destructive rules: the upgrade throws data away.

Dropping what the same revision created is no loss and is not reported. Downgrades are
destructive by nature and are not checked.
"""
from __future__ import annotations

from collections.abc import Iterator

from orchestrator.history.reading import Call
from orchestrator.history.sql import Statement
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
DROP_OBJECT = error(
    "DS105", "drops a type, function or sequence",
    "Drop it only once nothing uses it (no column, default, trigger or view; no deployed "
    "code calling it), in a later release than the change that stopped using it; suppress "
    "with the reason.",
)
RULES = (DROP_TABLE, DROP_COLUMN, DROP_SCHEMA, DELETE_ALL, DROP_OBJECT)

_OBJECT_DROPS = {"drop type": "type", "drop function": "function", "drop sequence": "sequence"}



def check(ctx: RevisionContext) -> Iterator[LintFinding]:
    for call, table in ctx.changes_to_existing_tables():
        if call.name == "drop_table":
            yield ctx.finding(DROP_TABLE, call.line, f"drops table {table!r}", f"table {table}")
        elif call.name == "drop_column" and call.target:
            yield from _drop_column(ctx, call.line, table, call.target, call)
    for statement in ctx.statements:
        line, table = ctx.line_of(statement), statement.table
        if statement.verb in _OBJECT_DROPS:  # whoever renders it (op.execute, a plugin, .drop())
            yield from _drop_objects(ctx, statement, line)
            continue
        if not statement.raw:
            continue
        if statement.verb == "drop table":
            for dropped in statement.tables:
                if not ctx.is_new(dropped, statement):
                    yield ctx.finding(DROP_TABLE, line, f"drops table {dropped!r} in raw SQL",
                                      f"table {dropped}")
        elif statement.verb == "alter table" and table:
            for clause in statement.clauses:
                if clause.kind == "drop column" and clause.name:
                    yield from _drop_column(ctx, line, table, clause.name, statement)
        elif statement.verb == "drop schema":
            yield ctx.finding(DROP_SCHEMA, line, f"drops schema {statement.name!r}",
                              f"schema {statement.name}")
        elif statement.verb == "truncate" or (statement.verb == "delete" and not statement.where):
            if not ctx.is_new(table, statement):
                yield ctx.finding(DELETE_ALL, line,
                                  f"deletes every row of table {table!r}: "
                                  f"{statement.describe()}", f"table {table}")


def _drop_column(ctx: RevisionContext, line: int, table: str, column: str,
                 at: Call | Statement) -> Iterator[LintFinding]:
    if ctx.is_new(table, at) or (table, column) in ctx.added_columns:
        return
    yield ctx.finding(DROP_COLUMN, line, f"drops column {table}.{column}",
                      f"column {table}.{column}")


def _drop_objects(ctx: RevisionContext, statement: Statement, line: int
                  ) -> Iterator[LintFinding]:
    """DS105, unless this revision created the object or renamed another to its name (a
    type re-created with new values: renamed to ``x_old``, dropped once the columns moved),
    or moved columns off it (enums stored as strings; ids that no longer use a sequence)."""
    kind = _OBJECT_DROPS[statement.verb]
    made = _made_here(ctx)
    for name in statement.tables:
        if _bare(name).lower() in made:
            continue
        yield ctx.finding(DROP_OBJECT, line, f"drops {kind} {name!r}", f"{kind} {name}")


def _made_here(ctx: RevisionContext) -> frozenset[str]:
    """Types, functions and sequences this revision's upgrade creates or renames to, and the
    types it moves columns off (``alter_column(existing_type=ENUM(name=...), type_=...)``)."""
    names = {str(call.option("existing_type")).lower() for call in ctx.upgrade
             if call.name == "alter_column" and call.option("type") and call.option(
                 "existing_type")}
    # a SERIAL column's sequence (PostgreSQL names it table_column_seq) whose default the
    # revision drops: the column no longer draws from it
    names |= {f"{call.table}_{call.target}_seq".lower() for call in ctx.upgrade
              if call.name == "alter_column" and call.option("server_default") is False}
    for statement in ctx.statements:
        if statement.verb in ("create type", "create function", "create sequence") and (
                statement.name):
            names.add(_bare(statement.name).lower())
        for clause in statement.clauses:
            if clause.kind.startswith("rename ") and clause.new_name:
                names.add(_bare(clause.new_name).lower())
    return frozenset(names)


def _bare(name: str) -> str:
    return name.rpartition(".")[2]
