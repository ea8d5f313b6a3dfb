"""The env runner every service's ``env.py`` calls, so vanilla ``alembic -c <ini>`` works.

``alembic -c alembic.ini.d/orders.ini upgrade head`` (or ``check``, ``--sql``, ...) loads the
service's env.py, which calls :func:`run_env`. It finds the workspace from the ini's folder,
loads every service's models (ownership needs them all), and configures Alembic with the same
options orchestrate itself uses.

The database URL: ``-x database_url=...``, then a non-empty ``sqlalchemy.url`` in the ini, then
orchestrate's own precedence (``ORCHESTRATE_DATABASE_URL``, ``[tool.orchestrate]``, embedded).
"""
from __future__ import annotations

from logging.config import fileConfig
from pathlib import Path

import anyio
from alembic import context
from alembic.util import CommandError
from sqlalchemy.engine import Connection

from orchestrator.config.settings import find_root
from orchestrator.core.errors import OrchestrateError
from orchestrator.runtime.database import async_url, connect, resolve_url
from orchestrator.runtime.migration_options import migration_options
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.workspace.workspace import Workspace


def run_env() -> None:
    """Run the migrations Alembic asked for; orchestrate's errors become Alembic's FAILED."""
    try:
        _run_env()
    except OrchestrateError as error:
        raise CommandError(error.message) from None


def _run_env() -> None:
    config = context.config
    ini = Path(config.config_file_name or ".").resolve()
    if config.config_file_name and config.file_config.has_section("formatters"):
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    workspace = Workspace.load(find_root(ini.parent))
    name = config.attributes.get("orchestrate.service") or config.get_section_option(
        "orchestrate", "service"
    ) or ini.stem
    service = workspace.service(name)
    explicit = context.get_x_argument(as_dictionary=True).get("database_url") or (
        config.get_main_option("sqlalchemy.url") or None
    )
    url = async_url(explicit, str(ini)) if explicit else resolve_url(workspace.settings)
    Orchestration(workspace, url).check_configuration()
    metadata = workspace.metadata[service.name]

    def options(dialect_name: str) -> dict:
        return migration_options(service, metadata, workspace.ownership, dialect_name)

    if context.is_offline_mode():
        context.configure(
            url=url,
            literal_binds=True,
            dialect_opts={"paramstyle": "named"},
            transaction_per_migration=True,
            **options(url.get_backend_name()),
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    def run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            transaction_per_migration=True,
            **options(connection.dialect.name),
        )
        with context.begin_transaction():
            context.run_migrations()

    async def online() -> None:
        async with connect(url) as connection:
            await connection.run_sync(run)
            await connection.commit()

    anyio.run(online)
