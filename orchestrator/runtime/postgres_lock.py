"""The migration lock on PostgreSQL: a session-level advisory lock on the applying connection.

The lock is taken on the connection the steps then run on, so the lock and the step's
transaction live and die together: a terminated session cannot leave a runner applying steps
without its lock, and a session busy with steps is never ended by ``idle_session_timeout``.
Its ``application_name`` also names the holder in ``pg_stat_activity`` for DBAs (cut at 63
bytes: the identity that counts is the ``orchestrate_lock`` row, matched by backend pid).
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from orchestrator.runtime.database import connect
from orchestrator.runtime.lock import Holder, MigrationLock, read_identity

#: The advisory lock's two int4 keys ("orch", "tran"); advisory locks are per database.
ADVISORY_KEY = {"lock_a": 0x6F726368, "lock_b": 0x7472616E}
_HOLDER = text(
    "SELECT a.pid, a.application_name, a.backend_start, a.client_addr::text "
    "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
    "AND l.classid = :lock_a AND l.objid = :lock_b "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)
_HELD_HERE = text(
    "EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND objsubid = 2 AND classid = :lock_a AND objid = :lock_b AND pid = pg_backend_pid())"
)


class PostgresMigrationLock(MigrationLock):
    @asynccontextmanager
    async def _acquire(self, identity: Holder, wait: float,
                       how_to_wait: str) -> AsyncIterator[AsyncConnection]:
        async with connect(self.url) as connection:
            await connection.execute(
                text("SELECT set_config('application_name', :name, false)"),
                {"name": f"orchestrate: {identity.purpose} {identity.runner}"[:63]},
            )

            async def try_lock() -> bool:
                taken = (await connection.execute(
                    text("SELECT pg_try_advisory_lock(:lock_a, :lock_b)"), ADVISORY_KEY)).scalar()
                await connection.commit()  # never "idle in transaction" while waiting
                return bool(taken)

            await self._wait_for(try_lock, wait, how_to_wait)
            yield connection  # closing the session releases the lock

    def _session_id(self, connection: Connection) -> str | None:
        return str(connection.execute(text("SELECT pg_backend_pid()")).scalar())

    def _held_condition(self) -> ColumnElement[bool]:
        return _HELD_HERE.bindparams(**ADVISORY_KEY)  # type: ignore[return-value]

    def _lost(self) -> str | None:
        return None  # only the database knows: verify() asks it

    async def holder(self) -> Holder | None:
        async with connect(self.url) as connection:
            row = (await connection.execute(_HOLDER, ADVISORY_KEY)).first()
            if row is None:
                return None
            recorded = await connection.run_sync(read_identity)
        backend, app_name, since, client = row
        detail = f"PostgreSQL backend {backend}" + (f" from {client}" if client else "")
        if recorded is not None and recorded[1] == str(backend):
            return replace(recorded[0], detail=detail)
        # the lock was taken a moment ago and its holder is not recorded yet, or it was taken
        # by something other than orchestrate
        return Holder(None, None, since, f"{detail}, application_name {app_name!r}")
