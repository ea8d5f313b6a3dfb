"""Helpers for tests: run the CLI in-process, inspect databases, edit workspaces."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import anyio
from click.testing import CliRunner
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from orchestrator.cli import main
from orchestrator.history.sql import split

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class DatabaseHandle:
    url: str
    backend: str

    def tables(self) -> list[str]:
        return anyio.run(self._run_sync, lambda c: sorted(inspect(c).get_table_names()))

    def columns(self, table: str) -> list[str]:
        return anyio.run(self._run_sync,
                         lambda c: [col["name"] for col in inspect(c).get_columns(table)])

    def indexes(self, table: str) -> list[str]:
        return anyio.run(self._run_sync,
                         lambda c: [index["name"] for index in inspect(c).get_indexes(table)])

    def rows(self, sql: str) -> list[tuple]:
        return anyio.run(self._run_sync, lambda c: [tuple(r) for r in c.execute(text(sql))])

    def scalar_rows(self, sql: str) -> list:
        return anyio.run(self._run_sync, lambda c: [r[0] for r in c.execute(text(sql))])

    def execute(self, sql: str) -> None:
        def run(connection):
            connection.execute(text(sql))
            connection.commit()
        anyio.run(self._run_sync, run)

    def version(self, service: str) -> list[str]:
        table = f"alembic_version_{service}"
        if table not in self.tables():
            return []
        return sorted(self.scalar_rows(f"SELECT version_num FROM {table}"))

    async def _run_sync(self, fn):
        engine = create_async_engine(self.url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(fn)
        finally:
            await engine.dispose()


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


def orchestrate(root: Path, *args: str, url: str | None = None) -> Outcome:
    """Run the CLI in-process, as a user would type it, against workspace ``root``."""
    argv = [*args, "--root", str(root)]
    if url:
        argv += ["--database-url", url]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    return Outcome(result.exit_code, result.stdout, result.stderr)


def alembic(root: Path, service: str, *args: str, url: str) -> subprocess.CompletedProcess:
    """Vanilla Alembic's own command line, in a subprocess, on a service's ini."""
    env = {**os.environ, "ORCHESTRATE_DATABASE_URL": url, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(root / "alembic.ini.d" / f"{service}.ini"),
         *args],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )


_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306}


def example_plan_exit(backend: str) -> int:
    """``plan``'s exit code on the bundled example with nothing else wrong: on MariaDB its
    invoices revision mixes DDL and DML (lint PF503, an error where DDL is not
    transactional), so ``plan`` finds a problem there and exits 1."""
    return 1 if backend == "mariadb" else 0


def accept_example_seed_rows(root: Path) -> None:
    """Suppress, in workspace ``root``, the one lint error the bundled example has on MariaDB
    (PF503, see :func:`example_plan_exit`), for tests about something else."""
    revision = root / "services/invoices/migrations/versions/e2f05a8c4d13_initial.py"
    edit(revision, "\n    op.bulk_insert(",
         "\n    # orchestrate: allow PF503 -- a test of something else\n    op.bulk_insert(")


def server_available(server: str) -> bool:
    """Whether the database server at URL ``server`` accepts connections."""
    url = make_url(server)
    port = url.port or _DEFAULT_PORTS[url.get_backend_name()]
    try:
        with socket.create_connection((url.host or "127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def write(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def run_script(db: DatabaseHandle, script: str) -> None:
    """Run an offline script as a DBA would: all statements, in one go."""
    url = make_url(db.url)
    if db.backend == "sqlite":
        import sqlite3

        connection = sqlite3.connect(url.database)
        try:
            connection.executescript(script)
        finally:
            connection.close()
        return

    async def run() -> None:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                raw = (await connection.get_raw_connection()).driver_connection
                if db.backend == "postgresql":
                    await raw.execute(script)  # asyncpg: many statements
                    return
                async with raw.cursor() as cursor:  # aiomysql: one statement at a time
                    for statement in split(script, "mysql"):
                        await cursor.execute(statement)
                await raw.commit()
        finally:
            await engine.dispose()

    anyio.run(run)


def edit(path: Path, old: str, new: str) -> Path:
    """Replace ``old`` (which must occur exactly once) by ``new`` in a workspace file."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path}: expected exactly one {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def write_revision(root: Path, service: str, revision: str, down_revision: str | None,
                   upgrade: str, *, message: str = "change", requires: tuple[str, ...] = (),
                   downgrade: str = "pass", imports: str = "") -> Path:
    """Add a revision file to ``service`` of workspace ``root``; bodies are indented for you."""
    def body(code: str) -> str:
        return "\n".join("    " + line if line.strip() else "" for line in code.splitlines())

    return write(
        root / "services" / service / "migrations" / "versions" / f"{revision}_{service}.py",
        f'"""{message}\n\nRevision ID: {revision}\nRevises: {down_revision or ""}\n'
        f'Create Date: 2026-01-01 00:00:00\n\n"""\n'
        f"from alembic import op\nimport sqlalchemy as sa\n{imports}\n\n"
        f"revision = {revision!r}\ndown_revision = {down_revision!r}\nbranch_labels = None\n"
        f"depends_on = None\nrequires = {list(requires)!r}\n\n\n"
        f"def upgrade() -> None:\n{body(upgrade)}\n\n\n"
        f"def downgrade() -> None:\n{body(downgrade)}\n",
    )

