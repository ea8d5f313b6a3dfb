"""orchestrate's pytest plugin, run as a project runs it (pytester): the ready-made tests pass
on sound workspaces and fail, naming the service and revision, on broken ones; pytest-alembic's
own tests run per service through the plugin's fixtures, on the test database."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SERVERS
from support import REPO, server_available, write

from benchmarks import synthetic

pytest_plugins = ["pytester"]

OPT_IN = "from orchestrator.pytest_plugin.migration_tests import *  # noqa: F403\n"
READY_MADE = 5  # the ready-made tests that are not per service


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest) -> str | None:
    """Where the plugin makes its throwaway databases (None: SQLite files, its default)."""
    if request.param == "sqlite":
        return None
    url = SERVERS["postgresql"][0]
    if not server_available(url):
        pytest.skip(f"the PostgreSQL server at {url} is unreachable")
    return url


def run(pytester: pytest.Pytester, root: Path, server: str | None, *args: str
        ) -> pytest.RunResult:
    options = ["-p", "no:cacheprovider", "-p", "no:pytest_alembic", *_root(pytester, root),
               "-q", *args]
    if server:
        options += ["--orchestrate-database-url", server]
    return pytester.runpytest_subprocess(*options)


def _root(pytester: pytest.Pytester, root: Path) -> list[str]:
    """The workspace under test; pytest's own root stays the pytester folder (its conftest)."""
    ini = pytester.makeini("[pytest]\n")
    return [f"--rootdir={pytester.path}", "-c", str(ini), f"--orchestrate-root={root}"]


def example_copy(path: Path) -> Path:
    root = path / "example"
    for name in ("services", "shared_db", "alembic.ini.d"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_example_passes_every_ready_made_test(pytester, server):
    root = example_copy(pytester.path)
    pytester.makepyfile(test_migrations=OPT_IN)
    result = run(pytester, root, server)
    result.assert_outcomes(passed=READY_MADE + 5)  # + each of the 5 services alone
    assert not (root / ".orchestrate" / "orchestrate.db").exists()


def test_a_synthetic_ten_service_workspace_passes(pytester, server):
    root = synthetic.build(pytester.path / "ws", services=10, tables=2, revisions=3)
    pytester.makepyfile(test_migrations=OPT_IN)
    result = run(pytester, root, server)
    result.assert_outcomes(passed=READY_MADE + 10)


BROKEN_DOWNGRADE = '''"""lower-case e-mails"""
from alembic import op

revision = "aa0000000002"
down_revision = "3f2a9c1b0d4e"


def upgrade():
    op.execute("UPDATE users SET email = lower(email)")


def downgrade():
    op.drop_column("users", "nick_name")  # broken: no such column
'''
BRANCH = '''"""a branch"""
revision = "{name}"
down_revision = "5c1e2a7f3b90"


def upgrade():
    pass


def downgrade():
    pass
'''


def test_a_broken_downgrade_a_fork_and_a_model_change_each_fail_their_test(pytester, server):
    """Three faults in three services: each fails its own test, naming its service and
    revision, and nothing else fails (one run, to keep the suite short)."""
    root = example_copy(pytester.path)
    write(root / "services/users/migrations/versions/aa0000000002_emails.py", BROKEN_DOWNGRADE)
    for name in ("cc0000000002", "dd0000000002"):
        write(root / f"services/tenants/migrations/versions/{name}_branch.py",
              BRANCH.format(name=name))
    model = root / "services/products/models/products.py"
    marker = '    sa.Column("sku"'
    model.write_text(model.read_text().replace(
        marker, '    sa.Column("colour", sa.String(20), nullable=True),\n' + marker, 1))
    pytester.makepyfile(test_migrations=OPT_IN)
    result = run(pytester, root, server, "-rf")
    result.assert_outcomes(passed=READY_MADE + 5 - 3, failed=3)
    result.stdout.fnmatch_lines([
        "*_ test_single_head_per_service _*",
        "service 'tenants' has 2 heads: cc0000000002, dd0000000002 (merge them: orchestrate "
        "merge tenants)",
        "*_ test_stairway _*",
        "stairway: the downgrade of service 'users', revision aa0000000002 "
        "(*aa0000000002_emails.py) failed right after its upgrade: *nick_name*",
        "*_ test_models_match_migrations _*",
        "service 'products' at 8d41b6e0c7a2: its models differ from its migrations: "
        "add_column products.colour*",
    ])
    for test in ("test_single_head_per_service", "test_stairway",
                 "test_models_match_migrations"):
        result.stdout.fnmatch_lines([f"FAILED test_migrations.py::{test}*"])


PYTEST_ALEMBIC_CONFTEST = '''
import json
import os

import pytest
from sqlalchemy import inspect


@pytest.fixture
def alembic_config(orchestrate_alembic_config):
    return orchestrate_alembic_config


@pytest.fixture
def alembic_engine(orchestrate_alembic_engine, orchestrate_database, orchestrate_service):
    yield orchestrate_alembic_engine
    # what the test database holds once pytest-alembic's test is done with it
    names = orchestrate_database.run(_tables)
    with open(os.environ["SEEN"], "a") as seen:
        seen.write(json.dumps([orchestrate_service, names]) + "\\n")


async def _tables(orch):
    from orchestrator.runtime.database import connect

    async with connect(orch.url) as connection:
        return await connection.run_sync(lambda c: sorted(inspect(c).get_table_names()))
'''

PYTEST_ALEMBIC_TESTS = '''
from pytest_alembic.tests import (
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
'''


def test_pytest_alembic_runs_per_service_on_the_test_database(pytester, server, monkeypatch):
    root = example_copy(pytester.path)
    pytester.makeconftest(PYTEST_ALEMBIC_CONFTEST)
    pytester.makepyfile(test_alembic=PYTEST_ALEMBIC_TESTS)
    seen = pytester.path / "seen.jsonl"
    monkeypatch.setenv("SEEN", str(seen))
    monkeypatch.delenv("ORCHESTRATE_DATABASE_URL", raising=False)
    options = ["-p", "no:cacheprovider", *_root(pytester, root), "-q", "-rf"]
    if server:
        options += ["--orchestrate-database-url", server]
    result = pytester.runpytest_subprocess(*options)
    result.assert_outcomes(passed=4 * 5)  # pytest-alembic's 4 tests x 5 services
    written = [json.loads(line) for line in seen.read_text().splitlines()]
    by_service: dict[str, set[str]] = {}
    for service, tables in written:
        by_service.setdefault(service, set()).update(tables)
    # the service's own version table, and its requirements', are in the test database
    assert "alembic_version_orders" in by_service["orders"]
    assert {"alembic_version_users", "alembic_version_products"} <= by_service["orders"]
    assert "alembic_version_invoices" not in by_service["orders"]
    assert not (root / ".orchestrate" / "orchestrate.db").exists()
