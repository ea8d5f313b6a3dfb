"""Upgrades sequenced across services, on SQLite and PostgreSQL.

The ``interleaved`` workspace (tests/workspaces.py) only applies in one interleaved order:
each revision touches what it requires, so a wrong order fails in the database itself.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from support import alembic, orchestrate, run_script
from workspaces import INTERLEAVED_ORDER, MiniWorkspace, create, interleaved

from orchestrator.runtime.orchestration import Orchestration


@pytest.fixture
def ws(tmp_path):
    return interleaved(tmp_path / "ws")


def applied(outcome) -> list[str]:
    assert outcome.exit_code == 0, outcome.stderr
    return [f"{s['service']}:{s['revision']}" for s in json.loads(outcome.stdout)["applied"]]


def snapshot(db) -> dict:
    return {"tables": db.tables(),
            **{s: db.version(s) for s in ("users", "orders", "invoices")}}


def assert_respects_every_edge(root, order: list[str]) -> None:
    """Each applied revision comes after its down revisions and everything it requires."""
    graph = Orchestration.open(root).revision_graph
    position = {label: index for index, label in enumerate(order)}
    for parent, child in graph.graph.edges:
        p, c = f"{parent[0]}:{parent[1]}", f"{child[0]}:{child[1]}"
        if c in position:
            assert p in position and position[p] < position[c], (p, c, order)


def assert_fully_upgraded(ws, db) -> None:
    assert (db.version("users"), db.version("orders"), db.version("invoices")) == (
        ["um"], ["o3"], ["i1"])
    assert sorted(db.scalar_rows("SELECT id FROM order_notes")) == [1, 2]  # o2's and o3's rows
    again = orchestrate(ws.root, "upgrade", url=db.url)
    assert again.exit_code == 0 and "nothing to do" in again.stdout


def test_upgrade_applies_the_only_valid_interleaved_order(ws, db):
    order = applied(orchestrate(ws.root, "upgrade", "--json", url=db.url))
    assert order == INTERLEAVED_ORDER
    assert_respects_every_edge(ws.root, order)
    assert_fully_upgraded(ws, db)


def test_vanilla_alembic_alone_fails_and_orchestrate_finishes_the_job(ws, db):
    # users alone, as a per-service script would do it: u2 needs orders, which is not there
    alone = alembic(ws.root, "users", "upgrade", "head", url=db.url)
    assert alone.returncode != 0
    assert "orders" in alone.stderr
    assert db.version("users") == ["u1"]  # u2 rolled back with its version update
    if db.backend == "mariadb":
        # no transactional DDL: vanilla Alembic leaves u2's CREATE TABLE behind, unrecorded,
        # which no tool can finish on its own (docs/databases.md)
        assert "user_stats" in db.tables()
        return
    assert "user_stats" not in db.tables()
    order = applied(orchestrate(ws.root, "upgrade", "--json", url=db.url))
    assert order == [n for n in INTERLEAVED_ORDER if n != "users:u1"]
    current = alembic(ws.root, "orders", "current", url=db.url)
    assert current.returncode == 0, current.stderr
    assert "o3 (head)" in current.stdout


def test_missing_requirement_applies_nothing_then_with_requirements(ws, db):
    assert applied(orchestrate(ws.root, "upgrade", "users@u1", "orders@o1", "--json",
                               url=db.url)) == ["users:u1", "orders:o1"]
    before = snapshot(db)
    # i1 alone could go, but o2 requires users:u2 and o3 users:um: nothing at all is applied
    refused = orchestrate(ws.root, "upgrade", "orders", "invoices", url=db.url)
    assert refused.exit_code == 2
    assert "nothing was applied" in refused.stderr
    assert "orders:o2 (o2.py) requires users:u2" in refused.stderr
    assert "orders:o3 (o3.py) requires users:um" in refused.stderr
    assert "--with-requirements" in refused.stderr
    assert snapshot(db) == before
    # an explicit target for users that the requirements go beyond is refused too
    beyond = orchestrate(ws.root, "upgrade", "users@u2", "orders@o3", "--with-requirements",
                         url=db.url)
    assert beyond.exit_code == 2 and "beyond the target users@u2" in beyond.stderr
    assert snapshot(db) == before
    order = applied(orchestrate(ws.root, "upgrade", "orders@o3", "--with-requirements",
                                "--json", url=db.url))
    assert order == ["users:u2", "users:u3a", "orders:o2", "users:u3b", "users:um", "orders:o3"]
    assert applied(orchestrate(ws.root, "upgrade", "invoices", "--json", url=db.url)) == [
        "invoices:i1"]


def test_branches_upgrade_one_at_a_time_and_merge(ws, db):
    order = applied(orchestrate(ws.root, "upgrade", "users@u3b", "--with-requirements",
                                "--json", url=db.url))
    assert order == ["users:u1", "orders:o1", "users:u2", "orders:o2", "users:u3b"]
    # the other branch is not "behind" the database: a plain forward step
    assert applied(orchestrate(ws.root, "upgrade", "users@u3a", "--json", url=db.url)) == [
        "users:u3a"]
    assert db.version("users") == ["u3a", "u3b"]
    history = json.loads(orchestrate(ws.root, "history", "users", "--json", url=db.url).stdout)
    assert [(r["revision"], r["current"], r["applied"]) for r in history["revisions"]] == [
        ("u1", False, True), ("u2", False, True), ("u3a", True, True), ("u3b", True, True),
        ("um", False, False)]
    behind = orchestrate(ws.root, "upgrade", "users@u2", url=db.url)
    assert behind.exit_code == 2
    assert "past the target u2 (applied: " in behind.stderr and "u3a, u3b" in behind.stderr
    order = applied(orchestrate(ws.root, "upgrade", "--json", url=db.url))
    assert order == ["users:um", "orders:o3", "invoices:i1"]
    assert db.version("users") == ["um"]


def test_upgrade_sql_is_deterministic_and_builds_a_working_database(ws, db):
    first = orchestrate(ws.root, "upgrade", "--sql", url=db.url)
    second = orchestrate(ws.root, "upgrade", "--sql", url=db.url)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    assert db.tables() == []  # --sql never touches the database
    labels = [line.split(":")[0].removeprefix("-- upgrade ").replace(" ", ":")
              for line in first.stdout.splitlines() if line.startswith("-- upgrade ")]
    assert labels == INTERLEAVED_ORDER
    run_script(db, first.stdout)
    assert_fully_upgraded(ws, db)


def test_example_upgrade_sql_runs_on_a_fresh_database(example, db):
    script = orchestrate(example, "upgrade", "--sql", url=db.url)
    assert script.exit_code == 0, script.stderr
    assert script.stdout == orchestrate(example, "upgrade", "--sql", url=db.url).stdout
    run_script(db, script.stdout)
    plan = orchestrate(example, "plan", "--json", url=db.url)
    assert plan.exit_code == 0, plan.stderr
    assert json.loads(plan.stdout)["steps"] == []
    assert db.version("invoices") == ["e2f05a8c4d13"]



RENDER_BOTH = """
import sys, anyio
from pathlib import Path
from orchestrator.runtime import migrate
from orchestrator.runtime.orchestration import Orchestration
orch = Orchestration.open(Path(sys.argv[1]), sys.argv[2])
up = anyio.run(lambda: migrate.upgrade(orch, {"users": "heads"}, sql=True))
down = anyio.run(lambda: migrate.downgrade(orch, "users", "u1", sql=True))
print(up.sql, down.sql)
"""


def test_sql_of_merges_does_not_depend_on_string_hashing(tmp_path):
    """Alembic picks merge/unmerge version rows from a set; orchestrate's scripts are stable."""
    ws = MiniWorkspace(tmp_path / "ws")
    ws.service("users", {"users": None})
    ws.revision("users", "u1", ops=[create("users")])
    for branch in ("a", "b", "c"):
        ws.revision("users", branch, "u1")
    ws.revision("users", "m", ["a", "b"])  # merged while c stays a head
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    assert orchestrate(ws.root, "upgrade", "users@heads", url=url).exit_code == 0
    scripts = set()
    for seed in ("0", "1", "2", "3", "4"):
        run = subprocess.run([sys.executable, "-c", RENDER_BOTH, str(ws.root), url],
                             env={**os.environ, "PYTHONHASHSEED": seed},
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        scripts.add(run.stdout)
    assert len(scripts) == 1
    script = scripts.pop()
    assert ("DELETE FROM alembic_version_users WHERE alembic_version_users.version_num = 'a'"
            in script)
    assert "UPDATE alembic_version_users SET version_num='u1' WHERE " in script
