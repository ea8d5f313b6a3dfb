"""The one-runner lock under faults, on SQLite and PostgreSQL: a runner that lost its lock
stops before its next step, a run is "interrupted" only when the lock is free, vanilla Alembic
takes the same lock, and revisions that end oddly (sys.exit, Ctrl-C) are rolled back and
recorded."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections import Counter

import anyio
import pytest
from sqlalchemy import text
from support import alembic, orchestrate, write_revision
from test_trains import (
    HEADS,
    WAVE,
    add_wave,
    applied_in_ledger,
    assert_complete,
    blocking,
    manifest,
    start_runner,
    status,
    steps_of,
    versions,
    wait_until,
)

from orchestrator.runtime.database import async_url, connect
from orchestrator.runtime.database_lock import migration_lock

FAKE_HOST = "ci-runner-7f3c9d.build-pool-eu-west-1.internal.corp.example.com"  # > 63 bytes
NO_TRACE = ("Traceback", "[SQL:", "sqlalche.me", "internal error")


def lock_session(db) -> int:
    """The database session holding the migration lock (as recorded with its holder)."""
    (session,) = db.scalar_rows("SELECT session FROM orchestrate_lock")
    return int(session)


def lose_the_lock(db, tmp_path) -> None:
    """What ends a runner's lock from outside: its session terminated (PostgreSQL, MariaDB),
    its lock file removed (SQLite; another runner can then lock a new file)."""
    if db.backend == "postgresql":
        db.execute(f"SELECT pg_terminate_backend({lock_session(db)})")
    elif db.backend == "mariadb":
        db.execute(f"KILL CONNECTION {lock_session(db)}")
    else:
        (db_file := tmp_path / "test.db.train-lock").unlink()
        assert not db_file.exists()


def clean(stderr: str) -> bool:
    return not any(mark in stderr for mark in NO_TRACE)


def slow_train(root, url, tmp_path):
    """The spring train whose products step waits for a ``release`` file (once ``marker``
    exists): (its steps, the products step's position, marker, release)."""
    manifest(root)
    marker, release = tmp_path / "started", tmp_path / "release"
    add_wave(root, {"products": blocking(marker, release)})
    steps = steps_of(root, url)
    return steps, steps.index(("products", WAVE["products"])) + 1, marker, release


def test_a_runner_that_lost_its_lock_stops_and_a_second_takes_over_after(example, db, tmp_path):
    steps, slow, marker, release = slow_train(example, db.url, tmp_path)
    first = start_runner(example, db.url, tmp_path / "first", "run", "spring")
    try:
        wait_until(marker.exists, "the first runner to reach its slow step")
        lose_the_lock(db, tmp_path)
        if db.backend != "sqlite":
            # the lock went with the session, and the step's transaction with it: a second
            # runner takes over at once, while the first one still runs its revision's code
            second = start_runner(example, db.url, tmp_path / "second", "resume", "spring",
                                  "--wait", "60")
            assert second.wait(120) == 0, (tmp_path / "second.err").read_text()
            release.touch()
            assert first.wait(60) == 3
        else:
            # SQLite serialises writes: the first runner's step commits, then it finds its lock
            # file gone before its next step and stops there
            release.touch()
            assert first.wait(60) == 3
            second = start_runner(example, db.url, tmp_path / "second", "resume", "spring",
                                  "--wait", "60")
            assert second.wait(120) == 0, (tmp_path / "second.err").read_text()
    finally:
        first.kill()
    stopped = (tmp_path / "first.err").read_text()
    assert clean(stopped), stopped
    if db.backend != "sqlite":
        assert (f"the connection to the database was lost during step {slow} (products, "
                f"{WAVE['products']}); nothing of step {slow} was applied") in stopped
    else:
        assert f"It stopped at step {slow + 1} " in stopped and "train-lock" in stopped
    assert "orchestrate train resume spring" in stopped
    assert_complete(db, steps)  # every step applied exactly once
    code, report = status(example, db.url)
    assert code == 0 and report["state"] == "succeeded"
    assert [(r["kind"], r["status"]) for r in report["runs"]] == [("run", "interrupted"),
                                                                  ("resume", "succeeded")]


def test_idle_session_timeout_shorter_than_a_step(example, db, tmp_path):
    """The server ends idle sessions after 1 s; a step takes longer, status is read meanwhile:
    the lock lives on the working session, which is never idle, so nothing is lost."""
    if db.backend == "postgresql":
        database = db.url.rsplit("/", 1)[1]
        db.execute(f"ALTER DATABASE {database} SET idle_session_timeout = '1s'")
        assert db.scalar_rows("SHOW idle_session_timeout") == ["1s"]
    manifest(example)
    marker, release = tmp_path / "started", tmp_path / "release"
    add_wave(example, {"users": blocking(marker, release),
                       "orders": "time.sleep(2.5)"})
    steps = steps_of(example, db.url)
    runner = start_runner(example, db.url, tmp_path / "runner", "run", "spring")
    try:
        wait_until(marker.exists, "the runner to reach its slow step")
        anyio.run(anyio.sleep, 2.5)  # more than twice the server's idle timeout
        code, report = status(example, db.url)
        assert code == 0 and report["state"] == "running", report
        assert report["lock_holder"]["runner_pid"] == runner.pid
        release.touch()
        assert runner.wait(120) == 0, (tmp_path / "runner.err").read_text()
    finally:
        runner.kill()
    assert_complete(db, steps)
    assert status(example, db.url)[1]["state"] == "succeeded"


def start_runner_on(host: str, root, url: str, log, *args: str) -> subprocess.Popen:
    """A runner whose machine is called ``host`` (a container, a CI job)."""
    code = ("import runpy, socket, sys\n"
            f"socket.gethostname = lambda: {host!r}\n"
            "sys.argv = ['orchestrate', *sys.argv[1:]]\n"
            "runpy.run_module('orchestrator', run_name='__main__')\n")
    return subprocess.Popen(
        [sys.executable, "-c", code, "train", *args, "--root", str(root), "--database-url", url],
        cwd=root, stdout=log.with_suffix(".out").open("w"),
        stderr=log.with_suffix(".err").open("w"))


def test_a_run_on_another_host_is_running_until_its_lock_is_free(example, db, tmp_path):
    manifest(example, "a-release-train-whose-name-is-long-enough-to-be-cut-off-by-postgres")
    marker = tmp_path / "started"
    add_wave(example, {"products": blocking(marker, tmp_path / "never")})
    name = "a-release-train-whose-name-is-long-enough-to-be-cut-off-by-postgres"
    runner = start_runner_on(FAKE_HOST, example, db.url, tmp_path / "runner", "run", name)
    try:
        wait_until(marker.exists, "the runner on the other host to reach its slow step")
        outcome = orchestrate(example, "train", "status", name, "--json", url=db.url)
        report = json.loads(outcome.stdout)
        assert outcome.exit_code == 0 and report["state"] == "running", report
        holder = report["lock_holder"]
        assert (holder["train"], holder["runner_host"], holder["runner_pid"]) == (
            name, FAKE_HOST, runner.pid)
        assert holder["run_id"] == report["runs"][-1]["id"] and holder["heartbeat"]
        assert [s["service"] for s in report["steps"] if s["status"] == "running"] == [
            "products"]
        busy = orchestrate(example, "upgrade", url=db.url)
        assert busy.exit_code == 3 and f"pid {runner.pid} on {FAKE_HOST}" in busy.stderr
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait(30)

    def interrupted() -> bool:
        out = orchestrate(example, "train", "status", name, "--json", url=db.url).stdout
        return json.loads(out)["state"] == "interrupted"

    wait_until(interrupted, "the lock to be free once the runner is gone", timeout=30)


def test_vanilla_alembic_is_refused_during_a_train_or_waits_for_it(example, db, tmp_path):
    steps, _, marker, release = slow_train(example, db.url, tmp_path)
    train = start_runner(example, db.url, tmp_path / "train", "run", "spring")
    try:
        wait_until(marker.exists, "the train to reach its slow step")
        refused = alembic(example, "orders", "upgrade", "head", url=db.url)
        assert refused.returncode != 0
        assert "another runner holds the migration lock" in refused.stderr
        assert f"train 'spring' (run #1) run by pid {train.pid}" in refused.stderr
        assert "-x wait=SECONDS" in refused.stderr
        assert alembic(example, "orders", "current", url=db.url).returncode == 0  # reads go on
        waiting = subprocess.Popen(
            [sys.executable, "-m", "alembic", "-c", str(example / "alembic.ini.d/orders.ini"),
             "-x", "wait=60", "upgrade", "head"],
            cwd=example, env={**__import__("os").environ, "ORCHESTRATE_DATABASE_URL": db.url},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_until(lambda: db.backend != "postgresql" or len(db.scalar_rows(
            "SELECT pid FROM pg_stat_activity WHERE application_name LIKE "
            "'orchestrate: alembic upgrade%'")) == 1, "vanilla alembic to wait for the lock")
        release.touch()
        assert train.wait(60) == 0, (tmp_path / "train.err").read_text()
        _, err = waiting.communicate(timeout=60)
        assert waiting.returncode == 0, err
    finally:
        train.kill()
    assert_complete(db, steps)


@pytest.mark.parametrize("ending", ["sys.exit(0)", "sys.exit('bye')", "raise SystemExit(1)"])
def test_sys_exit_in_a_revision_rolls_the_step_back_and_fails_it(example, db, ending):
    manifest(example)
    add_wave(example, {"users": f"import sys\n{ending}"})
    steps = steps_of(example, db.url)
    failing = steps.index(("users", WAVE["users"])) + 1
    ran = orchestrate(example, "train", "run", "spring", url=db.url)
    assert ran.exit_code == 3, ran.stderr
    assert f"stopped at step {failing}" in ran.stderr and "SystemExit" in ran.stderr
    assert db.version("users") == [HEADS["users"]]
    assert "users" not in db.scalar_rows("SELECT step FROM train_audit")
    code, report = status(example, db.url)
    assert code == 1 and report["state"] == "failed"
    assert {s["position"]: s["status"] for s in report["steps"]}[failing] == "failed"
    upgrade = orchestrate(example, "upgrade", url=db.url)
    assert upgrade.exit_code == 3 and "SystemExit" in upgrade.stderr
    assert db.version("users") == [HEADS["users"]]


def test_ctrl_c_rolls_the_step_back_records_it_and_exits_130(example, db, tmp_path):
    steps, slow, marker, release = slow_train(example, db.url, tmp_path)
    runner = start_runner(example, db.url, tmp_path / "runner", "run", "spring")
    try:
        wait_until(marker.exists, "the runner to reach its slow step")
        runner.send_signal(signal.SIGINT)
        release.touch()
        assert runner.wait(60) == 130
    finally:
        runner.kill()
    err = (tmp_path / "runner.err").read_text()
    assert "interrupted (Ctrl-C)" in err and clean(err), err
    assert "products" not in db.scalar_rows("SELECT step FROM train_audit")
    assert applied_in_ledger(db) == Counter(f"{s}:{r}" for s, r in steps[:slow - 1])
    code, report = status(example, db.url)
    assert code == 1 and report["state"] == "interrupted"
    assert {s["position"]: s["status"] for s in report["steps"]}[slow] == "interrupted"
    resumed = orchestrate(example, "train", "resume", "spring", url=db.url)
    assert resumed.exit_code == 0, resumed.stderr
    assert_complete(db, steps)


def test_a_revision_raising_keyboard_interrupt_is_rolled_back_exit_130(example, db):
    manifest(example)
    add_wave(example, {"users": "if not op.get_context().as_sql:\n    raise KeyboardInterrupt"})
    steps = steps_of(example, db.url)
    failing = steps.index(("users", WAVE["users"])) + 1
    ran = orchestrate(example, "train", "run", "spring", url=db.url)
    assert ran.exit_code == 130 and "interrupted (Ctrl-C)" in ran.stderr
    assert db.version("users") == [HEADS["users"]]
    assert {s["position"]: s["status"] for s in status(example, db.url)[1]["steps"]}[
        failing] == "interrupted"


def test_timeouts_hold_inside_and_after_an_autocommit_block(example, db):
    manifest(example, lock_timeout='"4s"', statement_timeout='"60s"')
    record = ("if op.get_context().dialect.name == 'postgresql':\n"
              "    op.execute(\"INSERT INTO train_audit (step) SELECT 'users ' || \"\n"
              "               \"current_setting('lock_timeout') || ' ' || \"\n"
              "               \"current_setting('statement_timeout')\")\n")
    add_wave(example, {"users": "with op.get_context().autocommit_block():\n"
                                + "".join("    " + line + "\n" for line in record.splitlines())
                                + record})
    ran = orchestrate(example, "train", "run", "spring", url=db.url)
    assert ran.exit_code == 0, ran.stderr
    if db.backend == "postgresql":
        assert sorted(db.scalar_rows("SELECT step FROM train_audit WHERE step LIKE 'users %'")
                      ) == ["users 4s 1min", "users 4s 1min"]
    assert versions(db) == {service: [WAVE[service]] for service in HEADS}


def test_upgrade_stops_when_its_connection_is_lost_mid_step(example, db, tmp_path):
    """A plain upgrade (no ledger) loses its session mid-step: exit 3, the step named, nothing
    of it applied, no SQL and no links; the next upgrade finishes the job."""
    marker, release = tmp_path / "started", tmp_path / "release"
    write_revision(example, "users", "ab00000000cd", HEADS["users"],
                   "op.add_column('users', sa.Column('nickname', sa.String(40)))\n"
                   + blocking(marker, release) + "op.execute('SELECT 1')",
                   imports="import pathlib\nimport time")
    runner = subprocess.Popen(
        [sys.executable, "-m", "orchestrator", "upgrade", "--root", str(example),
         "--database-url", db.url], cwd=example, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(marker.exists, "the upgrade to reach its slow step")
        lose_the_lock(db, tmp_path)
        release.touch()
        _, err = runner.communicate(timeout=60)
    finally:
        runner.kill()
    assert runner.returncode == 3 and clean(err), err
    if db.backend == "mariadb":  # the ALTER committed on its own: said, not hidden
        assert ("(users, ab00000000cd), after 1 of its statements had committed on their "
                "own") in err
        assert "ALTER TABLE users ADD COLUMN nickname" in err
        assert db.version("users") == [HEADS["users"]] and "nickname" in db.columns("users")
        db.execute("ALTER TABLE users DROP COLUMN nickname")  # the person undoes it
    elif db.backend == "postgresql":
        assert "the connection to the database was lost during step" in err
        assert "(users, ab00000000cd); nothing of step" in err and "was applied" in err
        assert db.version("users") == [HEADS["users"]]
        assert "nickname" not in db.columns("users")
    else:  # the step committed; the lock file was found gone before the next step
        assert "lost the migration lock" in err and "train-lock" in err
    again = orchestrate(example, "upgrade", url=db.url)
    assert again.exit_code == 0, again.stderr
    assert db.version("users") == ["ab00000000cd"] and "nickname" in db.columns("users")


def test_a_runner_whose_identity_was_taken_over_stops_before_its_next_step(example, db):
    """verify() reads the identity row: a holder replaced there (as by a runner that took the
    lock over) is a lost lock, whatever the backend."""
    url = async_url(db.url, "test")

    async def scenario() -> str:
        async with migration_lock(url).hold("orchestrate upgrade", 0) as held:
            await held.connection.run_sync(held.record)
            await held.connection.run_sync(lambda c: (c.begin(), held.verify(c), c.commit()))
            async with connect(url) as other:  # as a runner taking the lock over would
                await other.execute(text("UPDATE orchestrate_lock SET token = 'someone-else'"))
                await other.commit()

            def verify_again(connection) -> str:
                connection.begin()
                try:
                    held.verify(connection)
                except Exception as error:  # noqa: BLE001 -- the message is the result
                    return str(error)
                finally:
                    connection.rollback()
                return "still held"

            return await held.connection.run_sync(verify_again)

    assert "no longer shows this runner as the lock's holder" in anyio.run(scenario)
