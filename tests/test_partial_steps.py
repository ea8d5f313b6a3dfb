"""Steps that fail half-way where DDL is not transactional (MariaDB): recorded ``partial`` with
what committed, shown by ``plan`` and ``train status``, blocking every further step until
``train resolve``; a killed runner's step told apart by whether anything of it committed.
Transactional backends never leave a partial step: the same failures roll back whole."""
from __future__ import annotations

import json
import signal

from support import orchestrate, write_revision
from test_trains import (
    HEADS,
    WAVE,
    add_wave,
    manifest,
    start_runner,
    status,
    steps_of,
    versions,
    wait_until,
)

#: users' wave revision: two DDL statements, then a failure.
HALF_DONE = ("op.add_column('users', sa.Column('nickname', sa.String(40)))\n"
             "op.create_table('user_notes', sa.Column('id', sa.Integer(), primary_key=True))\n"
             "op.execute('INSERT INTO no_such_table VALUES (1)')")


def failed_half_way(root, db) -> int:
    """Run the spring train whose users step fails after its DDL; its position."""
    manifest(root)
    add_wave(root, {"users": HALF_DONE})
    steps = steps_of(root, db.url)
    ran = orchestrate(root, "train", "run", "spring", url=db.url)
    assert ran.exit_code == 3, ran.stderr
    return steps.index(("users", WAVE["users"])) + 1


def test_a_step_finished_by_hand_is_resolved_as_applied_and_never_run_again(example, db):
    failing = failed_half_way(example, db)
    plan = json.loads(orchestrate(example, "plan", "--json", url=db.url).stdout)
    users = next(s for s in plan["services"] if s["service"] == "users")
    partial = [f for f in users["findings"] if f["code"] == "partial-step"]
    if db.backend != "mariadb":  # rolled back whole: nothing to resolve
        assert partial == [] and "nickname" not in db.columns("users")
        refused = orchestrate(example, "train", "resolve", "spring", "--applied", url=db.url)
        assert refused.exit_code == 2 and "no partly applied step" in refused.stderr
        return
    assert len(partial) == 1 and f"step {failing} of train 'spring'" in partial[0]["message"]
    assert "CREATE TABLE user_notes" in partial[0]["message"]
    text = orchestrate(example, "plan", url=db.url)
    assert text.exit_code == 1 and "partial-step" in text.stdout
    # the person finishes the step by hand: the audit row is there already, as is the DDL
    resolved = orchestrate(example, "train", "resolve", "spring", "--applied", "--json",
                           url=db.url)
    assert resolved.exit_code == 0, resolved.stderr
    document = json.loads(resolved.stdout)
    assert document["resolution"] == "applied" and document["step"]["position"] == failing
    assert db.version("users") == [WAVE["users"]]  # stamped with the ledger
    resumed = orchestrate(example, "train", "resume", "spring", url=db.url)
    assert resumed.exit_code == 0, resumed.stderr  # nothing of users ran again: no error
    assert versions(db) == {service: [WAVE[service]] for service in HEADS}
    assert sorted(db.scalar_rows("SELECT step FROM train_audit")) == sorted(HEADS)
    code, report = status(example, db.url)
    assert code == 0 and report["state"] == "succeeded"
    step = next(s for s in report["steps"] if s["position"] == failing)
    assert step["status"] == "applied" and "Resolved as applied" in step["error"]
    assert len(step["statements"]) == 3  # what had committed stays on the record


def test_an_idempotent_revision_is_simply_run_again(example, db):
    """Where the failure rolled back whole there is nothing to run again: resume as usual."""
    failing = failed_half_way(example, db)
    # the fixed revision guards every statement and says it may run twice
    write_revision(example, "users", WAVE["users"], HEADS["users"],
                   "bind = op.get_bind()\n"
                   "if 'nickname' not in [c['name'] for c in sa.inspect(bind).get_columns("
                   "'users')]:\n"
                   "    op.add_column('users', sa.Column('nickname', sa.String(40)))\n"
                   "op.execute('CREATE TABLE IF NOT EXISTS user_notes (id INTEGER PRIMARY KEY)')\n"
                   "op.execute(\"DELETE FROM train_audit WHERE step = 'users'\")\n"
                   "op.execute(\"INSERT INTO train_audit (step) VALUES ('users')\")",
                   requires=("tenants:a1000000000a",), imports="idempotent = True",
                   message="wave two of users")
    resumed = orchestrate(example, "train", "resume", "spring", url=db.url)
    assert resumed.exit_code == 0, resumed.stderr
    assert versions(db) == {service: [WAVE[service]] for service in HEADS}
    step = next(s for s in status(example, db.url)[1]["steps"]
                if s["position"] == failing and s["status"] != "applied")
    if db.backend == "mariadb":
        assert "idempotent = True, so it runs again" in resumed.stderr
        assert step["status"] == "reverted"
    else:
        assert step["status"] == "failed"


def test_a_runner_killed_after_a_ddl_statement_leaves_a_partial_step(example, db, tmp_path):
    """SIGKILL during step k, after its first DDL statement: on MariaDB that statement
    committed, so the next runner records the step partial (never 'nothing applied') and
    refuses to re-run it; elsewhere the step rolled back whole and resume completes."""
    manifest(example)
    marker = tmp_path / "started"
    add_wave(example, {"products": (
        "op.add_column('products', sa.Column('colour', sa.String(16)))\n"
        f"if not op.get_context().as_sql and not pathlib.Path({str(marker)!r}).exists():\n"
        f"    pathlib.Path({str(marker)!r}).touch()\n"
        "    time.sleep(120)\n")})  # the first runner only
    steps = steps_of(example, db.url)
    slow = steps.index(("products", WAVE["products"])) + 1
    runner = start_runner(example, db.url, tmp_path / "runner", "run", "spring")
    try:
        wait_until(marker.exists, "the runner to pass its DDL statement")
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait(30)
    resume = orchestrate(example, "train", "resume", "spring", url=db.url)
    code, report = status(example, db.url)
    step = next(s for s in report["steps"] if s["position"] == slow)
    if db.backend == "mariadb":
        assert db.version("products") == [HEADS["products"]]
        assert "colour" in db.columns("products")  # committed by the ALTER itself
        assert resume.exit_code == 2 and "is partly applied" in resume.stderr
        assert "which statements committed is unknown" in resume.stderr
        assert step["status"] == "partial" and report["state"] == "partial" and code == 1
        assert "nothing of it was applied" not in (step["error"] or "")
        return
    assert resume.exit_code == 0, resume.stderr  # the step rolled back with its runner
    assert step["status"] == "interrupted"
    assert versions(db) == {service: [WAVE[service]] for service in HEADS}
