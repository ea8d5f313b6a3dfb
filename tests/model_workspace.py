"""A workspace of services whose models are written out in full by the test.

    ws = ModelWorkspace(tmp_path / "ws")
    ws.service("shop", MODELS)           # services/shop/models/__init__.py is MODELS
    ws.models("shop", CHANGED)           # the models edited, as a developer would

Each service gets the example's revision template, the env.py shim and an ini; the models
text defines ``metadata``. For the feature tests (portability, enums, database objects).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import PG_SERVER
from support import DatabaseHandle, orchestrate, server_available, write

from benchmarks.databases import throwaway_postgres
from orchestrator.workspace.scaffold import service_files, service_ini

HEADER = "import sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql\n\n"


@pytest.fixture
def postgres():
    """A fresh PostgreSQL database, for the features only PostgreSQL has (import the fixture)."""
    if not server_available(PG_SERVER):
        pytest.skip(f"PostgreSQL at {PG_SERVER} is unreachable")
    with throwaway_postgres(PG_SERVER, "orch_test") as url:
        yield DatabaseHandle(url, "postgresql")


def sqlite(folder: Path, name: str = "test.db") -> DatabaseHandle:
    return DatabaseHandle(f"sqlite+aiosqlite:///{folder / name}", "sqlite")


class ModelWorkspace:
    def __init__(self, root: Path, settings: str = "") -> None:
        self.root = root
        write(root / "pyproject.toml", '[tool.orchestrate]\nservices_dir = "services"\n'
              f'ini_dir = "alembic.ini.d"\n{settings}')
        write(root / "services" / "__init__.py", "")

    def service(self, name: str, models: str, ini: str = "") -> None:
        base = self.root / "services" / name
        write(base / "__init__.py", "")
        for path in ("migrations/env.py", "migrations/script.py.mako"):
            write(base / path, service_files(name)[path])
        (base / "migrations" / "versions").mkdir(parents=True, exist_ok=True)
        write(self.root / "alembic.ini.d" / f"{name}.ini", service_ini(name) + ini)
        self.models(name, models)

    def models(self, name: str, models: str) -> None:
        write(self.root / "services" / name / "models" / "__init__.py", HEADER + models)

    def revisions(self, name: str) -> list[Path]:
        return sorted((self.root / "services" / name / "migrations" / "versions").glob("*.py"))

    def run(self, *args: str, db: DatabaseHandle | str, code: int | None = 0):
        url = db if isinstance(db, str) else db.url
        outcome = orchestrate(self.root, *args, url=url)
        if code is not None:
            assert outcome.exit_code == code, (args, outcome.stdout, outcome.stderr)
        return outcome

    def generate(self, message: str, db: DatabaseHandle | str, *args: str) -> list[Path]:
        """Generate; the revision files written (none when nothing changed)."""
        outcome = self.run("generate", "-m", message, "--json", *args, db=db, code=None)
        assert outcome.exit_code in (0, 1), outcome.stderr
        result = json.loads(outcome.stdout)
        return [self.root / s["written"]["path"] for s in result["services"] if s["written"]]

    def check(self, db: DatabaseHandle | str) -> tuple[int, dict]:
        outcome = self.run("check", "--json", db=db, code=None)
        assert outcome.exit_code in (0, 1), outcome.stderr
        return outcome.exit_code, json.loads(outcome.stdout)
