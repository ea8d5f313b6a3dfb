"""Partial indexes compared by autogenerate: their predicate added, changed or removed.

Alembic matches indexes by name and columns but never reads their ``WHERE`` clause
(``postgresql_where``, ``sqlite_where``). This comparator plugin runs after Alembic's own index
comparison, for every table the service's comparison keeps: for each index both sides have and
Alembic left alone, the model's predicate is compared with the database's
(:mod:`orchestrator.runtime.expression_text`: by syntax tree, on PostgreSQL as the server
deparses it); a difference is the index dropped and created again.
"""
from __future__ import annotations

from typing import Any

from alembic.operations import ops
from alembic.runtime.plugins import Plugin
from alembic.util import DispatchPriority, PriorityDispatchResult
from sqlalchemy import Index, Table

from orchestrator.runtime.expression_text import compiled, differing

PLUGIN = "orchestrate.index_predicates"
#: The dialects whose indexes may be partial, each with the option naming the predicate.
PREDICATE_DIALECTS = ("postgresql", "sqlite")


def compare_index_predicates(autogen_context: Any, modify_ops: ops.ModifyTableOps,
                             schema: str | None, table_name: str, conn_table: Table | None,
                             metadata_table: Table | None) -> PriorityDispatchResult:
    dialect = autogen_context.dialect
    if conn_table is None or metadata_table is None or dialect.name not in PREDICATE_DIALECTS:
        return PriorityDispatchResult.CONTINUE
    handled = {str(op.index_name) for op in modify_ops.ops
               if isinstance(op, (ops.CreateIndexOp, ops.DropIndexOp))}
    reflected = {str(index.name): index for index in conn_table.indexes}
    pairs = [(index, reflected[str(index.name)]) for index in metadata_table.indexes
             if index.name is not None and str(index.name) in reflected
             and str(index.name) not in handled]
    texts = [(_predicate(model, dialect), _predicate(found, dialect)) for model, found in pairs]
    both = [(index, pair) for index, pair in enumerate(texts) if None not in pair]
    changed = dict(zip((index for index, _ in both),
                       differing(autogen_context.connection, schema, table_name,
                                 [pair for _, pair in both]))) if both else {}
    for index, ((model, found), (model_text, found_text)) in enumerate(zip(pairs, texts)):
        if changed.get(index, model_text != found_text):  # one side has none: a change
            modify_ops.ops.append(ops.DropIndexOp.from_index(found))
            modify_ops.ops.append(ops.CreateIndexOp.from_index(model))
    return PriorityDispatchResult.CONTINUE


def _predicate(index: Index, dialect: Any) -> str | None:
    where = index.dialect_options[dialect.name].get("where")
    return None if where is None else compiled(where, dialect)


def setup(plugin: Plugin) -> None:
    plugin.add_autogenerate_comparator(compare_index_predicates, "table", "index_predicates",
                                       priority=DispatchPriority.LAST)


setup(Plugin(PLUGIN))
