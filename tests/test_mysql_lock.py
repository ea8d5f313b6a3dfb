"""The migration lock on MariaDB/MySQL (``GET_LOCK`` on the applying connection): one holder per
database, named; two databases of one server do not share it; a killed session loses it and
the runner finds out before its next step."""
from __future__ import annotations

import anyio
import pytest
from conftest import throwaway
from sqlalchemy import text

from orchestrator.core.errors import LockLost
from orchestrator.runtime.database import async_url, connect
from orchestrator.runtime.database_lock import migration_lock
from orchestrator.runtime.lock import TrainLocked
from orchestrator.runtime.mysql_lock import MySQLMigrationLock, lock_name

pytestmark = pytest.mark.mariadb


@pytest.fixture
def two_databases():
    with throwaway("mariadb") as first, throwaway("mariadb") as second:
        yield async_url(first.url, "test"), async_url(second.url, "test")


def test_the_lock_name_is_the_databases_own_and_fits_the_server():
    assert lock_name("app") == "orchestrate.migrations.app"
    long = lock_name("x" * 64)
    assert len(long) == 64 and long != lock_name("y" * 64)


def test_one_holder_named_a_second_refused_and_other_databases_free(two_databases):
    first, other = two_databases
    assert isinstance(migration_lock(first), MySQLMigrationLock)

    async def scenario() -> None:
        lock = migration_lock(first)
        async with lock.hold("orchestrate upgrade", 0) as held:
            await held.connection.run_sync(held.record)
            await held.connection.commit()
            holder = await lock.holder()
            assert holder is not None and holder.purpose == "orchestrate upgrade"
            assert holder.runner is not None and "connection" in (holder.detail or "")
            with pytest.raises(TrainLocked, match="orchestrate upgrade"):
                async with migration_lock(first).hold("second", 0.3):
                    pass
            async with migration_lock(other).hold("elsewhere", 0):  # another database
                pass
        assert await lock.holder() is None
        async with migration_lock(first).hold("after", 0):  # released with its connection
            pass

    anyio.run(scenario)


def test_a_killed_lock_session_is_found_before_the_next_step(two_databases):
    url = two_databases[0]

    async def scenario() -> None:
        async with migration_lock(url).hold("orchestrate upgrade", 0) as held:
            await held.connection.run_sync(held.record)
            await held.connection.commit()

            def step(connection) -> None:
                with connection.begin():
                    held.verify(connection)

            await held.connection.run_sync(step)  # still the holder
            session = await held.connection.run_sync(
                lambda c: c.execute(text("SELECT CONNECTION_ID()")).scalar())
            async with connect(url) as admin:
                await admin.execute(text(f"KILL CONNECTION {int(session)}"))
            # a new session takes the lock meanwhile: the old holder's row is still there
            async with migration_lock(url).hold("second runner", 5) as second:
                async with connect(url) as third:
                    def stale_verify(connection) -> None:
                        with connection.begin():
                            held.verify(connection)  # on a session that is not the holder
                    with pytest.raises(LockLost, match="no longer shows this runner"):
                        await third.run_sync(stale_verify)
                assert second.connection is not None

    anyio.run(scenario)
