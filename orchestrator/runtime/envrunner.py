"""The env runner every service's ``env.py`` calls, so vanilla ``alembic -c <ini>`` works.

``alembic -c alembic.ini.d/orders.ini upgrade head`` (or ``check``, ``--sql``, ...) loads the
service's env.py, which calls :func:`run_env`. It finds the workspace from the ini's folder,
loads the service's models and the ownership registry (from the claims cache when no file
changed: :mod:`orchestrator.runtime.single_service`), and configures Alembic with the same
options orchestrate itself uses.

The database URL: ``-x database_url=...``, then a non-empty ``sqlalchemy.url`` in the ini, then
orchestrate's own precedence (``ORCHESTRATE_DATABASE_URL``, ``[tool.orchestrate]``, embedded).
The URL used is written back into the config's ``sqlalchemy.url`` when the ini leaves it empty,
for revisions that read it (``context.config.get_main_option("sqlalchemy.url")`` to build an
engine of their own); it is never printed (every message goes through ``redact``). Revisions
read ``-x`` arguments as under any env.py (``context.get_x_argument``); orchestrate itself reads
``-x database_url=URL`` and ``-x wait=SECONDS``.

A command that writes (``upgrade``, ``downgrade``, ``stamp``) takes orchestrate's migration lock
on the connection it migrates with, like ``orchestrate upgrade``: during a train it is refused
naming the train's runner, or waits with ``-x wait=SECONDS``.

**The caller's connection.** A tool or a test that hands Alembic its own connection in
``config.attributes["connection"]`` (Alembic's documented channel; pytest-alembic does it; a
``Connection`` or an ``Engine``, sync or async) is migrated on exactly that connection, and no
URL is resolved. No lock is taken on it: the caller owns that connection and its transaction
(a test's throwaway database, an application migrating at start-up), orchestrate's lock lives on
a connection orchestrate opens and commits on, and taking it would mean opening a second one
beside the caller's (on SQLite, a file lock beside a database that may only exist in the
caller's memory). Coordinating runners is then the caller's business.
"""
from __future__ import annotations

from collections.abc import Callable
from logging.config import fileConfig
from pathlib import Path

import anyio
from alembic import context
from alembic.util import CommandError
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import MissingGreenlet
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from orchestrator.config.settings import find_root
from orchestrator.core.errors import ConfigError, OrchestrateError
from orchestrator.runtime.database import alembic_config_url, async_url, connect, resolve_url
from orchestrator.runtime.database_lock import migration_lock
from orchestrator.runtime.migration_options import migration_options
from orchestrator.runtime.schemas import create_schemas, schemas_to_create
from orchestrator.runtime.search_path import set_search_path, tenant_search_path
from orchestrator.runtime.single_service import single_service
from orchestrator.runtime.tenants import check_tenant, tenant_service
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
    if service.per_tenant:
        tenant = context.get_x_argument(as_dictionary=True).get("tenant")
        if not tenant:
            raise ConfigError(f"service {name!r} is per tenant (per_tenant = true in "
                              f"{service.ini_path.name}): pass -x tenant=NAME")
        service = tenant_service(service, check_tenant(workspace, tenant))
    given = config.attributes.get("connection")
    if given is not None:
        url = _url_of(given)
    else:
        explicit = context.get_x_argument(as_dictionary=True).get("database_url") or (
            config.get_main_option("sqlalchemy.url") or None
        )
        url = async_url(explicit, str(ini)) if explicit else resolve_url(workspace.settings)
    metadata, ownership = single_service(workspace, service, url)
    if not config.get_main_option("sqlalchemy.url"):
        config.set_main_option("sqlalchemy.url", alembic_config_url(url))

    def options(dialect_name: str) -> dict:
        return migration_options(service, metadata, ownership, dialect_name)

    if context.is_offline_mode():
        context.configure(
            url=url,
            literal_binds=True,
            dialect_opts={"paramstyle": "named"},
            transaction_per_migration=True,
            **options(url.get_backend_name()),
        )
        with context.begin_transaction():
            if service.tenant:
                context.execute(set_search_path(url.get_dialect()(), service.tenant))
            context.run_migrations()
        return

    def run(connection: Connection) -> None:
        if _changes_the_database():
            create_schemas(connection, schemas_to_create(service, ownership))
        context.configure(
            connection=connection,
            transaction_per_migration=True,
            **options(connection.dialect.name),
        )
        with tenant_search_path(connection, service.tenant), context.begin_transaction():
            context.run_migrations()

    if given is not None:
        _run_on(given, run)
        return

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


_CONNECTABLES = (Connection, Engine, AsyncConnection, AsyncEngine)


def _url_of(given: object) -> URL:
    """The URL of the caller's connection or engine (its dialect decides the options)."""
    if not isinstance(given, _CONNECTABLES):
        raise ConfigError(
            f"config.attributes['connection'] is a {type(given).__name__}; orchestrate's env "
            "runner takes a SQLAlchemy Connection or Engine there (sync or async)")
    engine = given if isinstance(given, (Engine, AsyncEngine)) else given.engine
    return engine.url


def _run_on(given: Connection | Engine | AsyncConnection | AsyncEngine,
            run: Callable[[Connection], None]) -> None:
    """Migrate on what the caller handed over. A connection is used as it is: its transaction,
    if the caller began one, stays the caller's to commit (as in Alembic's cookbook); an engine
    gives one connection, committed at the end."""
    if isinstance(given, Connection):
        run(given)
    elif isinstance(given, Engine):
        with given.connect() as connection:
            run(connection)
            connection.commit()
    elif isinstance(given, AsyncEngine):
        async def migrate() -> None:
            async with given.connect() as connection:
                await connection.run_sync(run)
                await connection.commit()

        anyio.run(migrate)
    else:
        try:
            run(given.sync_connection)
        except MissingGreenlet:
            raise ConfigError(
                "config.attributes['connection'] is an AsyncConnection, but Alembic was not "
                "called from inside its run_sync(): call the Alembic command within "
                "`await connection.run_sync(...)` and hand over the sync connection it gives"
            ) from None


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
