"""Shared fixtures: throwaway databases on SQLite, PostgreSQL and MariaDB, and workspace copies.

PostgreSQL: the server at ORCHESTRATE_TEST_PG (default postgresql://postgres@127.0.0.1:5432).
MariaDB (or MySQL): the server at ORCHESTRATE_TEST_MARIADB (default
mariadb://root@127.0.0.1:3306). Each test gets a database of its own, dropped afterwards. When
a server is unreachable its tests are skipped locally, but under CI=true the whole run fails
loudly instead.
"""
from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

sys.dont_write_bytecode = True  # workspaces are rewritten within one second: never trust a .pyc

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

PG_SERVER = os.environ.get("ORCHESTRATE_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
MARIADB_SERVER = os.environ.get("ORCHESTRATE_TEST_MARIADB",
                                "mariadb+aiomysql://root@127.0.0.1:3306")
#: The database servers the tests use, and how CI starts each one when it is down.
SERVERS = {
    "postgresql": (PG_SERVER, "pg_ctlcluster ... main start"),
    "mariadb": (MARIADB_SERVER, "start-stop-daemon --start --background --exec "
                                "/usr/sbin/mariadbd"),
}
IN_CI = os.environ.get("CI", "").lower() == "true"

from support import DatabaseHandle, server_available  # noqa: E402

from benchmarks.databases import throwaway_database  # noqa: E402


def pytest_sessionstart(session: pytest.Session) -> None:
    for backend, (server, how_to_start) in SERVERS.items():
        if IN_CI and not server_available(server):
            raise pytest.UsageError(
                f"CI=true but the {backend} server at {server} is unreachable: its tests "
                f"must run in CI (start it with {how_to_start})"
            )


#: Skip reasons that only an incomplete machine gives: under CI=true they are failures, so a
#: server that went down mid-run, or a dependency missing, never turns into a quiet skip.
MACHINE_SKIPS = ("unreachable", "could not import")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # noqa: ANN201
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and any(m in str(report.longrepr) for m in MACHINE_SKIPS):
        report.outcome = "failed"
        report.longrepr = f"CI=true: this test may not be skipped: {report.longrepr}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres),
                        pytest.param("mariadb", marks=pytest.mark.mariadb)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatabaseHandle]:
    """A fresh, empty database on each backend, dropped after the test."""
    if request.param == "sqlite":
        yield DatabaseHandle(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}", "sqlite")
        return
    with throwaway(request.param) as handle:
        yield handle


@contextmanager
def throwaway(backend: str, prefix: str = "orch_test") -> Iterator[DatabaseHandle]:
    """A new, empty database on the test server of ``backend`` (skipped when it is down)."""
    server = SERVERS[backend][0]
    if not server_available(server):
        pytest.skip(f"the {backend} server at {server} is unreachable")
    with throwaway_database(server, prefix) as url:
        yield DatabaseHandle(url, backend)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A private copy of the bundled example monorepo, free to edit."""
    root = tmp_path / "example"
    root.mkdir()
    for name in ("pyproject.toml", "services", "shared_db", "alembic.ini.d"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, root / name)
    return root
