"""Views, materialized views, functions, triggers, policies and extensions, compared per service
with alembic_utils (PostgreSQL).

alembic_utils brings the entities (``PGView``, ``PGMaterializedView``, ``PGFunction``,
``PGTrigger``, ``PGPolicy``, ``PGExtension``), their comparison against the database (each
local definition created in a rolled-back transaction and read back as PostgreSQL spells it,
in an order that satisfies their dependencies) and reversible operations
(``op.create_entity``, ``op.replace_entity``, ``op.drop_entity``) with their rendering. Its
comparator does not fit a workspace of services: it registers itself for every Alembic
context of the process, compares one process-wide registry of entities, and proposes dropping
every entity of the database that registry lacks (every other service's).

So orchestrate keeps the library's entities, operations and comparison steps and feeds them a
service's own scope: the entities its models declare (:mod:`orchestrator.workspace.entities`)
are created or replaced; an entity of the database is dropped only when the service owns it
(its migrations created it) and no longer declares it. The library's global comparator is
taken out of each orchestrate context, so the same comparison runs under ``orchestrate check``
and under plain ``alembic -c ... check``.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import alembic_utils
from alembic.operations import Operations, ops
from alembic.runtime.plugins import Plugin
from alembic.util import DispatchPriority, PriorityDispatchResult
from alembic_utils.depends import solve_resolution_order
from alembic_utils.experimental import collect_subclasses
from alembic_utils.replaceable_entity import (
    ReplaceableEntity,
    compare_registered_entities,
    include_entity,
)
from alembic_utils.reversible_op import DropOp
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from orchestrator.runtime.scope import SCOPE_OPTION, ServiceScope
from orchestrator.workspace.entities import declared_entities, entity_key

PLUGIN = "orchestrate.entities"
_SYSTEM_SCHEMAS = frozenset({"information_schema", "pg_catalog", "pg_toast"})


def _without_global_comparator(autogen_context: Any, _upgrade_ops: Any) -> PriorityDispatchResult:
    """Take alembic_utils' process-wide comparator out of this context's copy."""
    if autogen_context.opts.get(SCOPE_OPTION) is not None:
        registry = autogen_context.comparators._registry  # the context's own branch
        for key, entries in registry.items():
            registry[key] = [entry for entry in entries
                             if entry[0] is not compare_registered_entities]
    return PriorityDispatchResult.CONTINUE


def compare_entities(autogen_context: Any, upgrade_ops: Any, schemas: Any
                     ) -> PriorityDispatchResult:
    """The service's entity changes, appended to ``upgrade_ops`` (creates and replaces in
    dependency order, then drops, also in an order the database accepts)."""
    scope: ServiceScope | None = autogen_context.opts.get(SCOPE_OPTION)
    if scope is None or autogen_context.metadata is None:
        return PriorityDispatchResult.CONTINUE
    local = [entity for entity in declared_entities(autogen_context.metadata)
             if include_entity(entity, autogen_context, reflected=False)]
    owned = scope.ownership.entities_of(scope.service)
    if not local and not owned:
        return PriorityDispatchResult.CONTINUE
    connection = autogen_context.connection
    outer = connection.begin_nested()
    try:
        _apply_pending(autogen_context, upgrade_ops)
        operations = _entity_operations(autogen_context, local, owned)
    finally:
        outer.rollback()
    upgrade_ops.ops.extend(operations)
    return PriorityDispatchResult.CONTINUE


def _entity_operations(autogen_context: Any, local: list[Any], owned: frozenset[str]
                       ) -> list[Any]:
    """Create/replace operations for ``local`` in dependency order, then drops of the owned
    entities no longer declared (alembic_utils' steps, each in a rolled-back savepoint)."""
    connection = autogen_context.connection
    found_ops: list[Any] = []
    kept: set[str] = set()
    with _rolled_back(connection) as session:
        ordered = solve_resolution_order(session, local) if local else []
    changed: list[ReplaceableEntity] = []
    for entity in ordered:
        with _rolled_back(connection) as session:
            operation = entity.get_required_migration_op(session, dependencies=changed)
            kept.add(entity_key(entity.get_database_definition(session,
                                                               dependencies=changed)))
        kept.add(entity_key(entity))
        if operation is not None:
            found_ops.append(operation)
            changed.append(entity)
    gone = owned - kept
    if gone:  # read back from every schema (some kinds take no pattern), only when needed
        schemas = [name for name in autogen_context.inspector.get_schema_names()
                   if name not in _SYSTEM_SCHEMAS]
        with _rolled_back(connection) as session:
            drops = [DropOp(found) for kind in _kinds(gone) for schema in schemas
                     for found in kind.from_database(session, schema=schema)
                     if entity_key(found) in gone
                     and include_entity(found, autogen_context, reflected=True)]
            found_ops += _drop_order(connection, drops)
    return found_ops


def _drop_order(connection: Any, drops: list[Any]) -> list[Any]:
    """The drops in an order the database accepts (a view before the view it reads), found
    by trying them, as alembic_utils orders creations; the caller's savepoint undoes them."""
    ordered: list[Any] = []
    pending = list(drops)
    while pending:
        progressed = False
        for operation in list(pending):
            attempt = connection.begin_nested()
            try:
                connection.execute(operation.target.to_sql_statement_drop())
            except DBAPIError:
                attempt.rollback()
                continue
            attempt.commit()
            ordered.append(operation)
            pending.remove(operation)
            progressed = True
        if not progressed:  # what is left fails whatever the order: written as found
            return ordered + pending
    return ordered


def _apply_pending(autogen_context: Any, upgrade_ops: Any) -> None:
    """Run what the comparison found so far (new tables, columns, enum types) on the
    connection, inside the caller's savepoint: entities are compared against the database
    as the same revision leaves it, so a view on a table the revision creates can be read.
    When they cannot run as they are (a table dropped that an entity still uses, say), the
    entities are compared against the database as it is."""
    if upgrade_ops.is_empty():
        return
    operations = Operations(autogen_context.migration_context)
    savepoint = autogen_context.connection.begin_nested()
    try:
        for operation in _leaves(upgrade_ops):
            operations.invoke(operation)
    except DBAPIError:
        savepoint.rollback()
    else:
        savepoint.commit()


def _leaves(container: Any) -> Iterator[Any]:
    for operation in container.ops:
        if isinstance(operation, ops.OpContainer):
            yield from _leaves(operation)
        else:
            yield operation


def _kinds(identities: set[str] | frozenset[str]) -> list[type]:
    """The entity classes named by ``identities`` (``PGView: public.v`` -> PGView)."""
    names = {identity.partition(":")[0] for identity in identities}
    return [kind for kind in collect_subclasses(alembic_utils, ReplaceableEntity)
            if kind.__name__ in names]


class _rolled_back:
    """A Session on ``connection`` inside a savepoint that is always rolled back."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def __enter__(self) -> Session:
        self._savepoint = self._connection.begin_nested()
        self._session = Session(bind=self._connection)
        return self._session

    def __exit__(self, *exc: object) -> None:
        self._session.rollback()
        if self._savepoint.is_active:
            self._savepoint.rollback()


def setup(plugin: Plugin) -> None:
    plugin.add_autogenerate_comparator(_without_global_comparator, "autogenerate",
                                       priority=DispatchPriority.FIRST)
    plugin.add_autogenerate_comparator(compare_entities, "schema", qualifier="postgresql",
                                       priority=DispatchPriority.LAST)


setup(Plugin(PLUGIN))
