"""Bad inputs to the graphs and to upgrade/downgrade: exit 2, one paragraph, nothing applied."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import orchestrate
from workspaces import MiniWorkspace, create, interleaved


@pytest.fixture
def ws(tmp_path):
    return interleaved(tmp_path / "ws")


@pytest.fixture
def url(tmp_path):
    return f"sqlite+aiosqlite:///{tmp_path / 'inputs.db'}"


def untouched(url: str) -> bool:
    return not Path(url.partition(":///")[2]).exists()


def refused(root, *args, url):
    outcome = orchestrate(root, *args, url=url)
    assert outcome.exit_code == 2, (outcome.stdout, outcome.stderr)
    # orchestrate's own "error: ...", or click's usage error for a malformed argument
    assert outcome.stderr.startswith(("error: ", "Usage: ")), outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert outcome.stdout == ""
    return outcome.stderr


@pytest.mark.parametrize("requires, expected", [
    (["billing:x1"], "names unknown service 'billing'"),
    (["users:nope"], "service 'users' has no revision 'nope'"),
    (["users:u3"], "revision prefix 'u3' is ambiguous: u3a, u3b"),
    (["users:head"], "must name a fixed revision of users"),
    (["orders:o1"], "names its own service"),
    (["users"], "must read \"<service>:<revision>\""),
])
def test_bad_requires_names_the_file(ws, url, requires, expected):
    path = ws.revision("orders", "o2", "o1", requires=requires)
    for command in (["upgrade"], ["graph", "--revisions"], ["history"]):
        message = refused(ws.root, *command, url=url)
        assert str(path) in message and expected in message, command
    assert untouched(url)


def test_revision_cycle_across_services_names_the_files(ws, url):
    u1 = ws.revision("users", "u1", requires=["invoices:i1"], ops=[create("users")])
    message = refused(ws.root, "graph", "--revisions", url=url)
    assert "the revisions form a cycle across services" in message
    assert f"users:u1 ({u1}) requires invoices:i1" in message
    assert f"({ws.path('invoices', 'i1')}) requires orders:o1" in message
    assert f"({ws.path('orders', 'o1')}) requires users:u1" in message
    assert refused(ws.root, "upgrade", url=url) == message


def test_service_cycle_through_foreign_keys_prints_the_keys(tmp_path, url):
    ws = MiniWorkspace(tmp_path / "cyclic")
    ws.service("users", {"users": "orders.id"})
    ws.service("orders", {"orders": "users.id"})
    ws.service("tenants", {"tenants": None}, depends_on=["users"])
    message = refused(ws.root, "graph", url=url)
    assert "the service graph has a cycle: orders -> users -> orders" in message
    assert "orders -> users (foreign key orders.ref_id -> users.id)" in message
    assert "users -> orders (foreign key users.ref_id -> orders.id)" in message
    assert refused(ws.root, "upgrade", url=url) == message


def test_service_cycle_through_a_declaration_names_the_ini(tmp_path, url):
    ws = MiniWorkspace(tmp_path / "declared")
    ws.service("users", {"users": None}, depends_on=["orders"])
    ws.service("orders", {"orders": "users.id"})
    message = refused(ws.root, "graph", "--format", "dot", url=url)
    assert "users -> orders (depends_on = orders in users.ini)" in message


@pytest.mark.parametrize("args, expected", [
    (["upgrade", "users@"], "target 'users@' must read SERVICE, SERVICE@REVISION, head or heads"),
    (["upgrade", "@u1"], "target '@u1' must read SERVICE"),
    (["upgrade", "users@u1@u2"], "target 'users@u1@u2' must read"),
    (["upgrade", "users:u1"], "target 'users:u1' must read"),
    (["upgrade", "users", "users@u1"], "service 'users' is named twice"),
    (["upgrade", "billing"], "unknown service 'billing'\n  the workspace has: invoices, orders"),
    (["upgrade", "user"], "unknown service 'user'\n  did you mean: users?"),
    (["upgrade", "users@u3"], "revision prefix 'u3' is ambiguous: u3a, u3b"),
    (["upgrade", "users@zzz"], "service 'users' has no revision 'zzz'"),
    (["downgrade", "users"], "SERVICE@REV"),
    (["downgrade", "billing@base"], "unknown service 'billing'"),
    (["downgrade", "users@u3"], "ambiguous"),
    (["history", "billing"], "unknown service 'billing'"),
])
def test_bad_targets(ws, url, args, expected):
    assert expected in refused(ws.root, *args, url=url)
    assert untouched(url)


def test_a_branched_service_needs_a_named_target_or_heads(ws, url):
    (ws.path("users", "um")).unlink()
    ws.revision("orders", "o3", "o2", requires=["users:u3a"])
    message = refused(ws.root, "upgrade", url=url)
    assert "service 'users' has 2 heads (u3a, u3b)" in message
    assert "`users@heads`" in message
    outcome = orchestrate(ws.root, "upgrade", "users@heads", "orders", "invoices", url=url)
    assert outcome.exit_code == 0, outcome.stderr
    history = json.loads(orchestrate(ws.root, "history", "users", "--json", url=url).stdout)
    assert [r["revision"] for r in history["revisions"] if r["current"]] == ["u3a", "u3b"]
