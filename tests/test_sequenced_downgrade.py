"""Downgrades across services: refused while dependents need what goes, or cascading."""
from __future__ import annotations

import json

import pytest
from support import orchestrate, run_script
from workspaces import interleaved


@pytest.fixture
def ws(tmp_path, db):
    ws = interleaved(tmp_path / "ws")
    up = orchestrate(ws.root, "upgrade", url=db.url)
    assert up.exit_code == 0, up.stderr
    return ws


def steps(outcome) -> list[str]:
    assert outcome.exit_code == 0, outcome.stderr
    return [f"{s['service']}:{s['revision']}" for s in json.loads(outcome.stdout)["applied"]]


def versions(db) -> tuple[list[str], list[str], list[str]]:
    return db.version("users"), db.version("orders"), db.version("invoices")


def test_downgrade_refused_names_every_dependent_and_changes_nothing(ws, db):
    tables = db.tables()
    refused = orchestrate(ws.root, "downgrade", "orders@base", url=db.url)
    assert refused.exit_code == 2
    message = refused.stderr
    for dependent in ("invoices:i1 (requires orders:o1)", "users:u2 (requires orders:o1)",
                      "users:u3b (requires orders:o2)", "users:um"):
        assert dependent in message
    assert "--cascade" in message and "Traceback" not in message
    assert versions(db) == (["um"], ["o3"], ["i1"]) and db.tables() == tables


def test_cascade_downgrades_dependents_first_through_the_merge(ws, db):
    refused = orchestrate(ws.root, "downgrade", "users@u2", url=db.url)
    assert refused.exit_code == 2 and "orders:o3 (requires users:um)" in refused.stderr
    order = steps(orchestrate(ws.root, "downgrade", "users@u2", "--cascade", "--json",
                              url=db.url))
    assert order == ["orders:o3", "users:um", "users:u3b", "users:u3a"]
    assert versions(db) == (["u2"], ["o2"], ["i1"])
    assert {"user_tags", "user_flags"}.isdisjoint(db.tables())
    assert db.scalar_rows("SELECT id FROM order_notes") == [1]

    ahead = orchestrate(ws.root, "downgrade", "users@um", url=db.url)
    assert ahead.exit_code == 2
    assert "not at or past users@um" in ahead.stderr and "orchestrate upgrade" in ahead.stderr

    order = steps(orchestrate(ws.root, "downgrade", "orders@base", "--cascade", "--json",
                              url=db.url))
    assert order == ["invoices:i1", "orders:o2", "users:u2", "orders:o1"]
    assert versions(db) == (["u1"], [], [])
    assert {"orders", "order_notes", "invoices", "user_stats"}.isdisjoint(db.tables())

    again = orchestrate(ws.root, "upgrade", url=db.url)  # the round trip
    assert again.exit_code == 0, again.stderr
    assert versions(db) == (["um"], ["o3"], ["i1"])


def test_downgrade_to_one_branch_unmerges(ws, db):
    order = steps(orchestrate(ws.root, "downgrade", "users@u3a", "--cascade", "--json",
                              url=db.url))
    assert order == ["orders:o3", "users:um", "users:u3b"]
    assert versions(db) == (["u3a"], ["o2"], ["i1"])
    nothing = orchestrate(ws.root, "downgrade", "users@u3a", url=db.url)
    assert nothing.exit_code == 0 and "nothing to do" in nothing.stdout


def test_downgrade_sql_renders_from_the_database_without_changing_it(ws, db):
    script = orchestrate(ws.root, "downgrade", "users@u2", "--cascade", "--sql", url=db.url)
    assert script.exit_code == 0, script.stderr
    headers = [line for line in script.stdout.splitlines() if line.startswith("-- downgrade")]
    assert [h.split(":")[0] for h in headers] == [
        "-- downgrade orders o3", "-- downgrade users um", "-- downgrade users u3b",
        "-- downgrade users u3a"]
    # undoing the merge puts both branches back in the version table, then each goes
    assert "INSERT INTO alembic_version_users (version_num) VALUES ('u3a')" in script.stdout
    assert versions(db) == (["um"], ["o3"], ["i1"])  # rendering changed nothing
    run_script(db, script.stdout)
    assert versions(db) == (["u2"], ["o2"], ["i1"])
    assert {"user_tags", "user_flags"}.isdisjoint(db.tables())
