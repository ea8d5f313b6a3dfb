"""Throwaway databases for tests and benchmarks: created empty, yielded, dropped.

PostgreSQL and MariaDB/MySQL servers alike: ``server`` is a URL without a database name (the
database is created on that server under a fresh name, and dropped afterwards, its sessions
ended). SQLite needs no server: ``sqlite_database`` is a file in a folder the caller owns.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio
from sqlalchemy import text
from sqlalchemy.engine import URL

from orchestrator.core.errors import ConfigError
from orchestrator.core.redaction import redact
from orchestrator.runtime.database import async_url, connect

#: Per backend: the database to connect to for administration, and the statements that
#: create and drop a database (``{name}`` is a generated, safe identifier).
_ADMIN = {
    "postgresql": ("postgres", 'CREATE DATABASE "{name}"',
                   'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'),
    "mysql": ("", "CREATE DATABASE `{name}`", "DROP DATABASE IF EXISTS `{name}`"),
    "mariadb": ("", "CREATE DATABASE `{name}`", "DROP DATABASE IF EXISTS `{name}`"),
}


@contextmanager
def throwaway_database(server: str, prefix: str = "orch_test") -> Iterator[str]:
    """The URL of a new, empty database on ``server`` (a URL without a database name)."""
    server = server.rstrip("/")
    backend = async_url(server, "server").get_backend_name()
    if backend not in _ADMIN:
        raise ConfigError(f"cannot create throwaway databases on {redact(server)}: "
                          "PostgreSQL and MariaDB/MySQL servers only (SQLite needs no server)")
    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    admin, create, drop = _ADMIN[backend]
    anyio.run(_admin, server, admin, create.format(name=name))
    try:
        yield f"{server}/{name}"
    finally:
        anyio.run(_admin, server, admin, drop.format(name=name))


def sqlite_database(folder: Path, name: str = "test.db") -> URL:
    """A SQLite database file in ``folder`` (the file itself is created on first use)."""
    return URL.create("sqlite+aiosqlite", database=str(folder / name))


async def _admin(server: str, database: str, statement: str) -> None:
    async with connect(async_url(f"{server}/{database}", "database server")) as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(statement))
