"""Throwaway PostgreSQL databases, for benchmarks and tests: created, yielded, dropped."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
from sqlalchemy import text

from orchestrator.runtime.database import async_url, connect


@contextmanager
def throwaway_postgres(server: str, prefix: str = "orch_bench") -> Iterator[str]:
    """The URL of a new, empty database on ``server`` (a URL without a database name)."""
    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    anyio.run(_admin, server, f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        anyio.run(_admin, server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(server: str, statement: str) -> None:
    async with connect(async_url(f"{server}/postgres", "PostgreSQL server")) as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(statement))
