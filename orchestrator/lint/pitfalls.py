"""The pitfalls the autogenerate guide warns about, caught in the revision as written."""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from orchestrator.history.reading import Call, FunctionReading
from orchestrator.history.sql import Statement
from orchestrator.lint import models
from orchestrator.lint.context import RevisionContext
from orchestrator.lint.finding import LintFinding
from orchestrator.lint.interpolation import interpolated_sql
from orchestrator.lint.rule import MYSQL_DIALECTS, error, warning

IMPORTS_MODELS = error(
    "PF501", "imports ORM models or the service's models package",
    "Declare what the revision needs inside it (`sa.table('orders', sa.column('id'))`); "
    "models change over time, a revision is frozen at its schema state.",
)
RAW_DDL = warning(
    "PF502", "runs raw DDL that an op directive expresses",
    "Use the op directive (op.add_column, op.create_index, ...) so the revision is "
    "dialect-portable and readable by tools; keep op.execute for what Alembic has no "
    "directive for (functions, triggers, views, extensions, VALIDATE CONSTRAINT).",
)
MIXED_DDL_DML = error(
    "PF503", "mixes DDL and DML in one revision on MySQL/MariaDB",
    "MySQL commits every DDL statement implicitly, so a failure half-way leaves a "
    "half-migrated schema: put the data change in a revision of its own.",
    dialects=MYSQL_DIALECTS,
)
FOREIGN_KEY_FIRST = error(
    "PF504", "adds a foreign key before the create_table it targets",
    "Move the op.create_table of the referenced table above the foreign key.",
)
NO_DOWNGRADE = warning(
    "PF505", "has an empty or missing downgrade()",
    "Write the downgrade that undoes the upgrade, or make the revision explicitly "
    "irreversible: `raise NotImplementedError(\"irreversible: ...\")`.",
)
INTERPOLATED_SQL = error(
    "PF506", "builds SQL text with f-strings, % or .format instead of bound parameters",
    "Use bound parameters: `sa.text('UPDATE t SET c = :value').bindparams(value=...)`.",
)
RULES = (IMPORTS_MODELS, RAW_DDL, MIXED_DDL_DML, FOREIGN_KEY_FIRST, NO_DOWNGRADE,
         INTERPOLATED_SQL)

_DIRECTIVES: tuple[tuple[str, str, str], ...] = (
    # (verb, regex on the ALTER TABLE action or "" for any, directive)
    ("create table", "", "op.create_table"),
    ("drop table", "", "op.drop_table"),
    ("rename table", "", "op.rename_table"),
    ("create index", "", "op.create_index (postgresql_concurrently=, postgresql_where=)"),
    ("drop index", "", "op.drop_index (postgresql_concurrently=)"),
    ("comment", "", "op.create_table_comment / op.alter_column(comment=)"),
    ("alter table", r"^RENAME\s+TO\b", "op.rename_table"),
    ("alter table", r"^RENAME\b", "op.alter_column(new_column_name=)"),
    ("alter table", r"^ADD\s+(?:CONSTRAINT\s+\S+\s+)?FOREIGN\s+KEY\b",
     "op.create_foreign_key (postgresql_not_valid=True for NOT VALID)"),
    ("alter table", r"^ADD\s+(?:CONSTRAINT\s+\S+\s+)?UNIQUE\b", "op.create_unique_constraint"),
    ("alter table", r"^ADD\s+(?:CONSTRAINT\s+\S+\s+)?CHECK\b",
     "op.create_check_constraint (postgresql_not_valid=True for NOT VALID)"),
    ("alter table", r"^ADD\s+(?:CONSTRAINT\s+\S+\s+)?PRIMARY\s+KEY\b", "op.create_primary_key"),
    ("alter table", r"^ADD\s+(?:COLUMN\s+)?(?!CONSTRAINT\b|INDEX\b|KEY\b)", "op.add_column"),
    ("alter table", r"^DROP\s+CONSTRAINT\b", "op.drop_constraint"),
    ("alter table", r"^DROP\s+(?:COLUMN\s+)?(?!CONSTRAINT\b|INDEX\b|KEY\b)", "op.drop_column"),
    ("alter table", r"^(?:ALTER\s+(?:COLUMN\s+)?\S+\s+(?:SET\s+DATA\s+TYPE|TYPE|SET\s+NOT\s+NULL"
                    r"|DROP\s+NOT\s+NULL|SET\s+DEFAULT|DROP\s+DEFAULT)|MODIFY\b|CHANGE\b)",
     "op.alter_column"),
)
_SQL_CALL_TEXT = re.compile(r"\b(?:text|execute|exec_driver_sql)\s*\(")


def check(ctx: RevisionContext) -> Iterator[LintFinding]:
    yield from _model_imports(ctx)
    yield from _raw_ddl(ctx)
    if ctx.dialect in MYSQL_DIALECTS:
        yield from _mixed(ctx)
    yield from _foreign_key_order(ctx)
    yield from _downgrade(ctx)
    yield from _interpolated(ctx)


def _model_imports(ctx: RevisionContext) -> Iterator[LintFinding]:
    packages = ctx.models_packages
    if ctx.reading.failure is not None:
        return  # the module does not load (LN903): what its imports give cannot be told
    if _models_mentioned(tuple(packages)).search(ctx.source.text) is None:
        return
    for line, full in models.model_imports(ctx.source.tree, packages):
        owner = next((svc for pkg, svc in packages.items()
                      if full == pkg or full.startswith(pkg + ".")), None)
        what = f"the models package of service {owner!r}" if owner is not None else "ORM models"
        yield ctx.finding(IMPORTS_MODELS, line, f"imports {full} ({what})", f"module {full}")


@cache
def _models_mentioned(packages: tuple[str, ...]) -> re.Pattern[str]:
    """Text that must appear in a revision that imports models (a cheap pre-check)."""
    return re.compile("|".join(re.escape(p) for p in ("models", *packages)))


def _raw_ddl(ctx: RevisionContext) -> Iterator[LintFinding]:
    for statement in ctx.statements:
        if statement.raw and statement.kind == "ddl" and not any(
                c.using_index for c in statement.clauses):  # no directive takes USING INDEX
            directive = _directive(statement)
            if directive:
                yield ctx.finding(RAW_DDL, ctx.line_of(statement),
                                  f"raw DDL `{statement.describe()}`: use {directive}",
                                  f"table {statement.table}" if statement.table else None)


def _directive(statement: Statement) -> str | None:
    for verb, action, directive in _DIRECTIVES:
        if statement.verb == verb and (
                not action or re.match(action, statement.action, re.IGNORECASE)):
            return directive
    return None


def _mixed(ctx: RevisionContext) -> Iterator[LintFinding]:
    ddl = next((s for s in ctx.statements if s.kind == "ddl"), None)
    dml = next((s for s in ctx.statements if s.kind == "dml"), None)
    if ddl is None or dml is None:
        return
    ddl_line, dml_line = ctx.line_of(ddl), ctx.line_of(dml)
    yield ctx.finding(
        MIXED_DDL_DML, max(ddl_line, dml_line),
        f"mixes DDL (line {ddl_line}: {ddl.summary()}) and DML (line {dml_line}: "
        f"{dml.summary()}); {ctx.dialect} has no transactional DDL",
        f"table {dml.table}" if dml.table else None)


def _foreign_key_order(ctx: RevisionContext) -> Iterator[LintFinding]:
    created: dict[str, int] = {}
    for call in ctx.upgrade:
        table = ctx.table_of(call)
        if call.name == "create_table" and table and table not in created:
            created[table] = call.line
    if not created:
        return
    for call in ctx.upgrade:
        targets = _referenced(call)
        if call.name == "create_table":
            targets.discard(ctx.table_of(call))  # a self-reference is created with the table
        for target in sorted(targets):
            if target in created and created[target] > call.line:
                yield ctx.finding(
                    FOREIGN_KEY_FIRST, call.line,
                    f"{call.name} refers to table {target!r}, which this revision only creates "
                    f"at line {created[target]}", f"table {target}")


def _referenced(call: Call) -> set[str]:
    """Tables a foreign key in ``call`` points at (and, for create_foreign_key, its source)."""
    found: set[str] = set()
    if call.name == "create_foreign_key":
        referent = call.option("referent_table")
        if referent:
            found.add(referent)
        if call.table:
            found.add(f"{call.schema}.{call.table}" if call.schema else call.table)
        return found
    # a use_alter foreign key is never created inline: it cannot come too early
    references = [ref for c in call.columns if not c.use_alter for ref in c.references]
    references += [ref for c in call.constraints if c.kind == "foreign key" and not c.use_alter
                   for ref in c.references]
    for ref in references:
        if "." in ref:
            found.add(ref.rsplit(".", 1)[0])
    return found


def _downgrade(ctx: RevisionContext) -> Iterator[LintFinding]:
    upgrade, downgrade = ctx.reading.upgrade, ctx.reading.downgrade
    if upgrade is None or upgrade.empty:
        return  # a merge or no-op revision has nothing to undo
    if upgrade.complete and not _changes_schema(upgrade):
        return  # a data fix (UPDATE, INSERT): an empty downgrade is its usual, honest shape
    if downgrade is None:
        yield ctx.finding(NO_DOWNGRADE, upgrade.line,
                          "has no downgrade(): it cannot be rolled back", "downgrade()")
    elif downgrade.empty:
        yield ctx.finding(NO_DOWNGRADE, downgrade.line,
                          "downgrade() does nothing although upgrade() changes the schema",
                          "downgrade()")


_DATA_CALLS = frozenset({"execute", "connection", "bulk_insert"})


def _changes_schema(upgrade: FunctionReading) -> bool:
    """Whether the upgrade changes the schema: an op directive, or DDL in what it runs."""
    return any(call.name not in _DATA_CALLS for call in upgrade.calls) or any(
        statement.kind == "ddl" for statement in upgrade.sql())


def _interpolated(ctx: RevisionContext) -> Iterator[LintFinding]:
    if _SQL_CALL_TEXT.search(ctx.source.text) is None:
        return
    for node, name, how in interpolated_sql(ctx.source.tree):
        yield ctx.finding(INTERPOLATED_SQL, node.lineno,
                          f"{name}() gets SQL built with {how} of values that are not "
                          "constants; values belong in bound parameters", f"{name}()")
