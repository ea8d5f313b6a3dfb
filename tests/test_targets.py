"""Targets as Alembic users type them: ``head``/``heads`` for every service, ``SERVICE@head``,
``@+N``/``@-N`` from where the database is, ``head-N``, ``REV+N``, ``@base``."""
from __future__ import annotations

import json

from support import orchestrate, write_revision

TENANTS = "5c1e2a7f3b90"


def add_tenants_revisions(root) -> None:
    write_revision(root, "tenants", "a1a1a1a1a1a1", TENANTS, "pass", message="one")
    write_revision(root, "tenants", "b2b2b2b2b2b2", "a1a1a1a1a1a1", "pass", message="two")


def ok(root, db, *args) -> None:
    outcome = orchestrate(root, *args, url=db.url)
    assert outcome.exit_code == 0, (args, outcome.stdout, outcome.stderr)


def refused(root, db, *args) -> str:
    outcome = orchestrate(root, *args, "--json", url=db.url)
    assert outcome.exit_code == 2, (args, outcome.stdout)
    return json.loads(outcome.stdout)["errors"][0]["message"]


def test_relative_targets_walk_from_where_the_database_is(example, db):
    add_tenants_revisions(example)
    ok(example, db, "upgrade", "tenants@+1")
    assert db.version("tenants") == [TENANTS]
    ok(example, db, "upgrade", "tenants@+2")
    assert db.version("tenants") == ["b2b2b2b2b2b2"]
    ok(example, db, "downgrade", "tenants@-1")
    assert db.version("tenants") == ["a1a1a1a1a1a1"]
    ok(example, db, "downgrade", "tenants@base")
    assert db.version("tenants") == []
    ok(example, db, "upgrade", "tenants@head-1")
    assert db.version("tenants") == ["a1a1a1a1a1a1"]
    ok(example, db, "upgrade", f"tenants@{TENANTS[:6]}+2")
    assert db.version("tenants") == ["b2b2b2b2b2b2"]
    assert "only 0 step(s) possible" in refused(example, db, "upgrade", "tenants@+1")
    assert "database is past the target" in refused(example, db, "upgrade", "tenants@-1")
    assert "only 3 step(s) possible" in refused(example, db, "downgrade", "tenants@-4")
    ok(example, db, "downgrade", "tenants@-1")
    assert "is not at or past" in refused(example, db, "downgrade", "tenants@+1")


def test_bare_head_and_heads_mean_every_service(example, db):
    users = orchestrate(example, "heads", "users", "--json")
    (head,) = json.loads(users.stdout)["services"][0]["heads"]
    for rev in ("c3c3c3c3c3c3", "d4d4d4d4d4d4"):
        write_revision(example, "users", rev, head["revision"], "pass")
    assert "users@heads" in refused(example, db, "upgrade", "head")
    ok(example, db, "upgrade", "heads")
    assert db.version("users") == ["c3c3c3c3c3c3", "d4d4d4d4d4d4"]
    assert db.version("invoices")
    message = refused(example, db, "downgrade", "users@-1")
    assert "several revisions" in message and "users@c3c3c3c3c3c3-1" in message
    ok(example, db, "downgrade", "users@c3c3c3c3c3c3-1")
    assert db.version("users") == [head["revision"]]  # downgrade keeps exactly its target


def test_a_branch_point_makes_plus_n_ambiguous(example, db):
    add_tenants_revisions(example)
    write_revision(example, "tenants", "e5e5e5e5e5e5", TENANTS, "pass", message="other")
    ok(example, db, "upgrade", "tenants@+1")
    message = refused(example, db, "upgrade", "tenants@+1")
    assert "ambiguous" in message and "a1a1a1a1a1a1, e5e5e5e5e5e5" in message
