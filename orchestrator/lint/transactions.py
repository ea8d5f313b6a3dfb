"""PostgreSQL rules about the revision's transaction: what may not run in one, what it holds.

Alembic runs each revision in a transaction (orchestrate too, one per step); an
``autocommit_block()`` or a hand-written ``COMMIT`` ends it until the next ``BEGIN``. Each
statement of the reading knows whether it runs inside (``Statement.in_transaction``).
"""
from __future__ import annotations

from collections.abc import Iterator

import pglast

from orchestrator.history.sql import Statement
from orchestrator.lint.context import RevisionContext
from orchestrator.lint.finding import LintFinding
from orchestrator.lint.rule import error, warning

_PG = frozenset({"postgresql"})

ENUM_VALUE_IN_TRANSACTION = error(
    "PG408", "adds an enum value inside a transaction (PostgreSQL before 12)",
    "Run it outside the revision's transaction: `with op.get_context().autocommit_block(): "
    "op.execute(\"ALTER TYPE t ADD VALUE 'v'\")`; give BEFORE/AFTER when the values' order "
    "matters (comparisons and ORDER BY follow it).",
    dialects=_PG,
)
NEW_ENUM_VALUE_USED = error(
    "PG409", "uses an enum value added in the same transaction",
    "Commit the new value before using it: add it in an autocommit_block (or an earlier "
    "revision), and write the rows that use it after the block (or in a later revision).",
    dialects=_PG,
)
NO_LOCK_TIMEOUT = warning(
    "PG411", "takes an ACCESS EXCLUSIVE lock on an existing table without a lock_timeout",
    "Set one first, so a lock queued behind a long query gives up instead of blocking every "
    "query behind it: `op.execute(\"SET LOCAL lock_timeout = '5s'\")` at the start of "
    "upgrade() (or run it in a release train with `lock_timeout`, and suppress).",
    dialects=_PG,
)
CONCURRENTLY_IN_TRANSACTION = error(
    "PG413", "builds or drops an index CONCURRENTLY inside a transaction",
    "Wrap it in `with op.get_context().autocommit_block():`; PostgreSQL refuses CONCURRENTLY "
    "in a transaction block.",
    dialects=_PG,
)
RULES = (ENUM_VALUE_IN_TRANSACTION, NEW_ENUM_VALUE_USED, NO_LOCK_TIMEOUT,
         CONCURRENTLY_IN_TRANSACTION)

#: The first version that accepts ``ALTER TYPE ... ADD VALUE`` in a transaction block.
_ADD_VALUE_IN_TRANSACTION = 12
#: ``ALTER TABLE`` clauses that take a weaker lock than ACCESS EXCLUSIVE.
_WEAKER = frozenset({"validate constraint"})


def check(ctx: RevisionContext) -> Iterator[LintFinding]:
    yield from _concurrently(ctx)
    yield from _enum_values(ctx)
    yield from _lock_timeout(ctx)


def _concurrently(ctx: RevisionContext) -> Iterator[LintFinding]:
    for statement in ctx.statements:
        if statement.concurrently and statement.in_transaction:
            what = "builds" if statement.verb == "create index" else "drops"
            yield ctx.finding(
                CONCURRENTLY_IN_TRANSACTION, ctx.line_of(statement),
                f"{what} index {statement.name!r} CONCURRENTLY inside the revision's "
                "transaction: PostgreSQL refuses it", f"index {statement.name}")


def _enum_values(ctx: RevisionContext) -> Iterator[LintFinding]:
    added: dict[str, str] = {}  # value -> type, added in the open transaction
    for statement in ctx.statements:
        if not statement.in_transaction:
            added.clear()  # a COMMIT came before it
            continue
        values = [c.name for c in statement.clauses
                  if statement.verb == "alter type" and c.kind == "add value" and c.name]
        line = ctx.line_of(statement)
        for value in values:
            if ctx.pg_version < _ADD_VALUE_IN_TRANSACTION:
                yield ctx.finding(
                    ENUM_VALUE_IN_TRANSACTION, line,
                    f"adds value {value!r} to enum type {statement.name!r} inside the "
                    f"revision's transaction: PostgreSQL {ctx.pg_version} refuses it "
                    "(12 and later accept it)", f"type {statement.name}")
            added[value] = statement.name or "?"
        if added and statement.kind == "dml":
            for value in sorted(_string_literals(statement) & added.keys()):
                yield ctx.finding(
                    NEW_ENUM_VALUE_USED, line,
                    f"uses value {value!r}, added to enum type {added[value]!r} in this same "
                    "transaction: PostgreSQL refuses an uncommitted enum value",
                    f"type {added[value]}")


def _string_literals(statement: Statement) -> set[str]:
    """The string constants PostgreSQL's scanner reads in the statement."""
    found = set()
    try:
        tokens = pglast.parser.scan(statement.sql)
    except pglast.parser.ParseError:
        return found
    for token in tokens:
        if token.name == "SCONST":
            text = statement.sql[token.start:token.end + 1]
            if text.startswith("'") and text.endswith("'"):
                found.add(text[1:-1].replace("''", "'"))
    return found


def _lock_timeout(ctx: RevisionContext) -> Iterator[LintFinding]:
    for statement in ctx.statements:
        if statement.verb == "set" and (statement.name or "").lower() == "lock_timeout":
            return
        table = _locked_exclusively(ctx, statement)
        if table is not None:
            yield ctx.finding(
                NO_LOCK_TIMEOUT, ctx.line_of(statement),
                f"{statement.summary()} takes an ACCESS EXCLUSIVE lock on existing table "
                f"{table!r} with no lock_timeout set before it: queued behind a long query, "
                "it blocks every query on the table", f"table {table}")
            return


def _locked_exclusively(ctx: RevisionContext, statement: Statement) -> str | None:
    """The existing table ``statement`` locks ACCESS EXCLUSIVE, if it does."""
    if statement.verb == "drop index" and not statement.concurrently:
        call = ctx.operation_for(statement)
        table = statement.table or (ctx.table_of(call) if call else None)
    elif statement.verb == "alter table" and not all(
            c.kind in _WEAKER or (c.kind == "add constraint" and c.constraint == "foreign key")
            for c in statement.clauses):
        table = statement.table
    elif statement.verb in ("drop table", "truncate"):
        table = statement.table
    else:
        return None
    if table is None or ctx.is_new(table, statement):
        return None
    return table
