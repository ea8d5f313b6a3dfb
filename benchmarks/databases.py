"""Throwaway databases for benchmarks and tests: created, yielded, dropped.

PostgreSQL and MariaDB/MySQL servers alike: ``server`` is a URL without a database name.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
from sqlalchemy import text

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
def throwaway_database(server: str, prefix: str = "orch_bench") -> Iterator[str]:
    """The URL of a new, empty database on ``server`` (a URL without a database name)."""
    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    admin, create, drop = _ADMIN[async_url(server, "server").get_backend_name()]
    anyio.run(_admin, server, admin, create.format(name=name))
    try:
        yield f"{server}/{name}"
    finally:
        anyio.run(_admin, server, admin, drop.format(name=name))


throwaway_postgres = throwaway_database  # the name benchmarks use


async def _admin(server: str, database: str, statement: str) -> None:
    async with connect(async_url(f"{server}/{database}", "database server")) as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(statement))
