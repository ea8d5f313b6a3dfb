"""Database URLs and async engines.

The URL comes from ``--database-url``, then ``ORCHESTRATE_DATABASE_URL``, then
``[tool.orchestrate] database_url``, then the embedded SQLite file under ``.orchestrate/``.
Every engine is async; Alembic runs inside ``connection.run_sync``.

Drivers (docs/databases.md): a URL naming no driver gets the backend's default async driver
(``postgresql://`` -> asyncpg, ``sqlite://`` -> aiosqlite, ``mysql://``/``mariadb://`` ->
aiomysql). A driver the URL names is kept when it is an async driver of that backend, and
refused (exit 2, naming the async drivers to use instead) when it is not: a synchronous driver
such as ``postgresql+psycopg2`` is never silently swapped for another one.
"""
from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from orchestrator.config.settings import Settings
from orchestrator.core.errors import (
    ConfigError,
    DatabaseError,
    DatabaseMissing,
    OrchestrateError,
)
from orchestrator.core.logs import get_logger
from orchestrator.core.redaction import redact

log = get_logger()

ENV_VAR = "ORCHESTRATE_DATABASE_URL"
EMBEDDED_NAME = "orchestrate.db"

#: The driver error codes that mean "the database named by the URL does not exist": PostgreSQL's
#: SQLSTATE invalid_catalog_name, MySQL/MariaDB's ER_BAD_DB_ERROR.
_MISSING_DATABASE_SQLSTATE = "3D000"
_MISSING_DATABASE_MYSQL = 1049

#: Each backend's async drivers, the default (used when a URL names none) first.
ASYNC_DRIVERS = {
    "postgresql": ("asyncpg", "psycopg"),
    "sqlite": ("aiosqlite",),
    "mysql": ("aiomysql", "asyncmy"),
    "mariadb": ("aiomysql", "asyncmy"),
}
_BACKEND_ALIASES = {"postgres": "postgresql"}


def resolve_url(settings: Settings, explicit: str | None = None) -> URL:
    """The database URL by precedence, as an async-driver URL."""
    if explicit:
        return async_url(explicit, "--database-url")
    if os.environ.get(ENV_VAR):
        return async_url(os.environ[ENV_VAR], ENV_VAR)
    if settings.database_url:
        return async_url(settings.database_url, f"{settings.pyproject} database_url")
    return embedded_url(settings.state_dir)


def embedded_url(state_dir: Path) -> URL:
    return URL.create("sqlite+aiosqlite", database=str(state_dir / EMBEDDED_NAME))


def async_url(text: str, origin: str) -> URL:
    """``text`` as a URL with an async driver; a URL that cannot be right is exit 2, redacted."""
    try:
        url = make_url(text)
    except ArgumentError:
        raise ConfigError(  # not echoed: what a mistyped URL holds cannot be told apart
            f"{origin}: not a database URL "
            "(expected e.g. postgresql+asyncpg://user@host:5432/db or sqlite:///path.db)"
        ) from None
    except ValueError:  # SQLAlchemy reads the port with int()
        raise ConfigError(
            f"{origin}: the port of {redact(text)!r} is not a number"
        ) from None
    if url.host and "@" in url.host:
        raise ConfigError(
            f"{origin}: {redact(text)!r} has an unencoded '@' in its user name or password; "
            "percent-encode it as %40 (e.g. urllib.parse.quote(password, safe=''))"
        )
    backend = _BACKEND_ALIASES.get(url.get_backend_name(), url.get_backend_name())
    drivers = ASYNC_DRIVERS.get(backend)
    if drivers is None:
        raise ConfigError(
            f"{origin}: backend {backend!r} is not supported; use postgresql, sqlite, "
            "mysql or mariadb"
        )
    if "+" not in url.drivername:
        return url.set(drivername=f"{backend}+{drivers[0]}")
    driver = url.get_driver_name()
    if driver not in drivers:
        raise ConfigError(
            f"{origin}: {redact(url)} names the driver {driver!r}, which orchestrate cannot "
            f"use: it drives {backend} through SQLAlchemy's asyncio engine, with "
            f"{' or '.join(drivers)}. Write {backend}+{drivers[0]}://... (or {backend}://... "
            f"to let orchestrate choose {drivers[0]})"
        )
    return url.set(drivername=f"{backend}+{driver}")


#: Drivers SQLAlchemy can only use from an async engine: Alembic's config names the backend's
#: default (sync) driver instead, as an ``alembic.ini`` would.
_ASYNC_ONLY = {"asyncpg", "aiosqlite", "aiomysql", "asyncmy"}


def sync_url(url: URL) -> URL:
    """``url`` with the backend's default (sync) driver when its driver is async only."""
    if url.get_driver_name() in _ASYNC_ONLY:
        return url.set(drivername=url.get_backend_name())
    return url


def alembic_config_url(url: URL) -> str:
    """``url`` as Alembic's ``sqlalchemy.url`` holds it, for revisions that read it (e.g. to
    build an engine of their own): a sync driver, the password kept (the config is never
    shown; every output goes through ``redact``), ``%`` escaped for the ini parser."""
    return sync_url(url).render_as_string(hide_password=False).replace("%", "%%")


def describe_database(url: URL, exists: bool | None = None) -> dict[str, Any]:
    """The database as reports show it: URL (secrets hidden), dialect, whether it exists."""
    described: dict[str, Any] = {"url": redact(url), "dialect": url.get_backend_name()}
    if exists is not None:
        described["exists"] = exists
    return described


def create_engine(url: URL) -> AsyncEngine:
    """An async engine; on SQLite, one where BEGIN really starts a transaction, DDL included.

    pysqlite (and aiosqlite over it) commit implicitly before DDL, which would make a failed
    revision leave half its tables behind; taking over BEGIN gives SQLite transactional DDL.
    """
    if url.get_backend_name() == "sqlite":
        ensure_sqlite_folder(url)
    try:
        engine = create_async_engine(url, poolclass=NullPool)
    except ImportError as error:
        raise ConfigError(
            f"cannot use database URL {redact(url)}: its driver {url.get_driver_name()!r} is "
            f"not installed ({error}); install it, or name another driver of "
            f"{url.get_backend_name()}: {', '.join(ASYNC_DRIVERS[url.get_backend_name()])}"
        ) from None
    except (ArgumentError, NoSuchModuleError) as error:
        raise ConfigError(f"cannot use database URL {redact(url)}: {error}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_autocommit_driver)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


def sqlite_file_missing(url: URL) -> bool:
    """A SQLite URL whose file is not there (reading must not create it)."""
    return (url.get_backend_name() == "sqlite" and bool(url.database)
            and url.database != ":memory:" and not url.database.startswith("file:")
            and not Path(url.database).exists())


def ensure_sqlite_folder(url: URL) -> None:
    """Create the folder of a SQLite database file; a folder that cannot be is exit 3."""
    if not url.database or url.database == ":memory:":
        return
    folder = Path(url.database).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseError(
            f"cannot reach the SQLite database {redact(url)}: its folder {folder} cannot be "
            f"created ({error.strerror})"
        ) from None


def _sqlite_autocommit_driver(dbapi_connection, _record) -> None:  # noqa: ANN001
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection) -> None:  # noqa: ANN001
    if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        connection.exec_driver_sql("BEGIN")


@asynccontextmanager
async def connect(url: URL, *, read_only: bool = False) -> AsyncIterator[AsyncConnection]:
    """One connection; failure to reach the database is a DatabaseError showing the URL.

    ``read_only``: for a reader, which must never create a database. A SQLite file that is not
    there reads as what it stands for, an empty database (an in-memory one), and neither the
    file nor its folder is created.
    """
    if read_only and sqlite_file_missing(url):
        url = url.set(database=":memory:")
    engine = create_engine(url)
    try:
        try:
            connection = await engine.connect()
        except (DBAPIError, OSError) as error:
            kind = DatabaseMissing if database_missing(error) else DatabaseError
            raise kind(
                f"cannot connect to the database at {redact(url)}: {_first_line(error)}"
            ) from None
        except TypeError as error:  # a URL query parameter the driver does not take
            raise ConfigError(
                f"cannot use database URL {redact(url)}: the {url.get_driver_name()} driver "
                f"refuses its parameters: {error}"
            ) from None
        try:
            yield connection
        finally:
            await connection.close()
    finally:
        await engine.dispose()


def database_missing(error: BaseException) -> bool:
    """Whether a connection error says the database itself does not exist, read from the
    driver's error code (never from the message: "role ... does not exist" is another error)."""
    orig = getattr(error, "orig", None) or error
    for candidate in (orig, orig.__cause__):
        if candidate is None:
            continue
        if getattr(candidate, "sqlstate", None) == _MISSING_DATABASE_SQLSTATE:
            return True
        args = getattr(candidate, "args", ())
        if args and args[0] == _MISSING_DATABASE_MYSQL:
            return True
    return False


def connection_lost(error: BaseException, connection: Connection) -> bool:
    """Whether ``error`` came from the connection to the database going away."""
    return bool(getattr(error, "connection_invalidated", False)) or connection.invalidated


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__


async def server_major_version(url: URL, timeout: float = 5.0) -> int | None:
    """The major version of the PostgreSQL server at ``url``; None when ``url`` is no
    PostgreSQL URL or the server does not answer (the caller picks a default)."""
    if url.get_backend_name() != "postgresql":
        return None
    try:
        with anyio.fail_after(timeout):
            async with connect(url) as connection:
                number = (await connection.exec_driver_sql("SHOW server_version_num")).scalar()
    except (OrchestrateError, TimeoutError, DBAPIError, OSError) as error:
        log.info("the PostgreSQL server does not answer; lint assumes a version",
                 url=redact(url), error=_first_line(error))
        return None
    return int(number) // 10000
