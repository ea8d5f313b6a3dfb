"""Fleets: one release train over many databases, on SQLite (20 databases) and PostgreSQL (10)."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from support import DatabaseHandle, orchestrate, server_available, write, write_revision

from benchmarks.databases import throwaway_postgres

HEADS = {"tenants": "5c1e2a7f3b90", "users": "3f2a9c1b0d4e", "products": "8d41b6e0c7a2",
         "orders": "b7e3d90f1c56", "invoices": "e2f05a8c4d13"}
PG_SERVER = os.environ.get("ORCHESTRATE_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
TRAIN = "first-release"  # every service to head


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fleet(request: pytest.FixtureRequest, example: Path, tmp_path: Path
          ) -> Iterator[list[DatabaseHandle]]:
    """A fleet ``tenants`` in the example workspace: 20 SQLite or 10 PostgreSQL databases."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            handles = [DatabaseHandle(f"sqlite+aiosqlite:///{tmp_path / f't{i:02}.db'}", "sqlite")
                       for i in range(20)]
        else:
            if not server_available(PG_SERVER):
                pytest.skip(f"PostgreSQL at {PG_SERVER} is unreachable")
            urls = [stack.enter_context(throwaway_postgres(PG_SERVER, "orch_fleet"))
                    for _ in range(10)]
            handles = [DatabaseHandle(url, "postgresql") for url in urls]
        declare(example, {f"t{i:02}": h.url for i, h in enumerate(handles)})
        write_train(example)
        yield handles


def write_train(root: Path) -> Path:
    return write(root / "trains" / f"{TRAIN}.toml",
                 "[targets]\n" + "".join(f'{service} = "head"\n' for service in HEADS))


def declare(root: Path, databases: dict[str, str], extra: str = "") -> Path:
    lines = "\n".join(f"{name} = {url!r}" for name, url in databases.items())
    return write(root / "fleets" / "tenants.toml",
                 f'description = "a database per tenant"\n{extra}\n[databases]\n{lines}\n')


def versions(db: DatabaseHandle) -> dict[str, list[str]]:
    return {service: db.version(service) for service in HEADS}


def at_head(db: DatabaseHandle) -> bool:
    return versions(db) == {s: [r] for s, r in HEADS.items()}


def applied_in_ledger(db: DatabaseHandle) -> Counter:
    if "orchestrate_steps" not in db.tables():
        return Counter()
    return Counter(db.scalar_rows(
        "SELECT service || ':' || revision FROM orchestrate_steps WHERE status = 'applied'"))


def assert_applied_once(db: DatabaseHandle) -> None:
    assert at_head(db)
    assert applied_in_ledger(db) == Counter(f"{s}:{r}" for s, r in HEADS.items())


def fleet_json(root: Path, *args: str) -> tuple[int, dict, str]:
    outcome = orchestrate(root, "fleet", *args, "--json")
    return outcome.exit_code, json.loads(outcome.stdout) if outcome.stdout else {}, outcome.stderr


def test_plan_groups_databases_by_state(example, fleet):
    dbs = fleet
    for db in dbs[:3]:
        assert orchestrate(example, "upgrade", url=db.url).exit_code == 0
    assert orchestrate(example, "upgrade", "users", "--with-requirements",
                       url=dbs[3].url).exit_code == 0

    code, plan, _ = fleet_json(example, "plan", "tenants")
    assert code == 0
    assert plan["databases"] == len(dbs)
    groups = {g["count"]: g for g in plan["groups"]}
    assert sorted(groups) == [1, 3, len(dbs) - 4]
    assert groups[3]["databases"] == ["t00", "t01", "t02"] and groups[3]["pending"] == []
    empty = groups[len(dbs) - 4]
    assert empty["databases"][0] == "t04" and len(empty["pending"]) == 5
    assert empty["revisions"] == {service: [] for service in sorted(HEADS)}
    partly = groups[1]
    assert partly["databases"] == ["t03"]
    assert partly["revisions"] == versions(dbs[3])
    behind = {s for s, applied in versions(dbs[3]).items() if not applied}
    assert "users" not in behind and "orders" in behind
    assert {(s["service"], s["revision"]) for s in partly["pending"]} == {
        (s, HEADS[s]) for s in behind}

    human = orchestrate(example, "fleet", "plan", "tenants")
    assert human.exit_code == 0
    assert f"{len(dbs)} database(s) in 3 state(s)" in human.stdout
    assert "every service at head" in human.stdout


def test_plan_reports_an_unreachable_database_without_its_password(example, fleet, monkeypatch):
    monkeypatch.setenv("LOST_DB_URL", "postgresql://app:s3cret@127.0.0.1:1/lost")
    urls = {f"t{i:02}": db.url for i, db in enumerate(fleet[:2])}
    declare(example, {**urls, "lost": "${LOST_DB_URL}"})
    code, plan, _ = fleet_json(example, "plan", "tenants")
    assert code == 3
    (lost,) = [g for g in plan["groups"] if g["problem"]]
    assert lost["databases"] == ["lost"] and "cannot connect" in lost["problem"]
    assert "s3cret" not in json.dumps(plan)


def test_run_stops_at_a_failing_database_then_completes(example, fleet):
    dbs = fleet
    broken = 5  # in the second wave: the canary is t00
    dbs[broken].execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    outcome = orchestrate(example, "fleet", "run", "tenants", TRAIN, "--concurrency", "1",
                          "--json")
    assert outcome.exit_code == 3, outcome.stderr
    report = json.loads(outcome.stdout)
    status = {d["database"]: d["status"] for d in report["databases"]}
    assert [status[f"t{i:02}"] for i in range(broken)] == ["applied"] * broken
    assert status[f"t{broken:02}"] == "failed"
    assert {status[f"t{i:02}"] for i in range(broken + 1, len(dbs))} == {"not-started"}
    assert "stopped after 1 failed database(s) (--max-failures 0)" == report["stopped"]
    assert "wave 1 (canary): 1 database(s)" in outcome.stderr
    for db in dbs[:broken]:
        assert_applied_once(db)
    # the failing database: its failed step rolled back, what came before it kept
    assert "users" in dbs[broken].tables() and dbs[broken].version("users") == []
    for db in dbs[broken + 1:]:  # untouched: not even the ledger was created
        assert db.tables() == []

    states = orchestrate(example, "fleet", "status", "tenants", TRAIN, "--json")
    assert states.exit_code == 1
    counts = json.loads(states.stdout)["counts"]
    assert counts == {"never-run": len(dbs) - broken - 1, "succeeded": broken, "failed": 1}

    dbs[broken].execute("DROP TABLE users")  # the operator fixes the database
    outcome = orchestrate(example, "fleet", "run", "tenants", TRAIN, "--concurrency", "3")
    assert outcome.exit_code == 0, outcome.stderr + outcome.stdout
    for db in dbs:
        assert_applied_once(db)
    runs = dbs[broken].scalar_rows("SELECT kind || ':' || status FROM orchestrate_runs "
                                   "ORDER BY id")
    assert runs == ["run:failed", "resume:succeeded"]
    assert dbs[0].scalar_rows("SELECT count(*) FROM orchestrate_runs") == [1]
    again = orchestrate(example, "fleet", "status", "tenants", TRAIN)
    assert again.exit_code == 0 and f"{len(dbs)} succeeded" in again.stdout


def test_a_failing_canary_stops_the_fleet(example, fleet):
    dbs = fleet
    dbs[0].execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    code, report, stderr = fleet_json(example, "run", "tenants", TRAIN, "--canary", "1",
                                      "--max-failures", "5")
    assert code == 3
    assert report["stopped"] == "stopped after 1 failed database(s) in the canary wave"
    assert all(db.tables() == [] for db in dbs[1:])


def start_fleet_runner(root: Path, log: Path, *args: str) -> subprocess.Popen:
    """``python -m orchestrator fleet run ...`` in its own process group, output into ``log``."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "orchestrator", "fleet", "run", "tenants", TRAIN, "--root",
         str(root), *args], cwd=root, env=env, start_new_session=True,
        stdout=log.with_suffix(".out").open("w"), stderr=log.with_suffix(".err").open("w"))


def test_two_runners_share_a_fleet_each_database_applied_once(example, fleet, tmp_path):
    dbs = fleet
    runners = [start_fleet_runner(example, tmp_path / f"runner{i}", "--concurrency", "2",
                                  "--canary", "0", "--wait", "30") for i in range(2)]
    for index, runner in enumerate(runners):
        assert runner.wait(240) == 0, (tmp_path / f"runner{index}.err").read_text()
    for db in dbs:
        assert_applied_once(db)
        assert db.scalar_rows("SELECT count(*) FROM orchestrate_runs "
                              "WHERE status = 'succeeded'") == [1]


def blocking(marker: Path) -> str:
    """Revision code that, when applied for the first time, signals ``marker`` and hangs."""
    return (f"marker = pathlib.Path({str(marker)!r})\n"
            "if not op.get_context().as_sql and not marker.exists():\n"
            "    marker.touch()\n"
            "    time.sleep(120)\n")


def test_a_killed_runner_is_resumed_by_the_next(example, fleet, tmp_path):
    dbs = fleet
    marker = tmp_path / "started"
    write_revision(example, "users", "b2000000000b", HEADS["users"], blocking(marker),
                   imports="import pathlib\nimport time")
    runner = start_fleet_runner(example, tmp_path / "runner", "--concurrency", "1")
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert time.monotonic() < deadline and runner.poll() is None, \
                (tmp_path / "runner.err").read_text()
            time.sleep(0.05)
    finally:
        os.killpg(runner.pid, signal.SIGKILL)  # the whole runner: parent and workers
        runner.wait(30)
    # the canary was stopped in its users step: nothing of that step, the others untouched
    assert dbs[0].version("users") == [HEADS["users"]]
    assert all(db.tables() == [] for db in dbs[1:])

    deadline = time.monotonic() + 30  # the dead runner's lock goes with its session
    while True:
        code, states, _ = fleet_json(example, "status", "tenants", TRAIN)
        if states["counts"].get("interrupted") == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert code == 1 and states["databases"][0]["state"] == "interrupted"

    outcome = orchestrate(example, "fleet", "run", "tenants", TRAIN, "--concurrency", "2")
    assert outcome.exit_code == 0, outcome.stderr
    users_head = ["b2000000000b"]
    for db in dbs:
        assert db.version("users") == users_head
    runs = dbs[0].scalar_rows("SELECT kind || ':' || status FROM orchestrate_runs ORDER BY id")
    assert runs == ["run:interrupted", "resume:succeeded"]


def test_fleet_from_a_catalog_query(example, tmp_path):
    catalog = tmp_path / "catalog.db"
    members = {f"c{i}": f"sqlite:///{tmp_path / f'c{i}.db'}" for i in range(3)}
    with sqlite3.connect(catalog) as connection:
        connection.execute("CREATE TABLE tenants (name TEXT, url TEXT, active INTEGER)")
        connection.executemany("INSERT INTO tenants VALUES (?, ?, ?)",
                               [(n, u, 1) for n, u in members.items()] + [("gone", "x", 0)])
    write(example / "pyproject.toml", (example / "pyproject.toml").read_text() + (
        "\n[tool.orchestrate.fleets.catalogued]\n"
        f"catalogs = [{{ url = 'sqlite:///{catalog}', "
        "query = 'SELECT name, url FROM tenants WHERE active = 1 ORDER BY name' }]\n"))
    write_train(example)
    outcome = orchestrate(example, "fleet", "run", "catalogued", TRAIN)
    assert outcome.exit_code == 0, outcome.stderr
    code, plan, _ = fleet_json(example, "plan", "catalogued")
    assert code == 0 and plan["groups"] == [plan["groups"][0]]
    assert plan["groups"][0]["databases"] == ["c0", "c1", "c2"]


@pytest.mark.parametrize(("content", "args", "message"), [
    ("[databases]\na = 'postgresql://app:hunter2@db/a'\n", ("plan", "tenants"),
     "databases.a: spells out a password"),
    ("[databases]\na = '${NO_SUCH_VARIABLE_X}'\n", ("plan", "tenants"),
     "databases.a: environment variable NO_SUCH_VARIABLE_X is not set"),
    ("[databases]\n'a b' = 'sqlite:///x.db'\n", ("plan", "tenants"), "databases.a b:"),
    ("colour = 'red'\n[databases]\na = 'sqlite:///x.db'\n", ("plan", "tenants"),
     "the fleet has unknown key 'colour'"),
    ("description = 'empty'\n", ("plan", "tenants"), "names no database"),
    ("[databases]\na = 'sqlite:///x.db'\n", ("plan", "nope"), "no fleet 'nope'"),
    ("[databases]\na = 'sqlite:///x.db'\n", ("run", "tenants", "no-such-train"),
     "no-such-train"),
    ("[databases]\na = 'sqlite:///x.db'\n", ("run", "tenants", TRAIN, "--canary", "x%"),
     "--canary 'x%'"),
    ("[[catalogs]]\nurl = 'sqlite:///{tmp}/c.db'\nquery = 'SELECT nope FROM nowhere'\n",
     ("plan", "tenants"), "catalogs[0].query: failed on"),
])
def test_bad_fleets_are_refused_naming_the_place(example, tmp_path, content, args, message):
    path = write(example / "fleets" / "tenants.toml", content.replace("{tmp}", str(tmp_path)))
    outcome = orchestrate(example, "fleet", *args)
    assert outcome.exit_code == 2, outcome.stderr
    assert message in outcome.stderr and "Traceback" not in outcome.stderr
    assert "hunter2" not in outcome.stderr
    if "no fleet" not in message and "no-such-train" not in message and "--canary" not in message:
        assert str(path) in outcome.stderr
    assert not (tmp_path / "x.db").exists()
