"""The options every Alembic context of a service is configured with, online or offline.

One function serves the env.py runner (vanilla ``alembic -c ...``) and orchestrate's own
executor and autogenerate, so both see exactly the same scope and comparisons.
"""
from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import MetaData

from orchestrator.config.service import Service
from orchestrator.runtime import (
    check_comparison,
    entity_comparison,
    enum_comparison,
    identity_columns,
    index_comparison,
    sequence_comparison,
)
from orchestrator.runtime.extensions import service_extensions
from orchestrator.runtime.rendering import render_item
from orchestrator.runtime.schemas import service_schemas
from orchestrator.runtime.scope import SCOPE_OPTION, ServiceScope
from orchestrator.runtime.server_defaults import compare_server_default
from orchestrator.workspace.ownership import OwnershipRegistry, table_key

#: Alembic's own comparisons plus orchestrate's comparator plugins.
AUTOGENERATE_PLUGINS = ["alembic.autogenerate.*", enum_comparison.PLUGIN,
                        check_comparison.PLUGIN, index_comparison.PLUGIN,
                        identity_columns.PLUGIN, entity_comparison.PLUGIN,
                        sequence_comparison.PLUGIN]


def migration_options(
    service: Service, metadata: MetaData, ownership: OwnershipRegistry, dialect_name: str
) -> dict[str, Any]:
    """Keyword arguments for ``EnvironmentContext.configure`` / ``MigrationContext.configure``.

    Autogenerate sees exactly the service's own tables: new, changed and dropped ones; never
    another service's, an ignored or unowned table, nor any version table. The hooks the
    workspace declares (:mod:`orchestrator.runtime.extensions`) are chained with these.
    """
    owned = ownership.tables_of(service.name)
    extensions = service_extensions(service)
    schemas = service_schemas(service, ownership)

    def owns(table: str) -> bool:
        return table in owned or ownership.owns(service.name, table)

    def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
        if type_ == "schema" and name is not None and name not in schemas:
            return False
        if type_ == "table" and not owns(table_key(name or "", parent_names.get("schema_name"))):
            return False
        return extensions.includes(extensions.include_name, name, type_, parent_names)

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                       compare_to: Any) -> bool:
        if type_ == "table" and not owns(table_key(obj.name, obj.schema)):
            return False
        return extensions.includes(extensions.include_object, obj, name, type_, reflected,
                                   compare_to)

    def render(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
        rendered = extensions.render(type_, obj, autogen_context)
        return rendered if rendered is not False else render_item(type_, obj, autogen_context)

    return {
        "render_item": render,
        "target_metadata": metadata,
        "version_table": service.version_table,
        "version_table_schema": service.version_table_schema,
        # the schemas the service's tables live in besides the default one (include_name
        # keeps every other schema out)
        "include_schemas": bool(schemas),
        "include_name": include_name,
        "include_object": include_object,
        "compare_type": True,
        "compare_server_default": compare_server_default,
        "render_as_batch": dialect_name == "sqlite",
        "autogenerate_plugins": [*AUTOGENERATE_PLUGINS, *extensions.plugins],
        "process_revision_directives": extensions.process if (
            extensions.process_revision_directives) else None,
        SCOPE_OPTION: ServiceScope(service.name, owned, ownership),
    }

