"""`orchestrate heads` and `orchestrate merge`: forks per service, conflicts, merged upgrades."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from support import orchestrate, write

from orchestrator import branches
from orchestrator.runtime.orchestration import Orchestration

ORDERS_BASE = "b7e3d90f1c56"
USERS_BASE = "3f2a9c1b0d4e"


def revision(root: Path, service: str, rev: str, down: str | tuple[str, ...] | None,
             upgrade: str, downgrade: str = "pass", *, requires: tuple[str, ...] = (),
             message: str | None = None, created: str = "2025-02-01 10:00:00") -> Path:
    """Write a revision file into the service's versions folder of the example copy."""
    body = textwrap.dedent(upgrade).strip().replace("\n", "\n    ")
    undo = textwrap.dedent(downgrade).strip().replace("\n", "\n    ")
    return write(root / "services" / service / "migrations" / "versions" / f"{rev}_x.py", (
        f'"""{message or "revision " + rev}\n\nRevision ID: {rev}\nRevises: {down}\n'
        f'Create Date: {created}\n\n"""\n'
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\n"
        f"depends_on = None\nrequires = {list(requires)!r}\n\n\n"
        f"def upgrade() -> None:\n    {body}\n\n\ndef downgrade() -> None:\n    {undo}\n"
    ))


def new_table(name: str, extra: str = "") -> str:
    return (f"op.create_table({name!r}, sa.Column('id', sa.Integer(), primary_key=True), "
            f"sa.Column('label', sa.String(40)){extra})")


def versions(root: Path, service: str) -> set[str]:
    return {p.name for p in (root / "services" / service / "migrations" / "versions")
            .glob("*.py")}


def fork_orders(root: Path) -> None:
    """Two developers branch orders from its initial revision; each adds a table."""
    revision(root, "orders", "a1a1a1a1a1a1", ORDERS_BASE, new_table("order_notes"),
             "op.drop_table('order_notes')", message="add order notes")
    revision(root, "orders", "b2b2b2b2b2b2", ORDERS_BASE, new_table("order_tags"),
             "op.drop_table('order_tags')", message="add order tags",
             created="2025-02-02 11:00:00")


def merged_revision(root: Path, before: set[str]) -> Path:
    (name,) = versions(root, "orders") - before
    return root / "services" / "orders" / "migrations" / "versions" / name


def test_independent_branches_merge_upgrade_and_downgrade_through_the_merge(example, db):
    fork_orders(example)
    blocked = orchestrate(example, "upgrade", url=db.url)
    assert blocked.exit_code == 2 and "2 heads" in blocked.stderr and "merge orders" in \
        blocked.stderr
    # one branch is already applied somewhere before the merge lands
    first = orchestrate(example, "upgrade", "orders@a1a1a1a1a1a1", "--with-requirements",
                        url=db.url)
    assert first.exit_code == 0, first.stderr
    parallel = orchestrate(example, "upgrade", "orders@b2b2b2b2b2b2", url=db.url)
    assert parallel.exit_code == 0, parallel.stderr  # the other branch stays applied
    assert db.version("orders") == ["a1a1a1a1a1a1", "b2b2b2b2b2b2"]
    before = versions(example, "orders")

    merged = orchestrate(example, "merge", "orders", "-m", "merge notes and tags")
    assert merged.exit_code == 0, merged.stderr
    path = merged_revision(example, before)
    text = path.read_text()
    rev = path.name.split("_")[0]
    assert "down_revision: Union[str, Sequence[str], None] = ('a1a1a1a1a1a1', " \
           "'b2b2b2b2b2b2')" in text
    assert "requires: list[str] = []" in text and text.count("    pass\n") == 2
    assert f"merged orders: wrote services/orders/migrations/versions/{path.name}" in \
        merged.stdout

    sql = orchestrate(example, "upgrade", "--sql", url=db.url)
    assert sql.exit_code == 0, sql.stderr
    assert "CREATE TABLE order_notes" in sql.stdout and "CREATE TABLE order_tags" in sql.stdout
    assert f"-- upgrade orders {rev}" in sql.stdout
    assert sql.stdout.index("CREATE TABLE order_tags") < sql.stdout.index(
        f"-- upgrade orders {rev}")
    assert f"UPDATE alembic_version_orders SET version_num='{rev}'" in sql.stdout

    up = orchestrate(example, "upgrade", "--json", url=db.url)
    assert up.exit_code == 0, up.stderr
    order = [s["revision"] for s in json.loads(up.stdout)["applied"] if s["service"] == "orders"]
    assert order == [rev]
    assert {"order_notes", "order_tags"} <= set(db.tables())
    assert db.version("orders") == [rev]
    assert orchestrate(example, "heads", url=db.url).exit_code == 0
    past = orchestrate(example, "upgrade", "orders@a1a1a1a1a1a1", url=db.url)
    assert past.exit_code == 2 and f"past the target a1a1a1a1a1a1 (applied: {rev})" in \
        past.stderr

    down_sql = orchestrate(example, "downgrade", f"orders@{ORDERS_BASE}", "--sql", url=db.url)
    assert down_sql.exit_code == 0, down_sql.stderr
    assert "DROP TABLE order_notes" in down_sql.stdout
    assert "DROP TABLE order_tags" in down_sql.stdout

    down = orchestrate(example, "downgrade", f"orders@{ORDERS_BASE}", "--json", url=db.url)
    assert down.exit_code == 0, down.stderr
    steps = [s["revision"] for s in json.loads(down.stdout)["applied"]]
    assert steps[0] == rev and set(steps[1:]) == {"a1a1a1a1a1a1", "b2b2b2b2b2b2"}
    assert not {"order_notes", "order_tags"} & set(db.tables())
    assert "orders" in db.tables()
    assert db.version("orders") == [ORDERS_BASE]


def test_branches_adding_the_same_column_are_refused_before_anything_is_written(example, db):
    add = "op.add_column('orders', sa.Column('gift_note', sa.Text(), nullable=True))"
    revision(example, "orders", "a1a1a1a1a1a1", ORDERS_BASE, add,
             "op.drop_column('orders', 'gift_note')")
    revision(example, "orders", "b2b2b2b2b2b2", ORDERS_BASE, add,
             "op.drop_column('orders', 'gift_note')")
    before = versions(example, "orders")

    refused = orchestrate(example, "merge", "orders")
    assert refused.exit_code == 1
    message = " ".join(refused.stderr.split())
    for fact in ("nothing was written", "both branches add column orders.gift_note",
                 "revision a1a1a1a1a1a1 (services/orders/migrations/versions/a1a1a1a1a1a1_x.py:",
                 "revision b2b2b2b2b2b2 (services/orders/migrations/versions/b2b2b2b2b2b2_x.py:",
                 "Remove the duplicate operation from one branch, or guard both"):
        assert fact in message, message
    assert "Traceback" not in refused.stderr
    assert versions(example, "orders") == before
    as_json = orchestrate(example, "merge", "orders", "--json")
    assert as_json.exit_code == 1
    (conflict,) = json.loads(as_json.stdout)["conflicts"]
    assert conflict["kind"] == "both-add" and conflict["object"] == "column orders.gift_note"
    assert conflict["revisions"] == ["a1a1a1a1a1a1", "b2b2b2b2b2b2"]
    assert versions(example, "orders") == before

    # what the refusal prevents: plain Alembic's merge, upgraded, fails on this backend
    from alembic import command

    from orchestrator.workspace.workspace import Workspace
    ws = Workspace.load(example)
    command.merge(ws.services["orders"].alembic_config(), ["a1a1a1a1a1a1", "b2b2b2b2b2b2"],
                  message="forced", rev_id="cccccccccccc")
    failed = orchestrate(example, "upgrade", url=db.url)
    assert failed.exit_code == 3 and "rolled back" in failed.stderr, failed.stderr
    assert db.version("orders") == ["a1a1a1a1a1a1"]
    assert db.columns("orders").count("gift_note") == 1


def test_merge_keeps_a_branchs_cross_service_requires_in_order(example, db):
    revision(example, "users", "c3c3c3c3c3c3", USERS_BASE, new_table("user_prefs"),
             "op.drop_table('user_prefs')", message="user prefs")
    revision(example, "orders", "a1a1a1a1a1a1", ORDERS_BASE, new_table("order_notes"),
             "op.drop_table('order_notes')")
    revision(example, "orders", "b2b2b2b2b2b2", ORDERS_BASE, new_table(
        "order_gifts", ", sa.Column('pref_id', sa.Integer(), "
        "sa.ForeignKey('user_prefs.id', name='fk_order_gifts_pref_id_user_prefs'))"),
        "op.drop_table('order_gifts')", requires=("users:c3c3c3c3c3c3",))
    result = branches.merge(Orchestration.open(example, db.url), "orders")
    assert result.revision and result.heads == ["a1a1a1a1a1a1", "b2b2b2b2b2b2"]
    merged = ("orders", result.revision)

    orch = Orchestration.open(example, db.url)
    assert ("users", "c3c3c3c3c3c3") in orch.revision_graph.ancestors(merged)
    alone = orchestrate(example, "upgrade", "orders", url=db.url)
    assert alone.exit_code == 2 and "requires users:c3c3c3c3c3c3" in alone.stderr
    assert db.tables() == []

    # only what the merge stands on: the branch's requirement comes along, before the branch
    up = orchestrate(example, "upgrade", "orders", "--with-requirements", "--json", url=db.url)
    assert up.exit_code == 0, up.stderr
    order = [(s["service"], s["revision"]) for s in json.loads(up.stdout)["applied"]]
    assert order.index(("users", "c3c3c3c3c3c3")) < order.index(("orders", "b2b2b2b2b2b2"))
    assert order.index(("orders", "a1a1a1a1a1a1")) < order.index(merged)
    assert order[-1] == merged and "invoices" not in {s for s, _ in order}
    assert db.version("orders") == [result.revision] and db.version("users") == ["c3c3c3c3c3c3"]

    blocked = orchestrate(example, "downgrade", f"users@{USERS_BASE}", url=db.url)
    assert blocked.exit_code == 2 and "orders:b2b2b2b2b2b2" in blocked.stderr
    cascade = orchestrate(example, "downgrade", f"users@{USERS_BASE}", "--cascade", "--json",
                          url=db.url)
    assert cascade.exit_code == 0, cascade.stderr
    steps = [(s["service"], s["revision"]) for s in json.loads(cascade.stdout)["applied"]]
    assert steps == [merged, ("orders", "b2b2b2b2b2b2"), ("users", "c3c3c3c3c3c3")]
    assert db.version("orders") == ["a1a1a1a1a1a1"] and db.version("users") == [USERS_BASE]
    assert "order_notes" in db.tables() and "order_gifts" not in db.tables()


def test_heads_is_the_ci_gate(example, tmp_path):
    clean = orchestrate(example, "heads", "--json")
    assert clean.exit_code == 0, clean.stderr
    report = json.loads(clean.stdout)
    assert report["schema_version"] == 2 and report["verdict"] == "clean"
    assert [s["service"] for s in report["services"]] == [
        "invoices", "orders", "products", "tenants", "users"]
    assert all(len(s["heads"]) == 1 and not s["forked"] for s in report["services"])
    human = orchestrate(example, "heads")
    assert human.exit_code == 0 and "orders    b7e3d90f1c56" in human.stdout
    assert "clean: no service has several heads" in human.stdout

    fork_orders(example)
    revision(example, "orders", "d4d4d4d4d4d4", "b2b2b2b2b2b2",
             "op.add_column('order_tags', sa.Column('colour', sa.String(7)))",
             message="tag colours")
    forked = orchestrate(example, "heads")
    assert forked.exit_code == 1
    for fact in ("service 'orders' has 2 heads, branched from b7e3d90f1c56",
                 "a1a1a1a1a1a1  'add order notes'  created 2025-02-01 10:00:00",
                 "d4d4d4d4d4d4  'tag colours'", "(2 revision(s) on this branch)",
                 "services/orders/migrations/versions/d4d4d4d4d4d4_x.py",
                 "orchestrate merge orders"):
        assert fact in forked.stdout, forked.stdout
    as_json = json.loads(orchestrate(example, "heads", "--json").stdout)
    orders = next(s for s in as_json["services"] if s["service"] == "orders")
    assert as_json["verdict"] == "forked" and orders["forked"]
    assert orders["branch_points"] == [ORDERS_BASE]
    assert [(h["revision"], h["branch"], h["git_author_date"]) for h in orders["heads"]] == [
        ("a1a1a1a1a1a1", ["a1a1a1a1a1a1"], None),
        ("d4d4d4d4d4d4", ["b2b2b2b2b2b2", "d4d4d4d4d4d4"], None),
    ]
    assert orchestrate(example, "heads", "users", "tenants").exit_code == 0
    assert orchestrate(example, "heads", "users", "orders").exit_code == 1
    unknown = orchestrate(example, "heads", "nope")
    assert unknown.exit_code == 2 and "unknown service 'nope'" in unknown.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_heads_shows_the_git_author_date_in_a_checkout(example, monkeypatch):
    fork_orders(example)
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.com",
           "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.com",
           "GIT_AUTHOR_DATE": "2025-03-04T05:06:07+00:00"}
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "x"]):
        subprocess.run(["git", *args], cwd=example, env=env, check=True, capture_output=True)
    reports = branches.find_heads(Orchestration.open(example), ["orders"])
    assert [h.git_author_date for h in reports[0].heads] == ["2025-03-04T05:06:07+00:00"] * 2
    monkeypatch.setenv("PATH", "")  # no git at all: the date is simply left out
    reports = branches.find_heads(Orchestration.open(example), ["orders"])
    assert [h.git_author_date for h in reports[0].heads] == [None, None]


def test_merge_bad_inputs_and_nothing_to_merge(example):
    before = versions(example, "orders")
    nothing = orchestrate(example, "merge", "orders")
    assert nothing.exit_code == 0
    assert "nothing to merge: service 'orders' has one head" in nothing.stdout
    assert orchestrate(example, "merge", "--all").exit_code == 0
    assert versions(example, "orders") == before
    unknown = orchestrate(example, "merge", "nope")
    assert unknown.exit_code == 2 and "unknown service 'nope'" in unknown.stderr
    for args in ([], ["orders", "--all"]):
        usage = orchestrate(example, "merge", *args)
        assert usage.exit_code == 2 and "or pass --all" in usage.stderr
    revision(example, "orders", "a1a1a1a1a1a1", ORDERS_BASE, "op.drop_table('order_lines')")
    revision(example, "orders", "b2b2b2b2b2b2", ORDERS_BASE, "op.drop_table(")
    broken = orchestrate(example, "merge", "orders")
    assert broken.exit_code == 2 and "b2b2b2b2b2b2_x.py" in broken.stderr
    assert "Traceback" not in broken.stderr
    assert versions(example, "orders") == before | {"a1a1a1a1a1a1_x.py", "b2b2b2b2b2b2_x.py"}


def test_merge_all_writes_every_service_or_nothing(example):
    fork_orders(example)
    revision(example, "users", "e5e5e5e5e5e5", USERS_BASE, new_table("user_notes"))
    revision(example, "users", "f6f6f6f6f6f6", USERS_BASE, new_table("user_notes"))
    before = {s: versions(example, s) for s in ("orders", "users")}
    refused = orchestrate(example, "merge", "--all")
    assert refused.exit_code == 1 and "both branches add table user_notes" in refused.stderr
    assert {s: versions(example, s) for s in before} == before

    revision(example, "users", "f6f6f6f6f6f6", USERS_BASE, new_table("user_badges"))
    merged = orchestrate(example, "merge", "--all", "--json")
    assert merged.exit_code == 0, merged.stderr
    results = {r["service"]: r for r in json.loads(merged.stdout)["merged"]}
    assert results["tenants"]["revision"] is None
    for service in ("orders", "users"):
        assert results[service]["revision"]
        assert len(versions(example, service) - before[service]) == 1
    assert orchestrate(example, "heads").exit_code == 0


# What the branches do, and whether it collides: (branch a, branch b, expected kinds).
CASES = {
    "different tables": (new_table("t_one"), new_table("t_two"), []),
    "different columns of one table": (
        "op.add_column('orders', sa.Column('a', sa.Text()))",
        "op.add_column('orders', sa.Column('b', sa.Text()))", []),
    "same table": (new_table("t_one"), new_table("t_one"), ["both-add"]),
    "same index": (
        "op.create_index('ix_orders_notes', 'orders', ['notes'])",
        "op.create_index(op.f('ix_orders_notes'), 'orders', ['notes', 'status'])",
        ["both-add"]),
    "same constraint, batch and plain": (
        "with op.batch_alter_table('orders') as batch:\n"
        "    batch.create_unique_constraint('uq_orders_notes', ['notes'])",
        "op.create_unique_constraint('uq_orders_notes', 'orders', ['notes'])", ["both-add"]),
    "drop table vs add column": (
        "op.drop_table('order_lines')",
        "op.add_column('order_lines', sa.Column('memo', sa.Text()))", ["remove-vs-change"]),
    "drop column vs alter column": (
        "op.drop_column('orders', 'notes')",
        "op.alter_column('orders', 'notes', type_=sa.String(500))", ["remove-vs-change"]),
    "drop column vs index on it": (
        "op.drop_column('orders', 'notes')",
        "op.create_index('ix_orders_notes', 'orders', ['notes'])", ["remove-vs-change"]),
    "drop table vs foreign key to it": (
        "op.drop_table('order_lines')",
        new_table("line_refs", ", sa.Column('line_id', sa.Integer(), "
                  "sa.ForeignKey('order_lines.id'))"), ["remove-vs-change"]),
    "both drop one index": (
        "op.drop_index('ix_orders_user_id', table_name='orders')",
        "op.drop_index(op.f('ix_orders_user_id'), 'orders')", ["both-remove"]),
    "rename table vs change it": (
        "op.rename_table('order_lines', 'order_items')",
        "op.create_index('ix_order_lines_qty', 'order_lines', ['quantity'])",
        ["remove-vs-change"]),
    "rename column onto an added column": (
        "op.alter_column('orders', 'notes', new_column_name='remarks')",
        "op.add_column('orders', sa.Column('remarks', sa.Text()))", ["both-add"]),
    "rename table onto a created table": (
        "op.rename_table('order_lines', 'order_items')", new_table("order_items"),
        ["both-add"]),
    "both guarded": (
        "op.create_index('ix_orders_notes', 'orders', ['notes'], if_not_exists=True)",
        "if True:\n    op.create_index('ix_orders_notes', 'orders', ['notes'])", []),
    "only one guarded": (
        "op.create_index('ix_orders_notes', 'orders', ['notes'], if_not_exists=True)",
        "op.create_index('ix_orders_notes', 'orders', ['notes'])", ["both-add"]),
    "drop table vs a guarded change": (
        "op.drop_table('order_lines')",
        "try:\n    op.add_column('order_lines', sa.Column('memo', sa.Text()))\n"
        "except Exception:\n    pass", []),
    "guarded drop vs a change": (
        "op.drop_table('order_lines', if_exists=True)",
        "op.add_column('order_lines', sa.Column('memo', sa.Text()))", ["remove-vs-change"]),
    "both alter one column": (
        "op.alter_column('orders', 'notes', nullable=False)",
        "with op.batch_alter_table('orders') as b:\n    b.alter_column('notes', "
        "type_=sa.String(9))", ["both-alter"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_conflict_analysis(example, case):
    one, two, expected = CASES[case]
    revision(example, "orders", "a1a1a1a1a1a1", ORDERS_BASE, one)
    revision(example, "orders", "a2a2a2a2a2a2", "a1a1a1a1a1a1", "pass")
    revision(example, "orders", "b2b2b2b2b2b2", ORDERS_BASE, two)
    history = Orchestration.open(example).workspace.histories["orders"]
    conflicts = branches.analyse_conflicts(history, example)
    assert [c.kind for c in conflicts] == expected
    for conflict in conflicts:
        assert {conflict.first.revision.revision, conflict.second.revision.revision} == {
            "a1a1a1a1a1a1", "b2b2b2b2b2b2"}
        assert str(conflict.obj) in conflict.message
        assert "services/orders/migrations/versions/a1a1a1a1a1a1_x.py:" in conflict.message


def test_three_heads_a_warning_and_a_shared_stretch(example):
    """Heads a and b share a revision that drops a column c's branch alters: one conflict."""
    revision(example, "orders", "a0a0a0a0a0a0", ORDERS_BASE, "op.drop_column('orders', 'notes')")
    revision(example, "orders", "a1a1a1a1a1a1", "a0a0a0a0a0a0", new_table("t_one"))
    revision(example, "orders", "a2a2a2a2a2a2", "a0a0a0a0a0a0", new_table("t_two"))
    revision(example, "orders", "c3c3c3c3c3c3", ORDERS_BASE,
             "op.alter_column('orders', 'notes', nullable=False)")
    history = Orchestration.open(example).workspace.histories["orders"]
    (conflict,) = branches.analyse_conflicts(history, example)
    assert conflict.kind == "remove-vs-change"
    assert (conflict.first.revision.revision, conflict.second.revision.revision) == (
        "a0a0a0a0a0a0", "c3c3c3c3c3c3")
    assert "one branch removes column orders.notes that the other changes" in conflict.message

    revision(example, "orders", "c3c3c3c3c3c3", ORDERS_BASE,
             "op.alter_column('orders', 'status', server_default='new')")
    revision(example, "orders", "a2a2a2a2a2a2", "a0a0a0a0a0a0",
             "op.alter_column('orders', 'status', nullable=True)")
    result = branches.merge(Orchestration.open(example), "orders")
    assert result.heads == ["a1a1a1a1a1a1", "a2a2a2a2a2a2", "c3c3c3c3c3c3"]
    assert [w.kind for w in result.warnings] == ["both-alter"]
    heads = branches.find_heads(Orchestration.open(example), ["orders"])[0]
    assert [h.revision for h in heads.heads] == [result.revision] and not heads.forked


def test_merge_without_a_revision_template_writes_nothing(example):
    versions = example / "services/users/migrations/versions"
    for rev in ("b1b1b1b1b1b1", "b2b2b2b2b2b2"):
        (versions / f"{rev}_branch.py").write_text(
            f'"""branch {rev}"""\nrevision = "{rev}"\ndown_revision = "3f2a9c1b0d4e"\n\n\n'
            "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n")
    (example / "services/users/migrations/script.py.mako").unlink()
    before = sorted(versions.iterdir())
    outcome = orchestrate(example, "merge", "users")
    assert outcome.exit_code == 2
    assert "service 'users' has no revision template" in outcome.stderr
    assert sorted(versions.iterdir()) == before
