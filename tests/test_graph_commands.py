"""``orchestrate graph`` (service graph, revision DAG; text, dot, mermaid, json) and
``orchestrate history``."""
from __future__ import annotations

import json
import re

import pytest
from support import orchestrate, run_script
from workspaces import INTERLEAVED_ORDER, MiniWorkspace, create, interleaved


@pytest.fixture
def ws(tmp_path):
    return interleaved(tmp_path / "ws")


def show(root, *args, url=None):
    outcome = orchestrate(root, *args, url=url)
    assert outcome.exit_code == 0, outcome.stderr
    return outcome.stdout


def test_service_graph_of_the_example_names_the_keys_and_declarations(example):
    data = json.loads(show(example, "graph", "--format", "json"))
    assert data["graph"] == "services"
    assert [n["id"] for n in data["nodes"]] == ["tenants", "products", "users", "orders",
                                                "invoices"]
    edges = {(e["source"], e["target"]): e for e in data["edges"]}
    assert set(edges) == {("products", "tenants"), ("users", "tenants"),
                          ("orders", "products"), ("orders", "users"), ("invoices", "orders")}
    assert edges["orders", "users"]["reasons"] == [{
        "kind": "foreign_key", "source": "orders.user_id", "target": "users.id",
        "text": "foreign key orders.user_id -> users.id"}]
    assert edges["users", "tenants"]["reasons"][0]["text"] == "depends_on = tenants in users.ini"
    assert json.loads(show(example, "graph", "--json")) == data

    text = show(example, "graph").splitlines()
    assert re.match(r"orders\s+products\s+foreign key order_lines.product_id -> products.id",
                    text[5])
    assert re.match(r"\s+users\s+foreign key orders.user_id -> users.id", text[6])

    dot = show(example, "graph", "--format", "dot")
    assert dot.startswith("digraph services {") and dot.rstrip().endswith("}")
    assert ('"orders" -> "users" [label="foreign key orders.user_id -> users.id"];' in dot)
    assert '"users" -> "tenants" [label="depends_on = tenants in users.ini", style=dotted];' in dot

    mermaid = show(example, "graph", "--format", "mermaid").splitlines()
    assert mermaid[0] == "flowchart LR"
    ids = {m[2]: m[1] for m in (re.match(r'  (n\d+)\["(\w+)"\]', line) for line in mermaid) if m}
    assert f'  {ids["orders"]} -->|"foreign key orders.user_id -#gt; users.id"| {ids["users"]}' \
        in mermaid


def test_revision_graph_distinguishes_down_revisions_from_requires(ws):
    data = json.loads(show(ws.root, "graph", "--revisions", "--format", "json"))
    assert data["graph"] == "revisions"
    assert [n["id"] for n in data["nodes"]] == INTERLEAVED_ORDER
    assert data["nodes"][0]["path"] == "services/users/migrations/versions/u1.py"
    edges = {(e["source"], e["target"], e["kind"]) for e in data["edges"]}
    assert edges == {
        ("users:u2", "users:u1", "down_revision"), ("users:u3a", "users:u2", "down_revision"),
        ("users:u3b", "users:u2", "down_revision"), ("users:um", "users:u3a", "down_revision"),
        ("users:um", "users:u3b", "down_revision"), ("orders:o2", "orders:o1", "down_revision"),
        ("orders:o3", "orders:o2", "down_revision"),
        ("orders:o1", "users:u1", "requires"), ("users:u2", "orders:o1", "requires"),
        ("orders:o2", "users:u2", "requires"), ("users:u3b", "orders:o2", "requires"),
        ("orders:o3", "users:um", "requires"), ("invoices:i1", "orders:o1", "requires"),
    }
    text = show(ws.root, "graph", "--revisions").splitlines()
    um = next(line for line in text if line.startswith("users:um"))
    assert re.match(r"users:um\s+u3a, u3b\s+merge tags and flags", um)
    o2 = next(line for line in text if line.startswith("orders:o2"))
    assert re.match(r"orders:o2\s+o1\s+users:u2\s+order notes from user stats", o2)

    dot = show(ws.root, "graph", "--revisions", "--format", "dot")
    assert 'subgraph "cluster_users" {' in dot
    assert ('"orders:o1" -> "users:u1" [label="requires", style=dashed, color=blue, '
            'fontcolor=blue];') in dot
    assert '"users:um" -> "users:u3a" [label=""];' in dot
    mermaid = show(ws.root, "graph", "--revisions", "--format", "mermaid")
    assert mermaid.count(' ==>|"requires"| ') == 6 and mermaid.count(" --> ") == 7
    assert mermaid.count("  subgraph g_") == 3


def test_output_is_deterministic(ws):
    for args in (["graph"], ["graph", "--revisions", "--format", "dot"],
                 ["graph", "--revisions", "--format", "mermaid"]):
        assert show(ws.root, *args) == show(ws.root, *args)


def test_history_marks_applied_and_current(ws, db):
    assert orchestrate(ws.root, "upgrade", "users@u1", "orders@o1", url=db.url).exit_code == 0
    lines = show(ws.root, "history", url=db.url).splitlines()
    assert lines[0] == f"database: {db.url}"
    rows = {line.split()[0] + ":" + line.split()[1]: line for line in lines[3:]}
    assert list(rows) == INTERLEAVED_ORDER
    assert re.search(r"\(base\)\s+current\s+create users$", rows["users:u1"])
    assert re.search(r"\(base\)\s+users:u1\s+current\s+create orders$", rows["orders:o1"])
    assert re.search(r"u1\s+orders:o1\s+pending", rows["users:u2"])
    assert "um (head)" in rows["users:um"]

    data = json.loads(show(ws.root, "history", "orders", "--json", url=db.url))
    assert data["database"]["exists"] is True
    assert [(r["revision"], r["applied"], r["current"], r["head"]) for r in data["revisions"]] \
        == [("o1", True, True, False), ("o2", False, False, False), ("o3", False, False, True)]
    assert data["revisions"][2] == {
        "service": "orders", "revision": "o3", "message": "notes from tags",
        "down_revisions": ["o2"], "depends_on": [], "requires": ["users:um"],
        "create_date": None, "path": "services/orders/migrations/versions/o3.py",
        "head": True, "merge": False, "applied": False, "current": False}
    users = json.loads(show(ws.root, "history", "users", "--json", url=db.url))["revisions"]
    assert [r["merge"] for r in users] == [False, False, False, False, True]


def test_same_service_depends_on_online_and_offline_agree(tmp_path, db):
    """Alembic keeps a depends_on target as a head of its own: the offline script must too."""
    ws = MiniWorkspace(tmp_path / "deps")
    ws.service("users", {"users": None, "a": None, "b": None})
    ws.revision("users", "u1", ops=[create("users")])
    ws.revision("users", "a1", ops=[create("a")])  # a second base
    ws.revision("users", "b1", "u1", depends_on="a1", ops=[create("b")])
    data = json.loads(show(ws.root, "graph", "--revisions", "--format", "json"))
    assert ("users:b1", "users:a1", "depends_on") in {
        (e["source"], e["target"], e["kind"]) for e in data["edges"]}
    script = show(ws.root, "upgrade", "users@heads", "--sql", url=db.url)
    run_script(db, script)
    offline = db.version("users")
    down = show(ws.root, "downgrade", "users@u1", "--sql", url=db.url)
    run_script(db, down)
    offline_down = (db.version("users"), db.tables())
    show(ws.root, "upgrade", "users@heads", url=db.url)
    assert db.version("users") == offline
    show(ws.root, "downgrade", "users@u1", url=db.url)
    assert (db.version("users"), db.tables()) == offline_down
