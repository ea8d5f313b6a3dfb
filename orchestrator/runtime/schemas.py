"""Schemas besides the database's default one: which a service uses, and making them exist.

A service's tables may live in other schemas (``Table(..., schema="reporting")``, or a schema
it owns whole: ``schema =`` in its ini) and its version table in a chosen one
(``version_table_schema``). Alembic creates neither schema; orchestrate creates the ones a
service uses before applying its revisions (``CREATE SCHEMA IF NOT EXISTS``, in the step's
transaction), as Alembic creates the version table. Only PostgreSQL has schemas in this sense:
SQLite's are attached database files, which orchestrate does not manage.
"""
from __future__ import annotations

from sqlalchemy.engine import URL, Connection
from sqlalchemy.schema import CreateSchema

from orchestrator.config.service import Service
from orchestrator.core.errors import ConfigError
from orchestrator.workspace.ownership import OwnershipRegistry
from orchestrator.workspace.workspace import Workspace

#: Backends where orchestrate places tables and version tables in schemas.
SCHEMA_BACKENDS = frozenset({"postgresql"})


def service_schemas(service: Service, ownership: OwnershipRegistry) -> frozenset[str]:
    """The schemas besides the default one that hold the service's tables."""
    return frozenset({key.rpartition(".")[0] for key in ownership.tables_of(service.name)
                      if "." in key} | ownership.schemas_of(service.name))


def schemas_to_create(service: Service, ownership: OwnershipRegistry) -> list[str]:
    """What must exist before the service's revisions run: its schemas, its version table's."""
    found = set(service_schemas(service, ownership))
    if service.version_table_schema:
        found.add(service.version_table_schema)
    return sorted(found)


def create_schemas(connection: Connection, schemas: list[str]) -> None:
    """``CREATE SCHEMA IF NOT EXISTS`` each (on the connection's open transaction)."""
    if connection.dialect.name in SCHEMA_BACKENDS:
        for schema in schemas:
            connection.execute(CreateSchema(schema, if_not_exists=True))


def create_schemas_sql(url: URL, schemas: list[str]) -> str:
    """What :func:`create_schemas` does, as SQL for an offline script (``--sql``)."""
    if url.get_backend_name() not in SCHEMA_BACKENDS:
        return ""
    dialect = url.get_dialect()()
    return "".join(f"{CreateSchema(schema, if_not_exists=True).compile(dialect=dialect)};\n\n"
                   for schema in schemas)


def require_schema_support(workspace: Workspace, ownership: OwnershipRegistry,
                           url: URL) -> None:
    """Exit 2 when the workspace places tables in schemas and the database has none."""
    backend = url.get_backend_name()
    if backend in SCHEMA_BACKENDS:
        return
    users = [f"service {name!r} ({service.ini_path.name}) uses schema(s) "
             f"{', '.join(used)}"
             for name, service in sorted(workspace.services.items())
             if (used := schemas_to_create(service, ownership)
                 or (["its tenants'"] if service.per_tenant else []))]
    if workspace.settings.include_schemas:
        users.append(f"[tool.orchestrate] include_schemas names "
                     f"{', '.join(workspace.settings.include_schemas)}")
    if users:
        raise ConfigError(
            f"{'; '.join(users)}: orchestrate places tables and version tables in schemas on "
            f"PostgreSQL only, not on {backend}. Run against PostgreSQL (--database-url), or "
            "keep these tables in the default schema")
