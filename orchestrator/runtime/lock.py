"""One runner per database: the lock every command that changes the schema holds.

``orchestrate upgrade``/``downgrade``, release trains (and fleets, one lock per database) and
vanilla ``alembic -c <svc>.ini upgrade``/``downgrade`` (through the env runner) all take it.

**Held where it cannot idle out, checked before every step.** Each backend takes its lock on
the very connection the steps are applied on (:attr:`HeldLock.connection`):

- PostgreSQL (``postgres_lock``): a session-level advisory lock. Ending that session
  (``pg_terminate_backend``, a network cut) ends the step's transaction with it, so a runner
  that lost its lock cannot commit anything more; and a session that is always at work is never
  ended by ``idle_session_timeout``.
- SQLite (``sqlite_lock``): an exclusive ``flock`` on ``<database>.train-lock``, released by
  the kernel when the process dies; the lock file being removed or replaced counts as lost.

Before each step, inside the step's own transaction, :meth:`HeldLock.verify` checks that this
session still holds the lock and that the identity row still names this runner (and moves its
heartbeat); otherwise the runner stops with :class:`~orchestrator.core.errors.LockLost`
(exit 3) and nothing of that step is applied. Because that check writes the identity row, a
runner that takes over after a loss waits for the old runner's step to end before it
reconciles the ledger.

**Who holds it** is recorded in the database while it is held, in ``orchestrate_lock`` beside
the run ledger (purpose, train, run, host, pid, the database session holding it, since,
heartbeat; the holder removes it when done),
not in a 63-byte ``application_name``: a runner on another host or in a container is named
exactly, and "is it still running?" is answered by whether the lock is held, never by looking
for a process id on this machine.

A backend (also ``mysql_lock``: MariaDB and MySQL's ``GET_LOCK``) implements
:meth:`MigrationLock._acquire`, ``_session_id``, ``_held_condition``, ``_lost`` and
:meth:`MigrationLock.holder`;
``database_lock.migration_lock(url)`` picks the backend's.
"""
from __future__ import annotations

import os
import socket
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import anyio
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from orchestrator.core.errors import DatabaseError, LockLost
from orchestrator.core.logs import get_logger
from orchestrator.core.redaction import redact

_POLL_SECONDS = 0.2
#: The identity row's key: one lock per database.
_ROW = "migrations"
log = get_logger()

holders = Table(
    "orchestrate_lock", MetaData(),
    Column("name", String(64), primary_key=True),
    Column("token", String(32), nullable=False),  # this hold of the lock, and no other
    Column("purpose", String(255), nullable=False),  # "train 'spring'", "orchestrate upgrade"
    Column("train", String(200)),
    Column("run_id", Integer),  # the ledger's run, for a train
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("session", String(64)),  # the database session holding the lock (PostgreSQL pid)
    Column("since", DateTime(timezone=True), nullable=False),
    Column("heartbeat_at", DateTime(timezone=True), nullable=False),
)


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Runner:
    """Who runs: this host and process."""

    host: str
    pid: int

    @classmethod
    def current(cls) -> Runner:
        return cls(socket.gethostname(), os.getpid())

    def __str__(self) -> str:
        return f"pid {self.pid} on {self.host}"


@dataclass(frozen=True)
class Holder:
    """Who holds the lock. Fields are None when the holder could not say (yet)."""

    train: str | None
    runner: Runner | None
    since: datetime | None
    detail: str | None = None
    purpose: str | None = None
    run_id: int | None = None
    heartbeat: datetime | None = None
    token: str | None = None

    def describe(self) -> str:
        what = self.purpose or (f"train {self.train!r}" if self.train else None)
        parts = [what or "an unidentified runner",
                 f"(run #{self.run_id})" if self.run_id else None,
                 f"run by {self.runner}" if self.runner else None,
                 f"since {_utc(self.since):%Y-%m-%d %H:%M:%S %Z}" if self.since else None,
                 f"last heartbeat {_utc(self.heartbeat):%H:%M:%S %Z}" if self.heartbeat
                 else None,
                 f"({self.detail})" if self.detail else None]
        return " ".join(p for p in parts if p)

    def to_dict(self) -> dict:
        return {"purpose": self.purpose, "train": self.train, "run_id": self.run_id,
                "runner_host": self.runner and self.runner.host,
                "runner_pid": self.runner and self.runner.pid,
                "since": self.since and _utc(self.since).isoformat(),
                "heartbeat": self.heartbeat and _utc(self.heartbeat).isoformat(),
                "detail": self.detail}


def _utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back naive; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class TrainLocked(DatabaseError):
    """Another runner held the lock for longer than we were told to wait (exit 3)."""

    def __init__(self, url: URL, holder: Holder | None, waited: float,
                 how_to_wait: str = "pass --wait SECONDS") -> None:
        who = holder.describe() if holder else "a runner that could not be identified"
        super().__init__(
            f"another runner holds the migration lock on {redact(url)}: {who}. Waited "
            f"{waited:g}s; {how_to_wait} to wait longer. (The lock dies with its runner, so "
            "it is never left stuck by a crash.)"
        )
        self.holder = holder


class MigrationLock(ABC):
    """The lock of one database: :meth:`hold` it to apply steps, ask :meth:`holder` to look."""

    def __init__(self, url: URL) -> None:
        self.url = url

    @asynccontextmanager
    async def hold(self, purpose: str, wait: float, *, train: str | None = None,
                   how_to_wait: str = "pass --wait SECONDS") -> AsyncIterator[HeldLock]:
        """Hold the lock for the ``with`` block, waiting up to ``wait`` seconds for it.

        Yields the :class:`HeldLock`, whose ``connection`` is the one to apply steps on. The
        holder writes nothing until it :meth:`~HeldLock.record` s itself, before its first
        write: a command that turns out to have nothing to do leaves the database untouched.
        """
        identity = Holder(train, Runner.current(), now(), purpose=purpose,
                          token=uuid.uuid4().hex)
        async with self._acquire(identity, wait, how_to_wait) as connection:
            held = HeldLock(self, connection, identity)
            try:
                yield held
            finally:
                if held.recorded:
                    await held.release()

    @abstractmethod
    def _acquire(self, identity: Holder, wait: float,
                 how_to_wait: str) -> AbstractAsyncContextManager[AsyncConnection]:
        """Take the lock (waiting up to ``wait`` seconds, then :class:`TrainLocked`) and yield
        the connection steps will be applied on; leaving the block releases the lock."""

    @abstractmethod
    async def holder(self) -> Holder | None:
        """Who holds the lock now (None: nobody), without taking it."""

    @abstractmethod
    def _session_id(self, connection: Connection) -> str | None:
        """The database's name for the session holding the lock (recorded with the holder)."""

    @abstractmethod
    def _held_condition(self) -> ColumnElement[bool]:
        """A SQL condition true only on a session that holds the lock."""

    @abstractmethod
    def _lost(self) -> str | None:
        """Why the lock is known lost without asking the database (None: not known lost)."""

    async def _wait_for(self, try_lock: Callable[[], Awaitable[bool]], wait: float,
                        how_to_wait: str) -> None:
        deadline = time.monotonic() + max(wait, 0.0)
        announced = False
        while not await try_lock():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TrainLocked(self.url, await self.holder(), wait, how_to_wait)
            if not announced:
                holder = await self.holder()
                log.warning("waiting for the migration lock",
                            holder=holder and holder.describe(), wait_seconds=wait)
                announced = True
            await anyio.sleep(min(_POLL_SECONDS, remaining))


class HeldLock:
    """The lock as held by this runner, on :attr:`connection`."""

    def __init__(self, lock: MigrationLock, connection: AsyncConnection,
                 identity: Holder) -> None:
        self.lock = lock
        self.connection = connection
        self.identity = identity
        self.recorded = False

    def record(self, connection: Connection) -> None:
        """Write who holds the lock into ``orchestrate_lock`` (replacing a gone holder's row).

        Call it on :attr:`connection` before the first write. Writing that row also waits for
        a runner that lost the lock to end the step it was in (see :meth:`verify`).
        """
        identity = self.identity
        assert identity.runner is not None
        if connection.in_transaction():  # what the caller read so far
            connection.commit()
        with connection.begin():
            holders.create(connection, checkfirst=True)
            connection.execute(delete(holders).where(holders.c.name == _ROW))
            connection.execute(insert(holders).values(
                name=_ROW, token=identity.token, purpose=identity.purpose,
                train=identity.train, host=identity.runner.host, pid=identity.runner.pid,
                session=self.lock._session_id(connection), since=identity.since,
                heartbeat_at=now()))
        self.recorded = True

    def attach_run(self, connection: Connection, run_id: int) -> None:
        """Name the ledger's run in the holder's row (inside the run's own transaction)."""
        self.identity = replace(self.identity, run_id=run_id)
        connection.execute(update(holders).where(self._mine()).values(run_id=run_id))

    def verify(self, connection: Connection) -> None:
        """Before a step, inside its transaction: still the holder? Raises :class:`LockLost`.

        Moves the heartbeat. The row lock this takes makes a runner taking over after a loss
        wait for this step's transaction to end before it records itself.
        """
        assert self.recorded, "record() the holder before its first step"
        lost = self.lock._lost()
        if lost:
            raise LockLost(lost)
        statement = (update(holders).where(self._mine(), self.lock._held_condition())
                     .values(heartbeat_at=now()))
        if connection.execute(statement).rowcount != 1:
            raise LockLost("the database no longer shows this runner as the lock's holder "
                           "(its lock session ended, or another runner took the lock over)")

    @contextmanager
    def verified_transaction(self, connection: Connection) -> Iterator[Runner]:
        """One transaction on the lock's connection, begun by checking this runner still holds
        the lock (what the caller read before is committed first). Yields the runner,
        for the ledger."""
        runner = self.identity.runner
        assert runner is not None
        if connection.in_transaction():
            connection.commit()
        with connection.begin():
            self.verify(connection)
            yield runner

    async def release(self) -> None:
        """Remove this holder's row, and the table once empty, while still holding the lock
        (only a holder writes there): a database is left as it was found, version tables
        aside. On a dead connection nothing is left to do (the lock went with it)."""
        def forget(connection: Connection) -> None:
            if connection.in_transaction():
                connection.rollback()
            with connection.begin():
                connection.execute(delete(holders).where(self._mine()))
                if connection.execute(select(holders.c.name).limit(1)).first() is None:
                    holders.drop(connection)

        try:
            await self.connection.run_sync(forget)
        except Exception as error:  # a dead session: its row names a holder that is gone
            log.debug("the lock holder's row stays behind", error=str(error).splitlines()[0])

    def _mine(self) -> ColumnElement[bool]:
        return (holders.c.name == _ROW) & (holders.c.token == self.identity.token)


def read_identity(connection: Connection) -> tuple[Holder, str | None] | None:
    """The holder's row as last written, and the session it names: that holder may be gone,
    so a backend trusts it only for the session it sees holding the lock."""
    if not inspect(connection).has_table(holders.name):
        return None
    try:
        row = connection.execute(select(holders).where(holders.c.name == _ROW)).first()
    except DBAPIError:  # its holder released the lock (and dropped the table) just now
        row = None
    if connection.in_transaction():
        connection.rollback()
    if row is None:
        return None
    return Holder(row.train, Runner(row.host, row.pid), row.since, purpose=row.purpose,
                  run_id=row.run_id, heartbeat=row.heartbeat_at, token=row.token), row.session
