"""Rules for databases whose DDL is not transactional (MySQL, MariaDB).

There every DDL statement commits on its own: a revision stops half-way with what ran before
the failure applied and its version not recorded (orchestrate records such a step ``partial``
and stops until a person resolves it: ``runtime.partial_steps``). One schema change per
revision keeps a failure from leaving anything half-done. Mixing DDL and DML is PF503
(``pitfalls``); this family flags several DDL statements in one revision.
"""
from __future__ import annotations

from collections.abc import Iterator

from orchestrator.lint.context import RevisionContext
from orchestrator.lint.finding import LintFinding
from orchestrator.lint.rule import MYSQL_DIALECTS, warning

SEVERAL_DDL = warning(
    "NT601", "runs several DDL statements in one revision on MySQL/MariaDB",
    "Each DDL statement commits on its own there: a failure after the first leaves the "
    "revision half-applied. Put one schema change per revision (creating new tables with their "
    "indexes counts as one: a failure then leaves only new tables to drop), or make every "
    "statement safe to run twice and declare `idempotent = True`.",
    dialects=MYSQL_DIALECTS,
)
RULES = (SEVERAL_DDL,)


def check(ctx: RevisionContext) -> Iterator[LintFinding]:
    """Changes count one per DDL statement on an existing table; creating new tables (with
    their indexes) counts as one change, however many tables: a failure there leaves only new
    tables behind."""
    existing, new = [], []
    for statement in ctx.statements:
        if statement.kind == "ddl":
            table = statement.table and ctx.canonical(statement.table)
            (new if table in ctx.created else existing).append(statement)
    changes = sorted(existing + new[:1], key=ctx.line_of)
    if len(changes) < 2:
        return
    first, second = changes[:2]
    yield ctx.finding(
        SEVERAL_DDL, ctx.line_of(second),
        f"several schema changes (line {ctx.line_of(first)}: {first.summary()}, line "
        f"{ctx.line_of(second)}: {second.summary()}); {ctx.dialect} commits each DDL "
        "statement on its own, so a failure after the first leaves this revision half-applied",
        f"table {second.table}" if second.table else None)
