"""The migration lock on SQLite: an exclusive ``flock`` on ``<database>.train-lock``.

The kernel releases it when the runner's process dies, so it is never left stuck. The file
holds the holder's identity as JSON while it is held (readable without the database). The lock
counts as lost when the file is removed or replaced by another one (a second runner could then
lock the new file): the runner checks the file is still the one it locked before every step.
"""
from __future__ import annotations

import fcntl
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import true
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from orchestrator.core.errors import ConfigError
from orchestrator.core.redaction import redact
from orchestrator.runtime.database import connect, ensure_sqlite_folder
from orchestrator.runtime.lock import Holder, MigrationLock, Runner, read_identity


class SqliteMigrationLock(MigrationLock):
    def __init__(self, url: URL) -> None:
        super().__init__(url)
        if not url.database or url.database == ":memory:":
            raise ConfigError(f"a migration lock needs a database that outlives the command; "
                              f"{redact(url)} is in memory")
        self.path = Path(url.database).with_name(Path(url.database).name + ".train-lock")
        self._fd: int | None = None

    @asynccontextmanager
    async def _acquire(self, identity: Holder, wait: float,
                       how_to_wait: str) -> AsyncIterator[AsyncConnection]:
        ensure_sqlite_folder(self.url)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            async def try_lock() -> bool:
                return _flock(fd, fcntl.LOCK_EX)

            await self._wait_for(try_lock, wait, how_to_wait)
            assert identity.runner is not None and identity.since is not None
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps({
                "purpose": identity.purpose, "train": identity.train,
                "host": identity.runner.host, "pid": identity.runner.pid,
                "since": identity.since.isoformat(), "token": identity.token}).encode(), 0)
            self._fd = fd
            try:
                async with connect(self.url) as connection:
                    yield connection
            finally:
                self._fd = None
                if not self._replaced(fd):
                    os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # releases the flock (the kernel does the same if we are killed)

    def _session_id(self, connection: Connection) -> str | None:
        return None  # the lock is the process's, not a database session's

    def _held_condition(self) -> ColumnElement[bool]:
        return true()

    def _lost(self) -> str | None:
        if self._fd is None:
            return f"the lock on {self.path} was released"
        if self._replaced(self._fd):
            return (f"its lock file {self.path} was removed or replaced, so another runner may "
                    "have locked a new one")
        return None

    def _replaced(self, fd: int) -> bool:
        try:
            now, held = os.stat(self.path), os.fstat(fd)
        except FileNotFoundError:
            return True
        return (now.st_dev, now.st_ino) != (held.st_dev, held.st_ino)

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
        detail = f"lock file {self.path}"
        try:
            data = json.loads(content)
            holder = Holder(data.get("train"), Runner(data["host"], int(data["pid"])),
                            datetime.fromisoformat(data["since"]), detail,
                            purpose=data.get("purpose"), token=data.get("token"))
        except (ValueError, KeyError, TypeError):  # taken a moment ago, not written yet
            return Holder(None, None, None, detail)
        if not Path(self.url.database or "").exists():
            return holder
        async with connect(self.url) as connection:
            recorded = await connection.run_sync(read_identity)
        if recorded is not None and recorded[0].token == holder.token:
            return replace(recorded[0], detail=detail)
        return holder


def _flock(fd: int, mode: int) -> bool:
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
