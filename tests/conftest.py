"""Shared fixtures: throwaway databases on SQLite and PostgreSQL, and workspace copies.

PostgreSQL: the server at ORCHESTRATE_TEST_PG (default postgresql://postgres@127.0.0.1:5432).
Each test gets a database of its own, dropped afterwards. When the server is unreachable the
PostgreSQL tests are skipped locally, but under CI=true the whole run fails loudly instead.
"""
from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.dont_write_bytecode = True  # workspaces are rewritten within one second: never trust a .pyc

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

PG_SERVER = os.environ.get("ORCHESTRATE_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
IN_CI = os.environ.get("CI", "").lower() == "true"

from support import DatabaseHandle, pg_available  # noqa: E402

from benchmarks.databases import throwaway_postgres  # noqa: E402


def pytest_sessionstart(session: pytest.Session) -> None:
    if IN_CI and not pg_available(PG_SERVER):
        raise pytest.UsageError(
            f"CI=true but PostgreSQL at {PG_SERVER} is unreachable: the PostgreSQL tests must "
            "run in CI (start it with pg_ctlcluster ... main start)"
        )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatabaseHandle]:
    """A fresh, empty database on each backend, dropped after the test."""
    if request.param == "sqlite":
        yield DatabaseHandle(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}", "sqlite")
        return
    if not pg_available(PG_SERVER):
        pytest.skip(f"PostgreSQL at {PG_SERVER} is unreachable")
    with throwaway_postgres(PG_SERVER, "orch_test") as url:
        yield DatabaseHandle(url, "postgresql")


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
