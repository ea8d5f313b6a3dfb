"""Native enum types on PostgreSQL, compared per service with alembic-postgresql-enum.

alembic-postgresql-enum brings what Alembic lacks for enums: operations that create a type
before the column using it, drop it after its last column, add values
(``op.add_enum_value``) or replace the whole list (``op.sync_enum_values``: removed and
renamed values, every column cast, defaults and dependent indexes kept), with their rendering
and their reverse for ``downgrade()``. Its comparator does not fit a workspace of services,
though: it registers itself for every Alembic context of the process with one process-wide
configuration, compares every enum of the database with one MetaData (so it would drop every
other service's enum) and queries the database once per enum column.

So orchestrate keeps the library's operations, rendering and detection functions
(``create_new_enums``, ``drop_unused_enums``, ``sync_changed_enums``) and feeds them a
service's own scope, from the shared reflection: the enums its tables declare and create, and
the enums of the database that its tables use or that it alone declares; never an enum
another service creates. The library's global comparator is taken out of each orchestrate
context (its copy of the comparators), so the same comparison runs under
``orchestrate check`` and under plain ``alembic -c ... check``. Importing this module (as
:mod:`orchestrator.runtime.migration_options` does) registers the plugin, and with the library
its operations, which revisions using them need.
"""
from __future__ import annotations

from typing import Any

from alembic.runtime.plugins import Plugin
from alembic.util import DispatchPriority, PriorityDispatchResult
from alembic_postgresql_enum.add_create_type_false import add_create_type_false
from alembic_postgresql_enum.add_postgres_using_to_text import add_postgres_using_to_text
from alembic_postgresql_enum.compare_dispatch import compare_enums as _global_comparator
from alembic_postgresql_enum.detection_of_changes import (
    create_new_enums,
    drop_unused_enums,
    sync_changed_enums,
)
from alembic_postgresql_enum.get_enum_data import ColumnType, TableReference
from sqlalchemy.dialects import postgresql

from orchestrator.runtime.scope import SCOPE_OPTION, ServiceScope
from orchestrator.workspace.enum_types import EnumUse, enum_uses

PLUGIN = "orchestrate.enums"


def _without_global_comparator(autogen_context: Any, _upgrade_ops: Any) -> PriorityDispatchResult:
    """Take alembic-postgresql-enum's process-wide comparator out of this context's copy."""
    if autogen_context.opts.get(SCOPE_OPTION) is not None:
        registry = autogen_context.comparators._registry  # the context's own branch
        for key, entries in registry.items():
            registry[key] = [entry for entry in entries if entry[0] is not _global_comparator]
    return PriorityDispatchResult.CONTINUE


def compare_enums(autogen_context: Any, upgrade_ops: Any, schemas: Any) -> PriorityDispatchResult:
    """The service's enum changes, appended to ``upgrade_ops`` (PostgreSQL only)."""
    scope: ServiceScope | None = autogen_context.opts.get(SCOPE_OPTION)
    if scope is None or autogen_context.metadata is None:
        return PriorityDispatchResult.CONTINUE
    add_create_type_false(upgrade_ops)
    add_postgres_using_to_text(upgrade_ops)
    default_schema = autogen_context.dialect.default_schema_name
    uses = {name: use for name, use in enum_uses(autogen_context.metadata, scope.tables).items()
            if scope.ownership.enum_owner(name) in (None, scope.service)}
    declared_here = {name for name, use in uses.items() if use.creates}
    inspector = autogen_context.inspector
    for schema in sorted({use.schema or default_schema for use in uses.values()}
                         | {default_schema}):
        in_schema = {n: u for n, u in uses.items() if (u.schema or default_schema) == schema}
        columns = _reflected_columns(inspector, scope.tables, schema, default_schema)
        used_in_db = {column["type"].name for column in columns.values()
                      if isinstance(column["type"], postgresql.ENUM)}
        defined = {
            enum["name"]: tuple(enum["labels"])
            for enum in inspector.get_enums(schema=schema)
            if enum["name"] in declared_here or (
                enum["name"] in used_in_db
                and scope.ownership.enum_owner(enum["name"]) in (None, scope.service))
        }
        declared = {n: u.values for n, u in in_schema.items() if n in declared_here}
        references = {n: frozenset(_references(u, columns, default_schema))
                      for n, u in in_schema.items() if n in declared_here}
        create_new_enums(defined, declared, schema, upgrade_ops)
        drop_unused_enums(defined, declared, schema, upgrade_ops)
        sync_changed_enums(defined, declared, references, schema, upgrade_ops,
                           connection=autogen_context.connection)
    return PriorityDispatchResult.CONTINUE


def _reflected_columns(inspector: Any, tables: frozenset[str], schema: str,
                       default_schema: str) -> dict[tuple[str, str], dict]:
    """The database's columns of the service's tables in ``schema``, by (table, column)."""
    wanted = [key.rpartition(".")[2] for key in tables
              if (key.rpartition(".")[0] or default_schema) == schema]
    if not wanted:
        return {}
    asked = None if schema == default_schema else schema
    multi = inspector.get_multi_columns(schema=asked, filter_names=wanted)
    return {(table, column["name"]): column
            for (_, table), records in multi.items() for column in records}


def _references(use: EnumUse, columns: dict[tuple[str, str], dict],
                default_schema: str) -> list[TableReference]:
    """The columns using the enum, with the default each has in the database."""
    return [TableReference(table_schema=schema or default_schema, table_name=table,
                           column_name=column,
                           column_type=ColumnType.ARRAY if array else ColumnType.COMMON,
                           existing_server_default=columns.get((table, column), {}).get("default"))
            for schema, table, column, array in use.columns]


def setup(plugin: Plugin) -> None:
    plugin.add_autogenerate_comparator(_without_global_comparator, "autogenerate",
                                       priority=DispatchPriority.FIRST)
    plugin.add_autogenerate_comparator(compare_enums, "schema", qualifier="postgresql",
                                       priority=DispatchPriority.LAST)


setup(Plugin(PLUGIN))
