"""The options every Alembic context of a service is configured with, online or offline.

One function serves the env.py runner (vanilla ``alembic -c ...``) and orchestrate's own
executor and autogenerate, so both see exactly the same scope and comparisons.
"""
from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import MetaData

from orchestrator.config.service import Service
from orchestrator.runtime.server_defaults import compare_server_default
from orchestrator.workspace.ownership import OwnershipRegistry, table_key


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
        "render_item": import_custom_types,
        "target_metadata": metadata,
        "version_table": service.version_table,
        "include_name": include_name,
        "include_object": include_object,
        "compare_type": True,
        "compare_server_default": compare_server_default,
        "render_as_batch": dialect_name == "sqlite",
    }


def import_custom_types(type_: str, obj: Any, autogen_context: Any) -> Literal[False]:
    """Alembic's ``render_item`` hook: import the module of a custom column type.

    Autogenerate writes a custom type as ``shared_db.types.TenantId()`` but leaves importing
    ``shared_db.types`` to the user; the revision would fail with a NameError. The import is
    added here and the type is rendered as Alembic would (``False``: default rendering).
    """
    if type_ == "type" and autogen_context.opts.get("user_module_prefix") is None:
        module = type(obj).__module__
        if not module.startswith(("sqlalchemy.", "builtins")):
            autogen_context.imports.add(f"import {module}")
    return False
