"""Fault injection for the one-runner lock: kill runners and lock sessions at random moments.

Each round starts a release train on a fresh database (sometimes with a second runner racing
it), waits a random moment, then injects one fault:

  kill-runner    SIGKILL the first runner
  lose-lock      PostgreSQL: pg_terminate_backend on the session holding the lock;
                 SQLite: remove the lock file (a second runner can then lock a new one)
  ctrl-c         SIGINT the first runner

then finishes the train with ``train resume`` and counts the violations of what must hold:

  - every revision applied exactly once (each writes one audit row, with its runner's pid);
  - no two runners applying in turns (the audit rows' pids never come back after another pid);
  - every version table at its head, every step applied exactly once in the ledger, no run left
    ``running``, the last run succeeded;
  - no runner ended with an internal error or a traceback.

    python -m benchmarks.fault_injection [--runs 30] [--backend sqlite|postgresql|both]
        [--pg postgresql+asyncpg://postgres@127.0.0.1:5432] [--seed N]

Prints one line per round with a fault and the totals; the expected count of violations is 0.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from sqlalchemy import text

from benchmarks.databases import throwaway_postgres
from orchestrator.runtime.database import async_url, connect
from orchestrator.workspace.scaffold import service_ini

SERVICES = ("alpha", "beta", "gamma")
REVISIONS = 5
TRAIN = "fault"
FAULTS = ("kill-runner", "lose-lock", "ctrl-c")
BAD_OUTPUT = ("Traceback", "internal error")


def revision_id(service: str, number: int) -> str:
    return f"{service}{number:04d}"


def build_workspace(root: Path) -> dict[str, str]:
    """``audit`` (its table) and three services of 5 revisions, each revision writing an
    audit row and sleeping a little inside its transaction. Returns the heads."""
    (root / "services").mkdir(parents=True)
    (root / "services/__init__.py").write_text("")
    (root / "pyproject.toml").write_text('[tool.orchestrate]\nservices_dir = "services"\n'
                                         'ini_dir = "alembic.ini.d"\n')
    (root / "trains").mkdir()
    targets = "\n".join(f'{name} = "head"' for name in ("audit", *SERVICES))
    (root / "trains" / f"{TRAIN}.toml").write_text(f"[targets]\n{targets}\n")
    heads = {"audit": _service(root, "audit", 1)}
    for service in SERVICES:
        heads[service] = _service(root, service, REVISIONS)
    return heads


def _service(root: Path, name: str, revisions: int) -> str:
    base = root / "services" / name
    (base / "models").mkdir(parents=True)
    (base / "migrations" / "versions").mkdir(parents=True)
    (base / "__init__.py").write_text("")
    table = "fault_audit" if name == "audit" else f"{name}_items"
    (base / "models/__init__.py").write_text(
        f"import sqlalchemy as sa\nmetadata = sa.MetaData()\n"
        f"sa.Table({table!r}, metadata, sa.Column('id', sa.Integer, primary_key=True))\n")
    (base / "migrations/env.py").write_text(
        "from orchestrator.envrunner import run_env\n\nrun_env()\n")
    (root / "alembic.ini.d").mkdir(exist_ok=True)
    (root / "alembic.ini.d" / f"{name}.ini").write_text(service_ini(name, [table]))
    down = None
    for number in range(1, revisions + 1):
        rev = revision_id(name, number)
        if name == "audit":
            body = ("    op.create_table('fault_audit',\n"
                    "        sa.Column('id', sa.Integer(), primary_key=True),\n"
                    "        sa.Column('rev', sa.String(32), nullable=False),\n"
                    "        sa.Column('pid', sa.Integer(), nullable=False))\n")
            requires: list[str] = []
        else:
            body = (f"    op.create_table('{name}_items_{number}', "
                    "sa.Column('id', sa.Integer(), primary_key=True))\n"
                    "    time.sleep(random.uniform(0, 0.15))\n")
            requires = [f"audit:{revision_id('audit', 1)}"] if number == 1 else []
        body += ("    if not op.get_context().as_sql:\n"
                 "        op.execute(sa.text('INSERT INTO fault_audit (rev, pid) VALUES (:r, :p)')"
                 f".bindparams(r={rev!r}, p=os.getpid()))\n")
        (base / "migrations/versions" / f"{rev}.py").write_text(
            f'"""{name} {number}"""\nimport os\nimport random\nimport time\n\n'
            "from alembic import op\nimport sqlalchemy as sa\n\n"
            f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\n"
            f"depends_on = None\nrequires = {requires!r}\n\n\n"
            f"def upgrade() -> None:\n{body}\n\ndef downgrade() -> None:\n    pass\n")
        down = rev
    return down or ""


@dataclass
class Round:
    number: int
    fault: str
    raced: bool
    codes: list[int] = field(default_factory=list)
    startup_interrupted: bool = False
    violations: list[str] = field(default_factory=list)


def orchestrate(root: Path, url: str, *args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "orchestrator", *args, "--root", str(root), "--database-url",
         url], cwd=root, stdout=log.with_suffix(".out").open("w"),
        stderr=log.with_suffix(".err").open("w"),
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def query(url: str, sql: str) -> list[tuple]:
    async def run() -> list[tuple]:
        async with connect(async_url(url, "fault injection")) as connection:
            rows = [tuple(row) for row in await connection.execute(text(sql))]
            await connection.commit()
            return rows

    return anyio.run(run)


def wait_for_first_step(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if query(url, "SELECT count(*) FROM fault_audit")[0][0]:
                return
        except Exception:  # noqa: BLE001 -- no database or no table yet
            pass
        time.sleep(0.05)


def lose_lock(backend: str, url: str, database: Path | None) -> None:
    if backend == "postgresql":
        # this database's lock only: advisory locks are per database, and the server is shared
        query(url, "SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_database d "
                   "ON d.oid = l.database WHERE d.datname = current_database() AND "
                   "l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND "
                   f"l.classid = {0x6F726368} AND l.objid = {0x7472616E}")
    else:
        assert database is not None
        Path(f"{database}.train-lock").unlink(missing_ok=True)


def run_round(number: int, backend: str, url: str, root: Path, heads: dict[str, str],
              rng: random.Random, logs: Path, database: Path | None) -> Round:
    fault = rng.choice(FAULTS)
    outcome = Round(number, fault, raced=rng.random() < 0.5)
    log = logs / f"round{number}"
    first = orchestrate(root, url, "train", "run", TRAIN, log=log.with_name(log.name + "-a"))
    runners = [first]
    if outcome.raced:
        runners.append(orchestrate(root, url, "train", "run", TRAIN, "--wait", "60",
                                   log=log.with_name(log.name + "-b")))
    if rng.random() < 0.25:  # any moment: start-up, waiting for the lock, reconciling...
        time.sleep(rng.uniform(0.2, 3.0))
    else:  # while steps are applied
        wait_for_first_step(url, deadline=time.monotonic() + 60)
        time.sleep(rng.uniform(0, 1.5))
    if fault == "kill-runner":
        first.send_signal(signal.SIGKILL)
    elif fault == "ctrl-c":
        first.send_signal(signal.SIGINT)
    else:
        lose_lock(backend, url, database)
    for runner in runners:
        try:
            outcome.codes.append(runner.wait(120))
        except subprocess.TimeoutExpired:
            runner.kill()
            outcome.violations.append(f"a runner did not finish: pid {runner.pid}")
    for index in range(3):  # finish the train, as an operator would
        finisher = orchestrate(root, url, "train", "resume", TRAIN, "--wait", "60",
                               log=log.with_name(f"{log.name}-resume{index}"))
        code = finisher.wait(180)
        if code == 2:  # never ran, or nothing left to resume
            again = orchestrate(root, url, "train", "run", TRAIN, "--wait", "60",
                                log=log.with_name(f"{log.name}-run{index}"))
            code = again.wait(180)
        if code == 0:
            break
    for path in logs.glob(f"{log.name}-*.err"):
        content = path.read_text()
        if content.rstrip().endswith("\nKeyboardInterrupt"):
            # Ctrl-C while Python imports the command line, before any database work: a
            # traceback on the terminal (start-up is issue 17's), nothing touched
            outcome.startup_interrupted = True
        elif any(mark in content for mark in BAD_OUTPUT):
            outcome.violations.append(f"{path.name}: {content.strip().splitlines()[-1]}")
    outcome.violations += check(url, heads)
    allowed = {0, 2, 3, 130, -signal.SIGKILL, -signal.SIGINT}
    outcome.violations += [f"a runner exited {code}" for code in outcome.codes
                           if code not in allowed]
    return outcome


def check(url: str, heads: dict[str, str]) -> list[str]:
    problems = []
    expected = Counter([revision_id("audit", 1)] + [
        revision_id(s, n) for s in SERVICES for n in range(1, REVISIONS + 1)])
    audit = query(url, "SELECT rev, pid FROM fault_audit ORDER BY id")
    applied = Counter(rev for rev, _ in audit)
    if applied != expected:
        twice = sorted(rev for rev, count in applied.items() if count > 1)
        missing = sorted(set(expected) - set(applied))
        problems.append(f"audit rows: applied twice {twice}, missing {missing}")
    seen: list[int] = []
    for _, pid in audit:
        if not seen or seen[-1] != pid:
            if pid in seen:
                problems.append(f"runner pid {pid} applied again after another runner")
            seen.append(pid)
    for service, head in heads.items():
        rows = [row[0] for row in query(url, f"SELECT version_num FROM alembic_version_{service}")]
        if rows != [head]:
            problems.append(f"{service}: version table holds {rows}, not {head}")
    ledger = Counter(f"{s}:{r}" for s, r in query(
        url, "SELECT service, revision FROM orchestrate_steps WHERE status = 'applied'"))
    if any(count != 1 for count in ledger.values()) or len(ledger) != len(expected):
        problems.append(f"ledger: applied steps {dict(ledger)}")
    statuses = [row[0] for row in query(url, "SELECT status FROM orchestrate_runs ORDER BY id")]
    if "running" in statuses or not statuses or statuses[-1] != "succeeded":
        problems.append(f"ledger: runs {statuses}")
    return problems


@contextmanager
def database(backend: str, server: str, folder: Path) -> Iterator[tuple[str, Path | None]]:
    if backend == "postgresql":
        with throwaway_postgres(server, "orch_fault") as url:
            yield url, None
    else:
        path = folder / f"fault-{time.monotonic_ns()}.db"
        yield f"sqlite+aiosqlite:///{path}", path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg", default=os.environ.get(
        "ORCHESTRATE_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432"))
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    total_violations = 0
    with tempfile.TemporaryDirectory(prefix="orch-fault-") as tmp:
        folder = Path(tmp)
        heads = build_workspace(folder / "ws")
        print(f"seed {seed}; {len(SERVICES) * REVISIONS + 1} steps per train; "
              f"workspace {folder / 'ws'}")
        for backend in backends:
            faults: Counter[str] = Counter()
            violations = 0
            started = time.perf_counter()
            for number in range(1, args.runs + 1):
                logs = folder / "logs" / backend
                logs.mkdir(parents=True, exist_ok=True)
                with database(backend, args.pg, folder) as (url, path):
                    outcome = run_round(number, backend, url, folder / "ws", heads, rng, logs,
                                        path)
                faults[outcome.fault + (" (during start-up)" if outcome.startup_interrupted
                                        else "")] += 1
                violations += len(outcome.violations)
                print(f"{backend:10} round {number:3}: {outcome.fault:11} "
                      f"{'2 runners' if outcome.raced else '1 runner '} exits {outcome.codes} "
                      f"violations {len(outcome.violations)}"
                      + "".join(f"\n    {v}" for v in outcome.violations), flush=True)
            print(f"{backend}: {args.runs} rounds in {time.perf_counter() - started:.0f}s, "
                  f"faults {dict(faults)}, violations: {violations}")
            total_violations += violations
    print(f"violations: {total_violations}")
    sys.exit(1 if total_violations else 0)


if __name__ == "__main__":
    main()
