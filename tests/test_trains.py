"""Release trains on SQLite and PostgreSQL: run, fail, resume, two runners, a killed runner."""
from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import anyio
import pytest
from support import orchestrate, write, write_revision

from orchestrator.core.logs import configure_logging
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.trains import run_train
from orchestrator.trains.progress import Progress

HEADS = {"tenants": "5c1e2a7f3b90", "users": "3f2a9c1b0d4e", "products": "8d41b6e0c7a2",
         "orders": "b7e3d90f1c56", "invoices": "e2f05a8c4d13"}
#: The second wave of the release: one revision per service, each writing one audit row.
WAVE = {"tenants": "a1000000000a", "users": "b2000000000b", "products": "c3000000000c",
        "orders": "d4000000000d", "invoices": "e5000000000e"}
AUDIT = "tenants:a1000000000a"


def manifest(root: Path, name: str = "spring", **extra: str) -> Path:
    lines = [f"{key} = {value}" for key, value in extra.items()]
    targets = "\n".join(f"{service} = \"head\"" for service in HEADS)
    return write(root / "trains" / f"{name}.toml", "\n".join(lines) + f"\n[targets]\n{targets}\n")


def audit(step: str) -> str:
    return f"op.execute(\"INSERT INTO train_audit (step) VALUES ('{step}')\")"


def add_wave(root: Path, extra: dict[str, str] | None = None) -> None:
    """Wave 2: tenants creates train_audit; every revision of the wave inserts one row."""
    extra = extra or {}
    write_revision(root, "tenants", WAVE["tenants"], HEADS["tenants"],
                   "op.create_table('train_audit', sa.Column('id', sa.Integer(), primary_key=True),"
                   " sa.Column('step', sa.String(64), nullable=False))\n"
                   + audit("tenants") + "\n" + extra.get("tenants", ""), message="audit")
    for service in ("users", "products", "orders", "invoices"):
        write_revision(root, service, WAVE[service], HEADS[service],
                       audit(service) + "\n" + extra.get(service, ""), requires=(AUDIT,),
                       message=f"wave two of {service}", imports="import pathlib\nimport time")


def blocking(marker: Path, release: Path) -> str:
    """Revision code that, on its first run only, signals ``marker`` and waits for ``release``.

    Not when rendered offline (``--sql``, lint): only a runner applying it waits.
    """
    return (f"marker = pathlib.Path({str(marker)!r})\n"
            f"release = pathlib.Path({str(release)!r})\n"
            "if not op.get_context().as_sql and not marker.exists():\n"
            "    marker.touch()\n"
            "    deadline = time.monotonic() + 60\n"
            "    while not release.exists() and time.monotonic() < deadline:\n"
            "        time.sleep(0.05)\n")


def steps_of(root: Path, url: str) -> list[tuple[str, str]]:
    plan = orchestrate(root, "train", "plan", "spring", "--json", url=url)
    # exit 1 is lint's verdict on the wave's revisions (each writes into tenants' audit table)
    assert plan.exit_code in (0, 1), plan.stderr
    return [(s["service"], s["revision"]) for s in json.loads(plan.stdout)["steps"]]


def status(root: Path, url: str) -> tuple[int, dict]:
    outcome = orchestrate(root, "train", "status", "spring", "--json", url=url)
    return outcome.exit_code, json.loads(outcome.stdout)


def applied_in_ledger(db) -> Counter:
    return Counter(f"{service}:{revision}" for service, revision in db.rows(
        "SELECT service, revision FROM orchestrate_steps WHERE status = 'applied'"))


def assert_complete(db, steps: list[tuple[str, str]]) -> None:
    """Every step applied exactly once: version tables, ledger and audit rows agree."""
    for service in HEADS:
        assert db.version(service) == [WAVE[service]]
    assert applied_in_ledger(db) == Counter(f"{s}:{r}" for s, r in steps)
    assert sorted(db.scalar_rows("SELECT step FROM train_audit")) == sorted(HEADS)


def versions(db) -> dict[str, list[str]]:
    return {service: db.version(service) for service in HEADS}


def last_revisions(steps: list[tuple[str, str]]) -> dict[str, list[str]]:
    """What each version table holds once ``steps`` are applied (linear histories)."""
    last = {service: [] for service in HEADS}
    for service, revision in steps:
        last[service] = [revision]
    return last


def start_runner(root: Path, url: str, log: Path, *args: str) -> subprocess.Popen:
    """``python -m orchestrator train ...`` in its own process, output into ``log``.out/.err."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "orchestrator", "train", *args, "--root", str(root),
         "--database-url", url],
        cwd=root, env=env, stdout=log.with_suffix(".out").open("w"),
        stderr=log.with_suffix(".err").open("w"),
    )


def wait_until(predicate, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_train_across_the_five_services(example, db):
    manifest(example, description='"first release"')
    steps = steps_of(example, db.url)
    assert sorted(s for s, _ in steps) == sorted(HEADS)
    assert steps.index(("users", HEADS["users"])) < steps.index(("orders", HEADS["orders"]))

    ran = orchestrate(example, "train", "run", "spring", url=db.url)
    assert ran.exit_code == 0, ran.stderr
    assert "5 step(s) applied (run #1)" in ran.stdout
    assert {s: db.version(s) for s in HEADS} == {s: [r] for s, r in HEADS.items()}

    code, report = status(example, db.url)
    assert code == 0 and report["state"] == "succeeded" and report["lock_holder"] is None
    (run,) = report["runs"]
    assert (run["kind"], run["status"], run["steps"]) == ("run", "succeeded", 5)
    assert run["runner_pid"] and run["runner_host"] == socket.gethostname()
    assert [(s["service"], s["revision"]) for s in report["steps"]] == steps
    assert all(s["status"] == "applied" and s["seconds"] is not None and s["ended_at"]
               for s in report["steps"])

    again = orchestrate(example, "train", "run", "spring", url=db.url)
    assert again.exit_code == 0 and "nothing to do" in again.stdout
    resume = orchestrate(example, "train", "resume", "spring", url=db.url)
    assert resume.exit_code == 2 and "nothing to resume" in resume.stderr
    assert db.scalar_rows("SELECT count(*) FROM orchestrate_runs") == [1]


def test_failing_step_is_rolled_back_recorded_and_resumed(example, db):
    manifest(example)
    add_wave(example, {"users": "op.add_column('users', sa.Column('nickname', sa.String(40)))\n"
                                "op.create_table('user_notes', sa.Column('id', sa.Integer(), "
                                "primary_key=True))\n"
                                "op.execute('INSERT INTO no_such_table VALUES (1)')"})
    steps = steps_of(example, db.url)
    failing = steps.index(("users", WAVE["users"])) + 1
    assert 1 < failing < len(steps)

    ran = orchestrate(example, "train", "run", "spring", url=db.url)
    assert ran.exit_code == 3, ran.stderr
    assert f"stopped at step {failing} of {len(steps)}" in ran.stderr
    if db.backend == "mariadb":
        left_partly_applied_then_reverted_by_hand(example, db, steps, failing, ran.stderr)
    assert "no_such_table" in ran.stderr and "orchestrate train resume spring" in ran.stderr
    # nothing of the failed step: not its column, table, audit row or version; earlier kept
    assert db.version("users") == [HEADS["users"]]
    assert "nickname" not in db.columns("users") and "user_notes" not in db.tables()
    assert "users" not in db.scalar_rows("SELECT step FROM train_audit")
    assert applied_in_ledger(db) == Counter(f"{s}:{r}" for s, r in steps[:failing - 1])
    assert versions(db) == last_revisions(steps[:failing - 1])

    code, report = status(example, db.url)
    assert code == 1 and report["state"] == "failed"
    by_position = {s["position"]: s for s in report["steps"]}
    assert by_position[failing]["status"] == ("reverted" if db.backend == "mariadb" else "failed")
    assert "no_such_table" in by_position[failing]["error"]
    assert {by_position[p]["status"] for p in range(failing + 1, len(steps) + 1)} == {"skipped"}
    assert report["runs"][0]["status"] == "failed"

    refused = orchestrate(example, "train", "run", "spring", url=db.url)
    assert refused.exit_code == 2 and f"failed at step {failing}" in refused.stderr

    add_wave(example, {"users": "op.add_column('users', sa.Column('nickname', sa.String(40)))"})
    resumed = orchestrate(example, "train", "resume", "spring", url=db.url)
    assert resumed.exit_code == 0, resumed.stderr
    assert f"applied {failing:>4}/{len(steps)} users" in resumed.stdout
    assert_complete(db, steps)
    assert "nickname" in db.columns("users")
    code, report = status(example, db.url)
    assert code == 0 and report["state"] == "succeeded"
    assert [(r["kind"], r["status"]) for r in report["runs"]] == [("run", "failed"),
                                                                  ("resume", "succeeded")]
    assert [s["position"] for s in report["steps"] if s["run_id"] == report["runs"][1]["id"]] \
        == list(range(failing, len(steps) + 1))


def left_partly_applied_then_reverted_by_hand(root, db, steps, failing: int,
                                              stderr: str) -> None:
    """MariaDB: each DDL statement commits, so the failed step stays partly applied and the
    ledger says exactly what committed; nothing more runs until a person undid it and says so.
    """
    assert "partly applied" in stderr and "orchestrate train resolve spring" in stderr
    assert "nickname" in db.columns("users") and "user_notes" in db.tables()
    assert db.scalar_rows("SELECT step FROM train_audit WHERE step = 'users'") == ["users"]
    assert db.version("users") == [HEADS["users"]]  # the version table never claims it
    code, report = status(root, db.url)
    assert code == 1 and report["state"] == "partial"
    step = next(s for s in report["steps"] if s["position"] == failing)
    assert step["status"] == "partial" and "3 statement(s)" in step["error"]
    committed = [" ".join(s["sql"].split()[:3]) for s in step["statements"]]
    assert committed == ["INSERT INTO train_audit", "ALTER TABLE users",
                         "CREATE TABLE user_notes"]
    lines = [s["line"] for s in step["statements"]]
    assert lines == sorted(lines) and all(lines)  # the revision's own lines
    text = orchestrate(root, "train", "status", "spring", url=db.url).stdout
    assert "CREATE TABLE user_notes" in text and "train resolve spring --applied" in text
    for command in (("train", "resume", "spring"), ("upgrade",), ("train", "run", "spring")):
        refused = orchestrate(root, *command, url=db.url)
        assert refused.exit_code == 2, (command, refused.stderr)
        assert "is partly applied on this database" in refused.stderr
        assert "CREATE TABLE user_notes" in refused.stderr
    assert "nickname" in db.columns("users")  # nothing ran again
    # a person undoes what committed, then says so
    db.execute("ALTER TABLE users DROP COLUMN nickname")
    db.execute("DROP TABLE user_notes")
    db.execute("DELETE FROM train_audit WHERE step = 'users'")
    resolved = orchestrate(root, "train", "resolve", "spring", "--reverted", url=db.url)
    assert resolved.exit_code == 0, resolved.stderr
    again = orchestrate(root, "train", "resolve", "spring", "--reverted", url=db.url)
    assert again.exit_code == 2 and "no partly applied step" in again.stderr


def test_second_runner_waits_or_exits_naming_the_holder(example, db, tmp_path):
    manifest(example)
    marker, release = tmp_path / "started", tmp_path / "release"
    add_wave(example, {"products": blocking(marker, release)})
    steps = steps_of(example, db.url)

    first = start_runner(example, db.url, tmp_path / "first", "run", "spring")
    try:
        wait_until(marker.exists, "the first runner to reach its slow step")
        code, report = status(example, db.url)
        assert code == 0 and report["state"] == "running"
        assert report["lock_holder"]["runner_pid"] == first.pid
        assert report["lock_holder"]["train"] == "spring"
        running = [s for s in report["steps"] if s["status"] == "running"]
        assert [(s["service"], s["revision"]) for s in running] == [("products",
                                                                      WAVE["products"])]

        impatient = orchestrate(example, "train", "run", "spring", "--wait", "0", url=db.url)
        assert impatient.exit_code == 3
        assert "another runner holds the migration lock" in impatient.stderr
        assert f"train 'spring' (run #1) run by pid {first.pid} on {socket.gethostname()}" \
            in impatient.stderr and "since" in impatient.stderr

        patient = start_runner(example, db.url, tmp_path / "patient", "run", "spring",
                               "--wait", "60")
        wait_until(lambda: "waiting for the migration lock" in
                   (tmp_path / "patient.err").read_text(), "the second runner to wait")
        release.touch()
        assert first.wait(60) == 0, (tmp_path / "first.err").read_text()
        assert patient.wait(60) == 0, (tmp_path / "patient.err").read_text()
    finally:
        first.kill()
    assert "nothing to do" in (tmp_path / "patient.out").read_text()
    assert_complete(db, steps)
    assert db.scalar_rows("SELECT count(*) FROM orchestrate_runs") == [1]


def test_runner_killed_mid_train_is_reconciled_and_resumed(example, db, tmp_path):
    manifest(example)
    marker = tmp_path / "started"
    add_wave(example, {"products": blocking(marker, tmp_path / "never")})
    steps = steps_of(example, db.url)
    slow = steps.index(("products", WAVE["products"])) + 1

    runner = start_runner(example, db.url, tmp_path / "runner", "run", "spring")
    try:
        wait_until(marker.exists, "the runner to reach its slow step")
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait(30)

    wait_until(lambda: status(example, db.url)[1]["state"] == "interrupted",
               "the database to notice the runner is gone", timeout=30)
    code, report = status(example, db.url)
    assert code == 1 and report["lock_holder"] is None
    # the ledger agrees with the version tables: what it says applied is, nothing more
    assert applied_in_ledger(db) == Counter(f"{s}:{r}" for s, r in steps[:slow - 1])
    assert versions(db) == last_revisions(steps[:slow - 1])
    assert "products" not in db.scalar_rows("SELECT step FROM train_audit")

    refused = orchestrate(example, "train", "run", "spring", url=db.url)
    assert refused.exit_code == 2
    assert f"run #1 interrupted at step {slow} (products {WAVE['products']})" in refused.stderr
    assert "reconciled the ledger" in refused.stderr and "train resume spring" in refused.stderr

    resumed = orchestrate(example, "train", "resume", "spring", "--wait", "30", url=db.url)
    assert resumed.exit_code == 0, resumed.stderr
    assert_complete(db, steps)
    code, report = status(example, db.url)
    assert code == 0 and report["state"] == "succeeded"
    assert [(r["kind"], r["status"]) for r in report["runs"]] == [("run", "interrupted"),
                                                                  ("resume", "succeeded")]
    first_run = {s["position"]: s["status"] for s in report["steps"]
                 if s["run_id"] == report["runs"][0]["id"]}
    assert first_run[slow] == "interrupted"
    assert set(first_run.values()) <= {"applied", "interrupted", "skipped"}


def test_dry_run_and_sql_touch_nothing(example, db):
    manifest(example, lock_timeout='"3s"', statement_timeout="60000")
    dry = orchestrate(example, "train", "run", "spring", "--dry-run", url=db.url)
    assert dry.exit_code == 0, dry.stderr
    assert "would apply 5 step(s)" in dry.stdout
    sql = orchestrate(example, "train", "run", "spring", "--sql", url=db.url)
    assert sql.exit_code == 0, sql.stderr
    assert "CREATE TABLE orders" in sql.stdout
    assert ("SET lock_timeout = '3s';" in sql.stdout) == (db.backend == "postgresql")
    assert ("SET statement_timeout = '60000';" in sql.stdout) == (db.backend == "postgresql")
    assert not [t for t in db.tables() if t.startswith(("orchestrate_", "alembic_version"))]
    resume = orchestrate(example, "train", "resume", "spring", "--dry-run", url=db.url)
    assert resume.exit_code == 2 and "has never run" in resume.stderr


def test_statement_timeout_is_set_local_in_each_step_on_postgresql(example, db):
    manifest(example, statement_timeout='"300ms"')
    add_wave(example, {"users": "op.execute(sa.text('SELECT ' + "
                                "('pg_sleep(1)' if op.get_context().dialect.name == 'postgresql'"
                                " else '1')))"})
    ran = orchestrate(example, "train", "run", "spring", url=db.url)
    if db.backend == "postgresql":
        assert ran.exit_code == 3 and "statement timeout" in ran.stderr
        assert db.scalar_rows("SHOW statement_timeout") == ["0"]  # a new session: untouched
    else:  # no such setting on SQLite: the manifest's timeouts are ignored there
        assert ran.exit_code == 0, ran.stderr


def test_one_log_event_per_step_in_json(example, db):
    manifest(example)
    planned = steps_of(example, db.url)
    ran = orchestrate(example, "train", "run", "spring", "--log-format", "json", "-v",
                      url=db.url)
    assert ran.exit_code == 0, ran.stderr
    events = [json.loads(line) for line in ran.stderr.splitlines() if line.startswith("{")]
    steps = [e for e in events if e["event"] == "step applied"]
    assert [(e["train"], e["run"], e["position"], e["service"], e["revision"]) for e in steps] \
        == [("spring", 1, n, service, revision)
            for n, (service, revision) in enumerate(planned, 1)]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal(example, db):
    manifest(example)
    terminal = FakeTerminal()
    configure_logging("plain", verbose=1)  # step log lines on: they are the progress then
    assert Progress.for_terminal(terminal) is None
    configure_logging("plain", verbose=0)
    progress = Progress.for_terminal(terminal)
    assert progress is not None and Progress.for_terminal(io.StringIO()) is None
    orch = Orchestration.open(example, db.url)
    result = anyio.run(lambda: run_train(orch, "spring", progress=progress))
    drawn = terminal.getvalue()
    for n, applied in enumerate(result.applied, 1):
        assert f"[{n}/5] {applied.step.service} {applied.step.revision}" in drawn
    assert "elapsed" in drawn and "this step" in drawn
    assert drawn.endswith("\x1b[2K") and "\x1b[?25h" in drawn  # line erased, cursor shown again


@pytest.mark.parametrize("wait", ["-1", "soon"])
def test_wait_must_be_seconds(example, wait):
    manifest(example)
    outcome = orchestrate(example, "train", "run", "spring", "--wait", wait)
    assert outcome.exit_code == 2 and "--wait" in outcome.stderr


def test_resume_when_the_rest_was_applied_outside_the_train(example, db):
    manifest(example)
    add_wave(example, {"orders": "op.execute('INSERT INTO no_such_table VALUES (1)')"})
    steps = steps_of(example, db.url)
    assert orchestrate(example, "train", "run", "spring", url=db.url).exit_code == 3
    add_wave(example)
    assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    resumed = orchestrate(example, "train", "resume", "spring", url=db.url)
    assert resumed.exit_code == 0 and "nothing to do" in resumed.stdout
    code, report = status(example, db.url)
    assert code == 0 and report["state"] == "succeeded"
    assert [(r["kind"], r["status"], r["steps"]) for r in report["runs"]] == [
        ("run", "failed", len(steps)), ("resume", "succeeded", 0)]


def test_plan_shows_each_steps_lint_findings(example, db):
    manifest(example)
    write_revision(example, "users", "b2000000000b", HEADS["users"],
                   "op.drop_column('users', 'email')", message="drop the email column")
    plan = orchestrate(example, "train", "plan", "spring", "--json", url=db.url)
    assert plan.exit_code == 1, plan.stderr  # a lint error in a step
    steps = {(s["service"], s["revision"]): s for s in json.loads(plan.stdout)["steps"]}
    codes = [f["code"] for f in steps[("users", "b2000000000b")]["findings"]]
    assert "DS102" in codes
    example_pf503 = ("invoices", HEADS["invoices"]) if db.backend == "mariadb" else None
    assert all(not s["findings"] or s["revision"] == "b2000000000b"
               for node, s in steps.items() if node != example_pf503)
    text = orchestrate(example, "train", "plan", "spring", url=db.url)
    assert text.exit_code == 1 and "drops column users.email" in text.stdout
    assert "error DS102: line " in text.stdout
