"""Sequences compared per service (PostgreSQL): created, options changed, dropped.

Alembic compares no ``Sequence``. A service's sequences are those of its MetaData
(``sa.Sequence("numbers", metadata=metadata)``, or named by a column); it owns them, and the
ones its migrations created (:mod:`orchestrator.history.sequence_operations`), like tables.
This comparator plugin proposes ``op.create_sequence`` for a model sequence the database
lacks (before any table, so a new table's column can use it), ``op.alter_sequence`` when an
option the model states differs (an option it leaves out is compared with PostgreSQL's
default), and ``op.drop_sequence`` for an owned sequence the models no longer have (after the
tables). Sequences that belong to a column (``SERIAL``, identity) are the column's business.
"""
from __future__ import annotations

from typing import Any

from alembic.runtime.plugins import Plugin
from alembic.util import DispatchPriority, PriorityDispatchResult
from sqlalchemy import Sequence, text

from orchestrator.history.sequence_operations import (
    OPTIONS,
    AlterSequenceOp,
    CreateSequenceOp,
    DropSequenceOp,
    sequence_key,
)
from orchestrator.runtime.scope import SCOPE_OPTION, ServiceScope

PLUGIN = "orchestrate.sequences"
#: Standalone sequences: not owned by a column (``SERIAL``: deptype a, identity: i).
_STANDALONE = text(
    "SELECT s.schemaname, s.sequencename, s.start_value AS start, "
    "s.increment_by AS increment, s.min_value AS minvalue, s.max_value AS maxvalue, "
    "s.cycle, s.cache_size AS cache FROM pg_sequences s "
    "WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
    "AND d.objid = format('%I.%I', s.schemaname, s.sequencename)::regclass "
    "AND d.deptype IN ('a', 'i'))")


def compare_sequences(autogen_context: Any, upgrade_ops: Any, schemas: Any
                      ) -> PriorityDispatchResult:
    scope: ServiceScope | None = autogen_context.opts.get(SCOPE_OPTION)
    metadata = autogen_context.metadata
    if scope is None or metadata is None:
        return PriorityDispatchResult.CONTINUE
    default = autogen_context.dialect.default_schema_name

    def key(name: str, schema: str | None) -> str:
        return sequence_key(name, None if schema in (None, default) else schema)

    model = {key(s.name, s.schema): s for s in metadata._sequences.values()}
    owned = {k for k in scope.ownership.entities_of(scope.service) if k.startswith("Sequence:")}
    if not model and not owned:
        return PriorityDispatchResult.CONTINUE
    database = {key(row.sequencename, row.schemaname): row
                for row in autogen_context.connection.execute(_STANDALONE)}
    creates = [CreateSequenceOp(s.name, schema=s.schema, **_stated(s))
               for k, s in model.items() if k not in database]
    alters = []
    for k, sequence in model.items():
        row = database.get(k)
        if row is None:
            continue
        wanted = _expected(sequence)
        differs = {o: v for o, v in wanted.items() if getattr(row, o) != v}
        if differs:
            alters.append(AlterSequenceOp(sequence.name, schema=sequence.schema,
                                          existing={o: getattr(row, o) for o in differs},
                                          **differs))
    drops = [DropSequenceOp(row.sequencename, schema=_schema(row.schemaname, default),
                            **{o: getattr(row, o) for o in OPTIONS})
             for k, row in sorted(database.items()) if k in owned and k not in model]
    upgrade_ops.ops[:0] = creates
    upgrade_ops.ops.extend(alters + drops)
    return PriorityDispatchResult.CONTINUE


def _stated(sequence: Sequence) -> dict[str, Any]:
    return {o: getattr(sequence, o) for o in OPTIONS if getattr(sequence, o) is not None}


def _expected(sequence: Sequence) -> dict[str, Any]:
    """The options to compare: those stated, and PostgreSQL's defaults for increment, start,
    cycle and cache (so removing ``increment=10`` from the model is a change too)."""
    increment = sequence.increment if sequence.increment is not None else 1
    start = sequence.start
    if start is None:
        start = (sequence.minvalue if sequence.minvalue is not None else 1) if increment > 0 \
            else (sequence.maxvalue if sequence.maxvalue is not None else -1)
    expected = {"increment": increment, "start": start,
                "cycle": bool(sequence.cycle), "cache": sequence.cache or 1}
    for bound in ("minvalue", "maxvalue"):
        if getattr(sequence, bound) is not None:
            expected[bound] = getattr(sequence, bound)
    return expected


def _schema(schema: str, default: str) -> str | None:
    return None if schema == default else schema


def setup(plugin: Plugin) -> None:
    plugin.add_autogenerate_comparator(compare_sequences, "schema", qualifier="postgresql",
                                       priority=DispatchPriority.LAST)


setup(Plugin(PLUGIN))
