"""`orchestrate current` and `orchestrate stamp`: version rows written without running
revisions, under the one-runner lock, recorded in the ledger; on SQLite and PostgreSQL."""
from __future__ import annotations

import json

import anyio
import pytest
from support import orchestrate

from orchestrator.core.errors import DatabaseError
from orchestrator.runtime.database_lock import migration_lock
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.stamp import LEDGER_NAME, stamp

USERS, PRODUCTS = "3f2a9c1b0d4e", "8d41b6e0c7a2"


def run_json(root, *args, url):
    outcome = orchestrate(root, *args, "--json", url=url)
    return outcome.exit_code, json.loads(outcome.stdout)


def test_current_reads_without_creating_anything(example, db, tmp_path):
    missing = f"sqlite+aiosqlite:///{tmp_path / 'nowhere' / 'x.db'}"
    code, document = run_json(example, "current", url=missing)
    assert code == 0 and document["database"]["exists"] is False
    assert not (tmp_path / "nowhere").exists()
    assert orchestrate(example, "upgrade", "users", url=db.url).exit_code == 0
    db.execute("UPDATE alembic_version_users SET version_num = 'feedfacecafe'")
    code, document = run_json(example, "current", url=db.url)
    users = next(s for s in document["services"] if s["service"] == "users")
    assert code == 0 and users["unknown_revisions"] == ["feedfacecafe"]
    assert users["current"] == [{"revision": "feedfacecafe", "message": None, "known": False,
                                 "head": False}]
    human = orchestrate(example, "current", url=db.url).stdout
    assert "feedfacecafe" in human and "unknown to the code" in human


def test_stamp_writes_rows_runs_nothing_and_is_recorded(example, db):
    code, document = run_json(example, "stamp", "users@head", f"products@{PRODUCTS[:6]}",
                              url=db.url)
    assert code == 0 and document["verdict"] == "stamped", document
    assert db.version("users") == [USERS] and db.version("products") == [PRODUCTS]
    assert "users" not in db.tables() and "products" not in db.tables()  # nothing ran
    rows = db.scalar_rows("SELECT kind FROM orchestrate_runs WHERE train = "
                          f"'{LEDGER_NAME}' AND status = 'succeeded'")
    assert rows == ["stamp"]
    steps = db.scalar_rows("SELECT service FROM orchestrate_steps WHERE status = 'applied' "
                           "ORDER BY position")
    assert sorted(steps) == ["products", "users"]
    code, again = run_json(example, "stamp", "users@head", url=db.url)
    assert code == 0 and again["verdict"] == "nothing-to-do"
    code, _ = run_json(example, "stamp", "users@base", url=db.url)
    assert code == 0 and db.version("users") == []


def test_stamp_refuses_what_the_code_does_not_have(example, db):
    for args, says in ((("users@feedfacecafe",), "has no revision 'feedfacecafe'"),
                       (("nosuch@head",), "unknown service 'nosuch'"),
                       ((), "SERVICE@REV targets or --all-heads"),
                       (("users@head", "--all-heads"), "one of the two")):
        code, document = run_json(example, "stamp", *args, url=db.url)
        assert code == 2 and says in document["errors"][0]["message"], (args, document)
    assert "alembic_version_users" not in db.tables()


def test_stamp_puts_an_unknown_revision_right(example, db):
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    db.execute("UPDATE alembic_version_products SET version_num = 'feedfacecafe'")
    assert orchestrate(example, "plan", url=db.url).exit_code == 1
    code, document = run_json(example, "stamp", "products@head", url=db.url)
    assert code == 0 and document["stamps"][0]["before"] == ["feedfacecafe"]
    assert orchestrate(example, "plan", url=db.url).exit_code == 0
    code, document = run_json(example, "stamp", "--all-heads", url=db.url)
    assert code == 0 and document["verdict"] == "nothing-to-do"


def test_stamp_sql_writes_nothing(example, db):
    code, document = run_json(example, "stamp", "--all-heads", "--sql", url=db.url)
    assert code == 0 and document["verdict"] == "sql"
    assert f"'{USERS}'" in document["sql"] and "alembic_version_users" in document["sql"]
    assert "alembic_version_users" not in db.tables()


def test_stamp_waits_for_the_one_runner_lock(example, db):
    orch = Orchestration.open(example, db.url)

    async def scenario() -> None:
        async with migration_lock(orch.url).hold("a train", 0):
            await stamp(orch, {"users": None})

    with pytest.raises(DatabaseError, match="lock"):
        anyio.run(scenario)
    assert db.version("users") == []


def test_stamp_says_what_the_stamped_revisions_require_and_will_not_find(example, db):
    code, document = run_json(example, "stamp", "orders@head", url=db.url)
    assert code == 0 and db.version("orders")
    warned = " ".join(document["warnings"])
    assert "requires users:3f2a9c1b0d4e" in warned and "requires products:" in warned
    code, document = run_json(example, "stamp", "users@head", "products@head", url=db.url)
    assert code == 0 and document["warnings"] == []
