"""One train runner at a time per database, with a lock that cannot stay stuck.

PostgreSQL: a session-level advisory lock taken on a dedicated connection (autocommit, so it
is never "idle in transaction"); it goes away with the session, so a runner that is killed
releases it. The session's ``application_name`` names the holder in ``pg_stat_activity``.

SQLite: an exclusive ``flock`` on ``<database file>.train-lock``, released by the kernel when
the process dies. The holder writes who it is into the file while it holds it.

A second runner polls for up to ``wait`` seconds, then gives up with :class:`TrainLocked`
naming the holder (host, pid, train, since).
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import socket
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import anyio
from sqlalchemy import text
from sqlalchemy.engine import URL

from orchestrator.core.errors import ConfigError, DatabaseError
from orchestrator.core.logs import get_logger
from orchestrator.runtime.database import connect, ensure_sqlite_folder, redact

#: The advisory lock's two int4 keys ("orch", "tran"); advisory locks are per database.
ADVISORY_KEY = (0x6F726368, 0x7472616E)
_POLL_SECONDS = 0.2
_APP_NAME = re.compile(r"^orchestrate train (?P<train>\S+) pid (?P<pid>\d+) on (?P<host>\S+)$")
log = get_logger()


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Runner:
    """Who runs a train: this host and process."""

    host: str
    pid: int

    @classmethod
    def current(cls) -> Runner:
        return cls(socket.gethostname(), os.getpid())

    def __str__(self) -> str:
        return f"pid {self.pid} on {self.host}"


@dataclass(frozen=True)
class Holder:
    """Who holds the train lock. Fields are None when the holder could not say."""

    train: str | None
    runner: Runner | None
    since: datetime | None
    detail: str | None = None

    def describe(self) -> str:
        parts = [f"train {self.train!r}" if self.train else "an unidentified train",
                 f"run by {self.runner}" if self.runner else None,
                 f"since {self.since:%Y-%m-%d %H:%M:%S %Z}" if self.since else None,
                 f"({self.detail})" if self.detail else None]
        return " ".join(p for p in parts if p)

    def to_dict(self) -> dict:
        return {"train": self.train, "runner_host": self.runner and self.runner.host,
                "runner_pid": self.runner and self.runner.pid,
                "since": self.since and self.since.isoformat(), "detail": self.detail}


class TrainLocked(DatabaseError):
    """Another runner held the train lock for longer than we were told to wait (exit 3)."""

    def __init__(self, url: URL, holder: Holder | None, waited: float) -> None:
        who = holder.describe() if holder else "a runner that could not be identified"
        super().__init__(
            f"another runner holds the train lock on {redact(url)}: {who}. Waited "
            f"{waited:g}s; pass --wait SECONDS to wait longer. (The lock dies with its "
            "runner, so it is never left stuck by a crash.)"
        )
        self.holder = holder


def train_lock(url: URL) -> TrainLock:
    """The train lock of the database at ``url``."""
    if url.get_backend_name() == "postgresql":
        return PostgresTrainLock(url)
    if url.get_backend_name() == "sqlite":
        return SqliteTrainLock(url)
    raise ConfigError(f"release trains support PostgreSQL and SQLite, not {redact(url)}")


class TrainLock(ABC):
    """The lock of one database; :meth:`hold` it to run a train, ask :meth:`holder` to look."""

    def __init__(self, url: URL) -> None:
        self.url = url

    @abstractmethod
    def hold(self, train: str, runner: Runner,
             wait: float) -> AbstractAsyncContextManager[None]:
        """Hold the lock for the ``with`` block, waiting up to ``wait`` seconds for it."""

    @abstractmethod
    async def holder(self) -> Holder | None:
        """Who holds the lock now (None: nobody), without taking it."""

    async def _acquire(self, try_lock: Callable[[], Awaitable[bool]], wait: float) -> None:
        deadline = time.monotonic() + max(wait, 0.0)
        announced = False
        while not await try_lock():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TrainLocked(self.url, await self.holder(), wait)
            if not announced:
                holder = await self.holder()
                log.warning("waiting for the train lock", holder=holder and holder.describe(),
                            wait_seconds=wait)
                announced = True
            await anyio.sleep(min(_POLL_SECONDS, remaining))


class PostgresTrainLock(TrainLock):
    @asynccontextmanager
    async def hold(self, train: str, runner: Runner, wait: float) -> AsyncIterator[None]:
        async with connect(self.url) as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(
                text("SELECT set_config('application_name', :name, false)"),
                {"name": f"orchestrate train {train} pid {runner.pid} on {runner.host}"[:63]},
            )

            async def try_lock() -> bool:
                return bool((await connection.execute(
                    text("SELECT pg_try_advisory_lock(:a, :b)"),
                    dict(zip("ab", ADVISORY_KEY)))).scalar())

            await self._acquire(try_lock, wait)
            yield  # closing the session releases the lock

    async def holder(self) -> Holder | None:
        async with connect(self.url) as connection:
            row = (await connection.execute(text(
                "SELECT a.pid, a.application_name, a.query_start, a.client_addr::text "
                "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
                "AND l.classid = :a AND l.objid = :b "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ), dict(zip("ab", ADVISORY_KEY)))).first()
        if row is None:
            return None
        backend, app_name, since, client = row
        detail = f"PostgreSQL backend {backend}" + (f" from {client}" if client else "")
        match = _APP_NAME.match(app_name or "")
        if not match:
            return Holder(None, None, since, f"{detail}, application_name {app_name!r}")
        return Holder(match["train"], Runner(match["host"], int(match["pid"])), since, detail)


class SqliteTrainLock(TrainLock):
    def __init__(self, url: URL) -> None:
        super().__init__(url)
        if not url.database or url.database == ":memory:":
            raise ConfigError(f"a release train needs a database that outlives the command; "
                              f"{redact(url)} is in memory")
        self.path = Path(url.database).with_name(Path(url.database).name + ".train-lock")

    @asynccontextmanager
    async def hold(self, train: str, runner: Runner, wait: float) -> AsyncIterator[None]:
        ensure_sqlite_folder(self.url)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            async def try_lock() -> bool:
                return _flock(fd, fcntl.LOCK_EX)

            await self._acquire(try_lock, wait)
            holder = {"train": train, "host": runner.host, "pid": runner.pid,
                      "since": now().isoformat()}
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(holder).encode(), 0)
            try:
                yield
            finally:
                os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # releases the flock (the kernel does the same if we are killed)

    async def holder(self) -> Holder | None:
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            if _flock(fd, fcntl.LOCK_SH):
                fcntl.flock(fd, fcntl.LOCK_UN)
                return None
            content = os.pread(fd, 4096, 0)
        finally:
            os.close(fd)
        try:
            data = json.loads(content)
            return Holder(data["train"], Runner(data["host"], int(data["pid"])),
                          datetime.fromisoformat(data["since"]), f"lock file {self.path}")
        except (ValueError, KeyError, TypeError):  # taken a moment ago, not written yet
            return Holder(None, None, None, f"lock file {self.path}")


def _flock(fd: int, mode: int) -> bool:
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
