"""PostgreSQL locking rules: the upgrade holds a lock on a live table for as long as it scans
or rewrites it. Read from the rendered SQL, which is what PostgreSQL will run.

Only for ``--dialect postgresql``, and only for existing tables: a table created in the same
revision is empty and nobody uses it yet. PostgreSQL 11+ behaviour is assumed (adding a column
with a constant default does not rewrite the table).
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from orchestrator.history.sql import Clause, Statement
from orchestrator.lint.context import RevisionContext
from orchestrator.lint.finding import LintFinding
from orchestrator.lint.rule import warning

_PG = frozenset({"postgresql"})

INDEX_WITHOUT_CONCURRENTLY = warning(
    "PG401", "creates an index on an existing table without CONCURRENTLY",
    "Build it concurrently, outside the revision's transaction: "
    "`with op.get_context().autocommit_block(): op.create_index(..., "
    "postgresql_concurrently=True)`.",
    dialects=_PG,
)
DROP_INDEX_WITHOUT_CONCURRENTLY = warning(
    "PG402", "drops an index of an existing table without CONCURRENTLY",
    "`with op.get_context().autocommit_block(): op.drop_index(..., "
    "postgresql_concurrently=True)`.",
    dialects=_PG,
)
FOREIGN_KEY_VALIDATED = warning(
    "PG403", "adds a foreign key to an existing table without NOT VALID",
    "Add it with `postgresql_not_valid=True`, then validate it in a later revision: "
    "`op.execute('ALTER TABLE t VALIDATE CONSTRAINT fk_name')`.",
    dialects=_PG,
)
CHECK_VALIDATED = warning(
    "PG404", "adds a check constraint to an existing table without NOT VALID",
    "`op.create_check_constraint(..., postgresql_not_valid=True)`, then "
    "`ALTER TABLE t VALIDATE CONSTRAINT ck_name` in a later revision.",
    dialects=_PG,
)
TYPE_REWRITE = warning(
    "PG405", "changes a column type in a way that rewrites the table",
    "Prefer a change PostgreSQL does in place (longer VARCHAR, VARCHAR to TEXT, more NUMERIC "
    "precision); otherwise add a new column, back-fill it in batches and swap. Always pass "
    "`existing_type=` so lint can tell.",
    dialects=_PG,
)
VOLATILE_DEFAULT = warning(
    "PG406", "adds a column with a volatile default to an existing table",
    "Add the column without the default (or with a constant one), set the default "
    "afterwards, and back-fill existing rows in batches.",
    dialects=_PG,
)
KEY_WITHOUT_INDEX = warning(
    "PG407", "adds a primary key or unique constraint to an existing table without USING INDEX",
    "Build the unique index first, concurrently (`op.create_index(..., unique=True, "
    "postgresql_concurrently=True)` in an autocommit_block), then attach it: "
    "`ALTER TABLE t ADD CONSTRAINT uq_name UNIQUE USING INDEX ix_name` (or PRIMARY KEY USING "
    "INDEX).",
    dialects=_PG,
)
SERIAL_PRIMARY_KEY = warning(
    "PG410", "adds a SERIAL or identity primary key column to an existing table",
    "Add the column nullable without a default, fill it in batches from a sequence, build a "
    "unique index concurrently, then add the primary key USING INDEX.",
    dialects=_PG,
)
RULES = (INDEX_WITHOUT_CONCURRENTLY, DROP_INDEX_WITHOUT_CONCURRENTLY, FOREIGN_KEY_VALIDATED,
         CHECK_VALIDATED, TYPE_REWRITE, VOLATILE_DEFAULT, KEY_WITHOUT_INDEX, SERIAL_PRIMARY_KEY)

_ADD_COLUMN = re.compile(r"^ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?!CONSTRAINT\b)",
                         re.IGNORECASE)
_VOLATILE = re.compile(
    r"\bDEFAULT\b.*\b(?:random|gen_random_uuid|uuid_generate_v\w+|clock_timestamp|timeofday"
    r"|nextval)\s*\(|\b(?:SMALL|BIG)?SERIAL[248]?\b|\bGENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS"
    r"\s+IDENTITY\b|\bGENERATED\s+ALWAYS\s+AS\s*\(.*\)\s*STORED\b", re.IGNORECASE | re.DOTALL)
_TYPE = re.compile(r"^(?P<name>[A-Z][A-Z0-9_]*(?: VARYING| PRECISION)?)\s*"
                   r"(?:\((?P<args>[\d,\s]*)\))?\s*(?P<rest>.*)$")
_TEXT_TYPES = {"VARCHAR", "TEXT"}
_SERIALS = frozenset({"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"})
_KEYS = ("primary key", "unique")


def check(ctx: RevisionContext) -> Iterator[LintFinding]:
    for statement in ctx.statements:
        if statement.verb == "drop index":
            yield from _drop_index(ctx, statement)
            continue
        table = statement.table
        if table is None or ctx.is_new(table, statement):
            continue
        if statement.verb == "create index" and not statement.concurrently:
            yield ctx.finding(
                INDEX_WITHOUT_CONCURRENTLY, ctx.line_of(statement),
                f"creates index {statement.name!r} on existing table {table!r} without "
                "CONCURRENTLY: writes to the table wait until the index is built",
                f"index {statement.name}")
        elif statement.verb == "alter table":
            yield from _alter(ctx, statement, table)


def _drop_index(ctx: RevisionContext, statement: Statement) -> Iterator[LintFinding]:
    if statement.concurrently:
        return
    op = ctx.operation_for(statement)
    table = statement.table or (ctx.table_of(op) if op else None)  # PostgreSQL names none
    if ctx.is_new(table) or table in ctx.dropped:
        return
    on = f" of table {table!r}" if table else ""
    yield ctx.finding(
        DROP_INDEX_WITHOUT_CONCURRENTLY, ctx.line_of(statement),
        f"drops index {statement.name!r}{on} without CONCURRENTLY: the table is locked "
        "against reads and writes meanwhile", f"index {statement.name}")


def _alter(ctx: RevisionContext, statement: Statement, table: str) -> Iterator[LintFinding]:
    action, line = statement.action, ctx.line_of(statement)
    yield from _keys(ctx, statement, table, line)
    for clause in statement.clauses:
        if clause.kind not in ("add constraint", "add column") or clause.not_valid:
            continue
        named = (f" {clause.name!r}" if clause.kind == "add constraint" and clause.name
                 else f" on new column {clause.name!r}" if clause.kind == "add column" else "")
        if clause.constraint == "foreign key":
            yield ctx.finding(
                FOREIGN_KEY_VALIDATED, line,
                f"adds foreign key{named} to existing table {table!r} without NOT VALID: "
                "every row is checked while writes wait", f"foreign key on {table}")
        elif clause.constraint == "check":
            yield ctx.finding(
                CHECK_VALIDATED, line,
                f"adds check constraint{named} to existing table {table!r} without NOT VALID: "
                "every row is checked while writes wait", f"check constraint on {table}")
    for clause in statement.clauses:
        if clause.kind == "alter column" and clause.change == "type":
            reason = _rewrite_reason(ctx, statement, clause.using)
            if reason:
                column = clause.name
                yield ctx.finding(TYPE_REWRITE, line,
                                  f"changes type of {table}.{column}: {reason}",
                                  f"column {table}.{column}")
    added = next((c for c in statement.clauses if c.kind == "add column"), None)
    if _ADD_COLUMN.match(action) and _VOLATILE.search(action) and not (
            added and _primary_key_column(ctx, statement, added)):
        yield ctx.finding(
            VOLATILE_DEFAULT, line,
            f"adds column {statement.name!r} to existing table {table!r} with a default "
            "computed per row: the whole table is rewritten under an exclusive lock",
            f"column {table}.{statement.name}")


def _keys(ctx: RevisionContext, statement: Statement, table: str, line: int
          ) -> Iterator[LintFinding]:
    """PG407 and PG410: a key whose index is built while the table is locked."""
    for clause in statement.clauses:
        if clause.kind == "add constraint" and clause.constraint in _KEYS and (
                not clause.using_index):
            named = f" {clause.name!r}" if clause.name else ""
            yield ctx.finding(
                KEY_WITHOUT_INDEX, line,
                f"adds {clause.constraint} constraint{named} to existing table {table!r}: its "
                "index is built while reads and writes wait (ACCESS EXCLUSIVE)",
                f"{clause.constraint} on {table}")
        elif clause.kind == "add column" and _primary_key_column(ctx, statement, clause) and (
                clause.type in _SERIALS or _VOLATILE.search(statement.action)):
            yield ctx.finding(
                SERIAL_PRIMARY_KEY, line,
                f"adds primary key column {table}.{clause.name} filled from a sequence: "
                "every row is rewritten and the key's index built under ACCESS EXCLUSIVE",
                f"column {table}.{clause.name}")
        elif clause.kind == "add column" and clause.constraint in _KEYS:
            yield ctx.finding(
                KEY_WITHOUT_INDEX, line,
                f"adds column {table}.{clause.name} with an inline {clause.constraint}: its "
                "index is built while reads and writes wait (ACCESS EXCLUSIVE)",
                f"{clause.constraint} on {table}")


def _primary_key_column(ctx: RevisionContext, statement: Statement, clause: Clause) -> bool:
    """The ``ADD COLUMN`` clause adds a primary key column (inline, or ``op.add_column`` of a
    ``primary_key=True`` column, which Alembic renders without the constraint)."""
    if clause.constraint == "primary key":
        return True
    call = ctx.operation_for(statement)
    return bool(call is not None and call.name == "add_column" and any(
        c.primary_key and c.name == clause.name for c in call.columns))


def _rewrite_reason(ctx: RevisionContext, statement: Statement, using: bool) -> str | None:
    """Why the type change rewrites (or scans) the table; None when PostgreSQL does it in place."""
    if using:
        return "a USING conversion rewrites every row under an exclusive lock"
    call = ctx.operation_for(statement)
    old = call.option("existing_type") if call else None
    new = call.option("type") if call else None
    if old is None or new is None:
        return ("the old type is unknown (no existing_type=), so it may rewrite the whole "
                "table under an exclusive lock")
    if _in_place(old, new):
        return None
    return f"{old} to {new} rewrites (or re-checks) every row under an exclusive lock"


def _in_place(old: str, new: str) -> bool:
    """The binary-coercible changes PostgreSQL makes without touching rows."""
    if old == new:
        return True
    o, n = _TYPE.match(old), _TYPE.match(new)
    if o is None or n is None or o.group("rest").strip() != n.group("rest").strip():
        return False
    old_name, new_name = o.group("name").strip(), n.group("name").strip()
    old_args = [int(a) for a in (o.group("args") or "").replace(" ", "").split(",") if a]
    new_args = [int(a) for a in (n.group("args") or "").replace(" ", "").split(",") if a]
    if old_name in _TEXT_TYPES and new_name in _TEXT_TYPES:
        return not new_args or (old_name == "VARCHAR" and bool(old_args)
                                and new_args[0] >= old_args[0])
    if old_name == new_name == "NUMERIC":
        if not new_args:
            return True
        return (len(old_args) == len(new_args) == 2 and new_args[0] >= old_args[0]
                and new_args[1] == old_args[1])
    return False
