"""What the database says: each service's applied heads and the tables that exist."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import column, inspect, literal, select, table, union_all
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError

from orchestrator.config.service import Service
from orchestrator.core.errors import DatabaseError, DatabaseMissing
from orchestrator.core.redaction import redact
from orchestrator.runtime.database import connect


def sqlite_file_missing(url: URL) -> bool:
    """A SQLite URL whose file is not there (reading must not create it)."""
    return (url.get_backend_name() == "sqlite" and bool(url.database)
            and url.database != ":memory:" and not url.database.startswith("file:")
            and not Path(url.database).exists())


@dataclass
class DatabaseState:
    """Applied heads per service (empty list: nothing applied) and the table names present."""

    heads: dict[str, list[str]] = field(default_factory=dict)
    tables: list[str] = field(default_factory=list)
    exists: bool = True

    def heads_of(self, service: str) -> list[str]:
        return self.heads.get(service, [])


def read_state_sync(connection: Connection, services: Iterable[Service]) -> DatabaseState:
    """Read every service's version table in one round trip (for use inside ``run_sync``)."""
    services = list(services)
    tables = inspect(connection).get_table_names()
    present = set(tables)
    state = DatabaseState(heads={s.name: [] for s in services}, tables=sorted(tables))
    # the service name is a bound parameter and the table a quoted identifier: nothing of
    # the workspace's configuration is ever spliced into SQL text
    selects = [
        select(literal(s.name).label("service"),
               table(s.version_table, column("version_num")).c.version_num)
        for s in services if s.version_table in present
    ]
    if selects:
        rows = connection.execute(union_all(*selects)).all()
        for service, version in rows:
            state.heads[service].append(version)
        for heads in state.heads.values():
            heads.sort()
    return state


async def read_state(url: URL, services: Iterable[Service]) -> DatabaseState:
    """The database's state; a database that does not exist yet reads as empty.

    "Does not exist" is only what the driver's error code says (``DatabaseMissing``) or, on
    SQLite, a file that is not there (never created by reading); a wrong role, password or
    host is a :class:`DatabaseError` (exit 3).
    """
    services = list(services)
    if sqlite_file_missing(url):
        return DatabaseState(heads={s.name: [] for s in services}, exists=False)
    try:
        async with connect(url) as connection:
            return await connection.run_sync(read_state_sync, services)
    except DatabaseMissing:
        return DatabaseState(heads={s.name: [] for s in services}, exists=False)
    except DBAPIError as error:
        raise DatabaseError(f"reading {redact(url)} failed: {error.orig}") from None
