"""Check constraints compared by autogenerate: added, dropped, and their condition changed.

Alembic compares no check constraint. This comparator plugin runs for every table a service's
comparison keeps (so it sees exactly the service's own tables, under orchestrate and under plain
``alembic -c``): a model check constraint missing from the database is
``create_check_constraint``, one the database has and the model not is ``drop_constraint``, one
whose condition reads differently (:mod:`orchestrator.runtime.expression_text`: by syntax tree,
and on PostgreSQL as the server deparses it) is dropped and created again. Constraints are
matched by name; an unnamed model constraint by its condition. A constraint the model's types
create (``Boolean``/``Enum`` with ``create_constraint=True``) counts only where the dialect
would create it.
"""
from __future__ import annotations

from typing import Any

from alembic.operations import ops
from alembic.runtime.plugins import Plugin
from alembic.util import DispatchPriority, PriorityDispatchResult
from sqlalchemy import CheckConstraint, Table
from sqlalchemy.engine import Dialect

from orchestrator.runtime.expression_text import compiled, differing, same

PLUGIN = "orchestrate.check_constraints"


def compare_check_constraints(autogen_context: Any, modify_ops: ops.ModifyTableOps,
                              schema: str | None, table_name: str, conn_table: Table | None,
                              metadata_table: Table | None) -> PriorityDispatchResult:
    if conn_table is None or metadata_table is None:  # created or dropped with its table
        return PriorityDispatchResult.CONTINUE
    dialect = autogen_context.dialect
    model = [c for c in _checks(metadata_table) if _created(c, dialect)]
    reflected = {str(c.name): c for c in _checks(conn_table) if c.name is not None}
    pairs: list[tuple[CheckConstraint, CheckConstraint]] = []
    added: list[CheckConstraint] = []
    unnamed: list[CheckConstraint] = []
    for constraint in model:
        if _named(constraint):
            match = reflected.pop(str(constraint.name), None)
            (added.append(constraint) if match is None else pairs.append((constraint, match)))
        else:
            unnamed.append(constraint)
    for constraint in unnamed:  # the database named it: find it by its condition
        text = compiled(constraint.sqltext, dialect)
        match = next((name for name, found in reflected.items()
                      if same(text, compiled(found.sqltext, dialect), dialect.name)), None)
        if match is None:
            added.append(constraint)
        else:
            del reflected[match]
    changed = differing(autogen_context.connection, schema, table_name,
                        [(compiled(m.sqltext, dialect), compiled(r.sqltext, dialect))
                         for m, r in pairs]) if pairs and autogen_context.connection else []
    for (constraint, found), differs in zip(pairs, changed):
        if differs:
            modify_ops.ops.append(ops.DropConstraintOp.from_constraint(found))
            modify_ops.ops.append(ops.CreateCheckConstraintOp.from_constraint(constraint))
    for found in reflected.values():
        modify_ops.ops.append(ops.DropConstraintOp.from_constraint(found))
    for constraint in added:
        modify_ops.ops.append(ops.CreateCheckConstraintOp.from_constraint(constraint))
    return PriorityDispatchResult.CONTINUE


def _checks(table: Table) -> list[CheckConstraint]:
    """The table's check constraints, those written on a column included."""
    found = [c for c in table.constraints if isinstance(c, CheckConstraint)]
    for column in table.columns:
        found.extend(c for c in column.constraints if isinstance(c, CheckConstraint))
    return found


def _named(constraint: CheckConstraint) -> bool:
    return isinstance(constraint.name, str) and bool(constraint.name)


def _created(constraint: CheckConstraint, dialect: Dialect) -> bool:
    """Whether the dialect creates it (a type's constraint is skipped where the type is native)."""
    rule = constraint._create_rule
    return rule is None or bool(rule(dialect.ddl_compiler(dialect, None)))


def setup(plugin: Plugin) -> None:
    plugin.add_autogenerate_comparator(compare_check_constraints, "table", "check_constraints",
                                       priority=DispatchPriority.LAST)


setup(Plugin(PLUGIN))
