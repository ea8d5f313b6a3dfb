"""The env runner every service's ``env.py`` calls, so vanilla ``alembic -c <ini>`` works.

``alembic -c alembic.ini.d/orders.ini upgrade head`` (or ``check``, ``--sql``, ...) loads the
service's env.py, which calls :func:`run_env`. It finds the workspace from the ini's folder,
loads every service's models (ownership needs them all), and configures Alembic with the same
options orchestrate itself uses.

The database URL: ``-x database_url=...``, then a non-empty ``sqlalchemy.url`` in the ini, then
orchestrate's own precedence (``ORCHESTRATE_DATABASE_URL``, ``[tool.orchestrate]``, embedded).

A command that writes (``upgrade``, ``downgrade``, ``stamp``) takes orchestrate's migration lock
on the connection it migrates with, like ``orchestrate upgrade``: during a train it is refused
naming the train's runner, or waits with ``-x wait=SECONDS``.
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
from orchestrator.runtime.database_lock import migration_lock
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
        if not _changes_the_database():
            async with connect(url) as connection:
                await connection.run_sync(run)
                await connection.commit()
            return
        wait = float(context.get_x_argument(as_dictionary=True).get("wait") or 0)
        lock = migration_lock(url)
        async with lock.hold(f"alembic {_command()} of service {service.name!r}", wait,
                             how_to_wait="pass -x wait=SECONDS") as held:
            await held.connection.run_sync(held.record)
            await held.connection.run_sync(run)
            await held.connection.commit()

    anyio.run(online)


#: Alembic's commands that only read the database (by the name of the function they hand
#: the environment): every other one writes, and takes the migration lock.
_READ_ONLY = {"show_current", "display_version", "_display_current_history",
              "retrieve_migrations", "nothing"}


def _command() -> str:
    function = context._proxy.context_opts.get("fn")  # what `alembic <command>` asked for
    return {"do_stamp": "stamp", "do_ensure_version": "ensure_version"}.get(
        getattr(function, "__name__", ""), getattr(function, "__name__", "migration"))


def _changes_the_database() -> bool:
    """Whether this Alembic command writes (upgrade, downgrade, stamp, ...): then, like
    orchestrate itself, it waits for or refuses another runner, naming it."""
    return _command() not in _READ_ONLY
