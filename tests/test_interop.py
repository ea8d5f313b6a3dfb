"""Plain Alembic keeps working per service, and orchestrate's main job runs end to end."""
from __future__ import annotations

import json

from support import alembic, example_plan_exit, orchestrate, write

SERVICES = ["tenants", "users", "products", "orders", "invoices"]


def test_plan_upgrade_plan_on_both_backends(example, db):
    before = orchestrate(example, "plan", "--json", url=db.url)
    assert before.exit_code == example_plan_exit(db.backend), before.stderr
    plan = json.loads(before.stdout)
    assert [s["service"] for s in plan["services"]] == [
        "tenants", "products", "users", "orders", "invoices"]
    assert all(s["current"] == [] and len(s["pending"]) == 1 for s in plan["services"])
    order = [step["service"] for step in plan["steps"]]
    assert order.index("users") < order.index("orders") < order.index("invoices")
    assert order.index("products") < order.index("orders")

    upgraded = orchestrate(example, "upgrade", url=db.url)
    assert upgraded.exit_code == 0, upgraded.stderr
    assert "5 step(s) applied" in upgraded.stdout

    after = orchestrate(example, "plan", url=db.url)
    assert after.exit_code == 0
    assert "clean: every service is at head" in after.stdout
    assert db.scalar_rows("SELECT code FROM invoice_statuses ORDER BY sort_order") == [
        "DRAFT", "SENT", "PAID", "VOID", "REFUND"]
    for service in SERVICES:
        result = alembic(example, service, "check", url=db.url)
        assert result.returncode == 0, (service, result.stderr)


def test_vanilla_alembic_upgrade_each_service_then_orchestrate_agrees(example, db):
    for service in SERVICES:
        result = alembic(example, service, "upgrade", "head", url=db.url)
        assert result.returncode == 0, (service, result.stderr)
    assert db.version("orders") == ["b7e3d90f1c56"]
    plan = json.loads(orchestrate(example, "plan", "--json", url=db.url).stdout)
    assert plan["steps"] == [] and plan["verdict"] == "clean"
    down = alembic(example, "invoices", "downgrade", "base", url=db.url)
    assert down.returncode == 0, down.stderr
    assert "invoices" not in db.tables()


def test_vanilla_alembic_offline_sql(example):
    result = alembic(example, "orders", "upgrade", "head", "--sql",
                     url="postgresql://postgres@127.0.0.1/never_connected")
    assert result.returncode == 0, result.stderr
    assert "CREATE TABLE alembic_version_orders" in result.stdout
    assert "CREATE TABLE orders" in result.stdout
    assert "UPDATE alembic_version_orders" in result.stdout or (
        "INSERT INTO alembic_version_orders" in result.stdout)


def test_upgrade_sql_is_offline_and_deterministic(example):
    url = "postgresql://postgres@127.0.0.1:1/unreachable"  # never contacted
    first = orchestrate(example, "upgrade", "--sql", url=url)
    second = orchestrate(example, "upgrade", "--sql", url=url)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    script = first.stdout
    positions = [script.index(f"CREATE TABLE {t} ") for t in
                 ("tenants", "users", "orders", "invoices")]
    assert positions == sorted(positions)
    assert script.count("BEGIN;") == 5 and script.count("COMMIT;") == 5


def test_a_failing_revision_is_rolled_back_whole(example, db):
    write(example / "services/users/migrations/versions/aa00000000ff_broken.py",
          '"""half done"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
          'revision = "aa00000000ff"\ndown_revision = "3f2a9c1b0d4e"\n\n\n'
          "def upgrade():\n"
          '    op.create_table("scratch", sa.Column("id", sa.Integer, primary_key=True))\n'
          '    op.execute("SELECT * FROM no_such_table")\n\n\n'
          "def downgrade():\n"
          '    op.drop_table("scratch")\n')
    result = orchestrate(example, "upgrade", "users", "tenants", url=db.url)
    assert result.exit_code == 3
    assert db.version("users") == ["3f2a9c1b0d4e"]  # the steps before it are kept
    if db.backend == "mariadb":  # CREATE TABLE commits on its own: said, never hidden
        assert "aa00000000ff failed after 1 of its statements had committed" in result.stderr
        assert "line 10: CREATE TABLE scratch" in result.stderr
        assert "scratch" in db.tables()
        return
    assert "aa00000000ff" in result.stderr and "rolled back" in result.stderr
    assert "scratch" not in db.tables()


def test_json_logs_one_event_per_step(example, db):
    result = orchestrate(example, "upgrade", "--log-format", "json", "-v", url=db.url)
    assert result.exit_code == 0, result.stderr
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    steps = [e for e in events if e["event"] == "step applied"]
    assert [e["service"] for e in steps][-1] == "invoices"
    assert len(steps) == 5 and steps[0]["n"] == 1 and steps[0]["of"] == 5


def test_autocommit_blocks_run_outside_the_step_transaction(example, db):
    """The documented fix for locking lint rules (CREATE INDEX CONCURRENTLY) runs as is."""
    concurrently = ("postgresql_concurrently=True" if db.backend == "postgresql" else "")
    write(example / "services/users/migrations/versions/cc00000000aa_concurrent_index.py",
          '"""index display names without locking users"""\nfrom alembic import op\n\n'
          'revision = "cc00000000aa"\ndown_revision = "3f2a9c1b0d4e"\n\n\n'
          "def upgrade():\n"
          "    with op.get_context().autocommit_block():\n"
          '        op.create_index("ix_users_display_name", "users", ["display_name"], '
          f"{concurrently})\n\n\n"
          "def downgrade():\n"
          '    op.drop_index("ix_users_display_name", table_name="users")\n')
    result = orchestrate(example, "upgrade", url=db.url)
    assert result.exit_code == 0, result.stderr
    assert db.version("users") == ["cc00000000aa"]
    assert "ix_users_display_name" in db.indexes("users")
    assert orchestrate(example, "downgrade", "users@3f2a9c1b0d4e", url=db.url).exit_code == 0


HOLD_LOCK = """
import sys, time, anyio
from pathlib import Path
from orchestrator.runtime.database import async_url
from orchestrator.runtime.database_lock import migration_lock

async def main():
    lock = migration_lock(async_url(sys.argv[1], "test"))
    async with lock.hold("train 'nightly'", 5, train="nightly") as held:
        await held.connection.run_sync(held.record)  # as every runner does
        Path(sys.argv[2]).write_text("held")
        while not Path(sys.argv[3]).exists():
            await anyio.sleep(0.05)

anyio.run(main)
"""


def test_upgrade_waits_for_a_train_holding_the_database(example, db, tmp_path):
    import subprocess
    import sys
    import time

    held, release = tmp_path / "held", tmp_path / "release"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, db.url, str(held), str(release)])
    try:
        deadline = time.monotonic() + 30
        while not held.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert held.exists()
        blocked = orchestrate(example, "upgrade", url=db.url)
        assert blocked.exit_code == 3
        assert "train 'nightly'" in blocked.stderr and f"pid {holder.pid}" in blocked.stderr
        assert db.version("users") == []  # nothing applied, nothing read into steps
    finally:
        release.write_text("go")
        holder.wait(timeout=30)
    done = orchestrate(example, "upgrade", "--wait", "10", url=db.url)
    assert done.exit_code == 0, done.stderr
    assert db.version("users") == ["3f2a9c1b0d4e"]


def test_a_revision_that_does_not_import_is_bad_input_and_nothing_is_applied(example, db):
    write(example / "services/users/migrations/versions/ee00000000ee_broken.py",
          '"""broken"""\nrevision = "ee00000000ee"\ndown_revision = "3f2a9c1b0d4e"\n\n'
          "def upgrade(:\n    pass\n")
    result = orchestrate(example, "upgrade", url=db.url)
    assert result.exit_code == 2
    assert "ee00000000ee_broken.py:5: not valid Python" in result.stderr
    assert db.version("users") == [] and "users" not in db.tables()


def test_a_sqlite_database_whose_folder_cannot_exist_is_unreachable(example, tmp_path):
    (tmp_path / "a-file").write_text("")
    url = f"sqlite:///{tmp_path / 'a-file' / 'db.sqlite'}"
    result = orchestrate(example, "upgrade", url=url)
    assert result.exit_code == 3
    assert "cannot reach the SQLite database" in result.stderr and "a-file" in result.stderr
    assert "internal error" not in result.stderr
