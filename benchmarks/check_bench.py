"""``orchestrate check`` against the plain-Alembic ways of doing the same work, side by side.

For each workspace size (services x tables), a synthetic workspace is built
(:mod:`benchmarks.synthetic`), a fresh PostgreSQL database is upgraded to head, and then, in one
run, on the same database, with the models already imported for (b) and (c):

  (a) a loop of one ``alembic -c <service>.ini check`` process per service (what CI does by
      hand); on big workspaces only a sample of services is timed and the total extrapolated,
      which the output says;
  (b) plain Alembic in-process: ``compare_metadata`` service after service, each with its own
      ``MigrationContext`` (and so its own reflection), on one connection;
  (c) ``orchestrate check`` in-process: the library call, one shared reflection;
  (d) ``orchestrate plan`` in-process: everything ``plan`` shows (state, sequencing, lint of
      pending revisions, model changes from the same one shared reflection);
  and, as a user runs them, the ``orchestrate check`` and ``orchestrate plan`` commands as
  processes (imports and model loading included), next to (a).

A last line runs (b) under the garbage-collector pacing orchestrate uses while it compares
(:mod:`orchestrator.core.gc_tuning`), to show how much of the gain is the shared reflection and how
much the pacing. (b) and (c) run ``--repeat`` times, alternating, and the best time of each is
used (the box may be shared). Every way must find nothing to change, or the benchmark stops.

    python -m benchmarks.check_bench                      # 20x25 and 200x25 tables
    python -m benchmarks.check_bench --sizes 20x25 --sample 0   # (a) on every service
"""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from benchmarks import synthetic
from benchmarks.databases import throwaway_postgres
from orchestrator.autogenerate.check import check
from orchestrator.core.gc_tuning import paced_collections
from orchestrator.core.logs import configure_logging
from orchestrator.planner import make_plan
from orchestrator.runtime.database import connect
from orchestrator.runtime.migrate import upgrade
from orchestrator.runtime.migration_options import migration_options
from orchestrator.runtime.orchestration import Orchestration

DEFAULT_SERVER = os.environ.get("ORCHESTRATE_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=DEFAULT_SERVER, help="PostgreSQL server URL (no db)")
    parser.add_argument("--sizes", default="20x25,200x25",
                        help="comma-separated SERVICESxTABLES (default: 20x25,200x25)")
    parser.add_argument("--sample", type=int, default=20,
                        help="time (a) on at most this many services and extrapolate "
                             "(0: every service)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of (b) and (c) each")
    args = parser.parse_args()
    configure_logging("plain", 0)
    for size in args.sizes.split(","):
        services, tables = (int(n) for n in size.lower().split("x"))
        with tempfile.TemporaryDirectory(prefix="orchestrate-bench-") as folder:
            bench(Path(folder), args.server, services, tables, args.sample, args.repeat)


def bench(folder: Path, server: str, services: int, tables: int, sample: int,
          repeat: int) -> None:
    root = synthetic.build(folder / "ws", services, tables)
    with throwaway_postgres(server) as url:
        print(f"\n== {services} services x {tables} tables = {services * tables} tables "
              f"(PostgreSQL) ==")
        started = time.perf_counter()
        orch = Orchestration.open(root, url)
        anyio.run(upgrade, orch)
        print(f"   setup: workspace built and upgraded in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        orch = Orchestration.open(root, url)
        orch.workspace.metadata, orch.workspace.ownership, orch.workspace.histories
        print(f"   models imported once for (b) and (c): {time.perf_counter() - started:.2f} s")

        loop, timed = process_loop(root, url, orch.workspace.names, sample)
        plain: list[float] = []
        ours: list[float] = []
        planned: list[float] = []
        tuned: list[float] = []
        for _ in range(repeat):
            plain.append(_timed(lambda: plain_alembic(orch)))
            ours.append(_timed(lambda: orchestrate_check(orch)))
            planned.append(_timed(lambda: orchestrate_plan(orch)))
            tuned.append(_timed(lambda: plain_alembic(orch, paced_collections)))
        commands = {name: min(_timed(lambda: command(root, url, name)) for _ in range(repeat))
                    for name in ("check", "plan")}
        b, c, d = min(plain), min(ours), min(planned)
        label = ("every service" if timed == services
                 else f"{timed} of {services} services timed, extrapolated")
        print(f"   (a) one `alembic check` process per service: {loop:8.2f} s  ({label})")
        print(f"   (b) plain Alembic in-process, per service:   {b:8.2f} s  "
              f"(runs: {_runs(plain)})")
        print(f"   (c) orchestrate check in-process:            {c:8.2f} s  "
              f"(runs: {_runs(ours)})")
        print(f"   ratios: (a)/(c) = {loop / c:5.1f}x   (b)/(c) = {b / c:4.1f}x   "
              f"(median-based (b)/(c) = {statistics.median(plain) / statistics.median(ours):.1f}x)")
        print(f"   (d) orchestrate plan in-process:             {d:8.2f} s  "
              f"(runs: {_runs(planned)})")
        print(f"   ratios: (a)/(d) = {loop / d:5.1f}x   (b)/(d) = {b / d:4.1f}x   "
              f"(d)/(c) = {d / c:4.2f}x (plan next to check alone)")
        for name, seconds in commands.items():
            print(f"   `orchestrate {name}` as a process:  {seconds:6.2f} s  "
                  f"(a)/this = {loop / seconds:5.1f}x")
        print(f"   (b) with orchestrate's GC pacing:   {min(tuned):.2f} s, so (b)/(c) from the "
              f"shared reflection alone = {min(tuned) / c:.1f}x")


def process_loop(root: Path, url: str, names: list[str], sample: int) -> tuple[float, int]:
    """(a): ``alembic -c <ini> check`` once per service; sampled evenly when asked."""
    chosen = names if not sample or sample >= len(names) else [
        names[round(i * (len(names) - 1) / (sample - 1))] for i in range(sample)]
    env = {**os.environ, "ORCHESTRATE_DATABASE_URL": url, "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    for service in chosen:
        done = subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(root / "alembic.ini.d" / f"{service}.ini"),
             "check"], cwd=root, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"alembic check failed for {service}: {done.stdout}{done.stderr}")
    return (time.perf_counter() - started) * len(names) / len(chosen), len(chosen)


def plain_alembic(orch: Orchestration, around=contextlib.nullcontext) -> None:  # noqa: ANN001
    """(b): what an in-process script does with plain Alembic, service after service."""
    ws = orch.workspace

    def compare_each(connection) -> None:  # noqa: ANN001
        for name in ws.names:
            context = MigrationContext.configure(connection, opts=migration_options(
                ws.services[name], ws.metadata[name], ws.ownership, connection.dialect.name))
            diffs = compare_metadata(context, ws.metadata[name])
            if diffs:
                raise SystemExit(f"plain Alembic found changes in {name}: {diffs[:3]}")

    async def run() -> None:
        with around():
            async with connect(orch.url) as connection:
                await connection.run_sync(compare_each)

    anyio.run(run)


def orchestrate_check(orch: Orchestration) -> None:
    """(c): the library call behind ``orchestrate check``."""
    report = anyio.run(check, orch)
    if not report.clean:
        raise SystemExit(f"orchestrate check found changes: {report.to_dict()}")


def orchestrate_plan(orch: Orchestration) -> None:
    """(d): the library call behind ``orchestrate plan``."""
    plan = anyio.run(make_plan, orch)
    if not plan.clean or plan.steps:
        raise SystemExit(f"orchestrate plan is not clean: {plan.to_dict()['findings']}")


def command(root: Path, url: str, name: str) -> None:
    """``orchestrate check`` / ``orchestrate plan`` as a user runs them, one process."""
    done = subprocess.run([sys.executable, "-m", "orchestrator", name, "--root", str(root),
                           "--database-url", url], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"orchestrate {name} failed: {done.stdout}{done.stderr}")


def _timed(action) -> float:  # noqa: ANN001
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _runs(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    main()
