"""The options every Alembic context of a service is configured with, online or offline.

One function serves the env.py runner (vanilla ``alembic -c ...``) and orchestrate's own
executor and autogenerate, so both see exactly the same scope and comparisons.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData

from orchestrator.config.service import Service
from orchestrator.runtime import enum_comparison
from orchestrator.runtime.rendering import render_item
from orchestrator.runtime.scope import SCOPE_OPTION, ServiceScope
from orchestrator.runtime.server_defaults import compare_server_default
from orchestrator.workspace.ownership import OwnershipRegistry, table_key


#: Alembic's own comparisons plus orchestrate's comparator plugins.
AUTOGENERATE_PLUGINS = ["alembic.autogenerate.*", enum_comparison.PLUGIN]


def migration_options(
    service: Service, metadata: MetaData, ownership: OwnershipRegistry, dialect_name: str
) -> dict[str, Any]:
    """Keyword arguments for ``EnvironmentContext.configure`` / ``MigrationContext.configure``.

    Autogenerate sees exactly the service's own tables: new, changed and dropped ones; never
    another service's, an ignored or unowned table, nor any version table.
    """
    owned = ownership.tables_of(service.name)

    def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
        if type_ == "table":
            return table_key(name or "", parent_names.get("schema_name")) in owned
        return True

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                       compare_to: Any) -> bool:
        if type_ == "table":
            return table_key(obj.name, obj.schema) in owned
        return True

    return {
        "render_item": render_item,
        "target_metadata": metadata,
        "version_table": service.version_table,
        "include_name": include_name,
        "include_object": include_object,
        "compare_type": True,
        "compare_server_default": compare_server_default,
        "render_as_batch": dialect_name == "sqlite",
        "autogenerate_plugins": AUTOGENERATE_PLUGINS,
        SCOPE_OPTION: ServiceScope(service.name, owned, ownership),
    }
