"""The migration lock on MySQL and MariaDB: ``GET_LOCK`` on the applying connection.

``GET_LOCK`` is a session-level named lock: it survives the step's commits (and the implicit
commit every DDL statement makes on MySQL), and the server releases it when the session ends,
so the lock and the connection applying the steps live and die together, as PostgreSQL's
advisory lock does. Lock names are global to the server, not to one database, so the name
carries the database's own name (hashed when too long for the 64 characters a name may hold).
``IS_USED_LOCK`` tells which session holds it: the ``orchestrate_lock`` row names the holder,
matched by ``CONNECTION_ID()``.
"""
from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from sqlalchemy import func, literal, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from orchestrator.runtime.database import connect
from orchestrator.runtime.lock import Holder, MigrationLock, read_identity

_PREFIX = "orchestrate.migrations."
_NAME_LIMIT = 64  # what GET_LOCK accepts on MySQL 5.7+ (MariaDB takes more)


def lock_name(database: str) -> str:
    """The server-wide name of the migration lock of ``database``."""
    name = _PREFIX + database
    if len(name) <= _NAME_LIMIT:
        return name
    return _PREFIX + hashlib.sha256(database.encode()).hexdigest()[: _NAME_LIMIT - len(_PREFIX)]


class MySQLMigrationLock(MigrationLock):
    def __init__(self, url: URL) -> None:
        super().__init__(url)
        self.name = lock_name(url.database or "")

    @asynccontextmanager
    async def _acquire(self, identity: Holder, wait: float,
                       how_to_wait: str) -> AsyncIterator[AsyncConnection]:
        async with connect(self.url) as connection:
            async def try_lock() -> bool:
                taken = (await connection.execute(
                    text("SELECT GET_LOCK(:name, 0)"), {"name": self.name})).scalar()
                await connection.commit()
                return taken == 1

            await self._wait_for(try_lock, wait, how_to_wait)
            yield connection  # closing the session releases the lock

    def _session_id(self, connection: Connection) -> str | None:
        return str(connection.execute(text("SELECT CONNECTION_ID()")).scalar())

    def _held_condition(self) -> ColumnElement[bool]:
        return func.IS_USED_LOCK(literal(self.name)) == func.CONNECTION_ID()

    def _lost(self) -> str | None:
        return None  # only the server knows: verify() asks it

    async def holder(self) -> Holder | None:
        async with connect(self.url) as connection:
            row = (await connection.execute(text(
                "SELECT p.ID, p.USER, p.HOST, p.TIME FROM information_schema.PROCESSLIST p "
                "WHERE p.ID = IS_USED_LOCK(:name)"), {"name": self.name})).first()
            if row is None:
                await connection.rollback()
                return None
            recorded = await connection.run_sync(read_identity)
        session, user, host, seconds = row
        detail = f"{self.url.get_backend_name()} connection {session} of {user}@{host}"
        if recorded is not None and recorded[1] == str(session):
            return replace(recorded[0], detail=detail)
        # taken a moment ago and not recorded yet, or taken by something other than orchestrate
        return Holder(None, None, None, f"{detail}, connected for {seconds}s")
