"""``orchestrate check`` and ``plan`` against the plain-Alembic ways of doing the same work.

For each workspace size (services x tables), a synthetic workspace is built
(:mod:`benchmarks.synthetic`), a fresh PostgreSQL database is upgraded to head, and then, in
rounds that interleave every way (medians reported: the box may be shared), on the same
database:

  (a) a loop of one ``alembic -c <service>.ini check`` process per service (what CI does by
      hand); on big workspaces only a sample of services is timed and the total extrapolated,
      which the output says;
  (b) plain Alembic in-process: ``compare_metadata`` service after service, each with its own
      ``MigrationContext`` (and so its own reflection), on one connection, models imported;
  (c) ``orchestrate check`` and (d) ``orchestrate plan`` in-process (library calls, models
      imported, no comparison cache);
  and, as users run them, whole processes (:mod:`benchmarks.phases` times their phases):
  ``orchestrate plan --no-cache``, ``orchestrate plan`` with a warm comparison cache, the same
  ending with a heap teardown (the exit before the fast exit), ``orchestrate check
  --no-cache``; start-up (``--version``, ``heads``); the *catalog floor* (the database
  answering every catalog question the comparison needs, in-process: ``reflect`` of every
  owned table); and ``alembic -c <one service>.ini current`` next to the same command in a
  one-service project.

Every way must find nothing to change, or the benchmark stops. PostgreSQL connections stay
at 8 or fewer (the workspace's concurrency is 6, plus one per comparing process).

    python -m benchmarks.check_bench                      # 4x25, 20x25, 80x25 tables
    python -m benchmarks.check_bench --sizes 200x25 --repeat 1   # 5,000 tables, once
"""
from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import anyio
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from benchmarks import phases, synthetic
from benchmarks.databases import throwaway_postgres
from orchestrator.autogenerate.check import check
from orchestrator.autogenerate.reflection import reflect
from orchestrator.core.logs import configure_logging
from orchestrator.planner import make_plan
from orchestrator.runtime.database import connect
from orchestrator.runtime.migrate import upgrade
from orchestrator.runtime.migration_options import migration_options
from orchestrator.runtime.orchestration import ComparisonOptions, Orchestration

DEFAULT_SERVER = os.environ.get("ORCHESTRATE_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
CONCURRENCY = 6  # + one connection per comparing process: at most 8 on a 2-core machine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=DEFAULT_SERVER, help="PostgreSQL server URL (no db)")
    parser.add_argument("--sizes", default="4x25,20x25,80x25",
                        help="comma-separated SERVICESxTABLES (default: 4x25,20x25,80x25)")
    parser.add_argument("--sample", type=int, default=10,
                        help="time (a) on at most this many services and extrapolate "
                             "(0: every service)")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds")
    args = parser.parse_args()
    configure_logging("plain", 0)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.platform()} (shared with other work: "
          "medians of interleaved rounds)")
    for size in args.sizes.split(","):
        services, tables = (int(n) for n in size.lower().split("x"))
        with tempfile.TemporaryDirectory(prefix="orchestrate-bench-") as folder:
            bench(Path(folder), args.server, services, tables, args.sample, args.repeat)


def build(root: Path, services: int, tables: int) -> Path:
    synthetic.build(root, services, tables)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f"concurrency = {CONCURRENCY}\n")
    return root


def bench(folder: Path, server: str, services: int, tables: int, sample: int,
          repeat: int) -> None:
    root = build(folder / "ws", services, tables)
    one = build(folder / "one", 1, tables)  # s000 alone: the same tables as the big one's s000
    with throwaway_postgres(server) as url:
        print(f"\n== {services} services x {tables} tables = {services * tables} tables "
              f"(PostgreSQL) ==")
        started = time.perf_counter()
        anyio.run(upgrade, Orchestration.open(root, url))
        print(f"   setup: workspace built and upgraded in {time.perf_counter() - started:.1f} s")
        orch = Orchestration.open(root, url)
        orch.comparison = ComparisonOptions(cache=False, processes=1)  # in-process, as (b)
        orch.workspace.metadata, orch.workspace.ownership, orch.workspace.histories
        target = ["--root", str(root), "--database-url", url]
        env = {"ORCHESTRATE_DATABASE_URL": url, "PYTHONDONTWRITEBYTECODE": "1"}
        alembic_current = _alembic(root, "s000", "current", env)
        one_current = _alembic(one, "s000", "current", env)
        for warm_up in (["plan", *target], ["check", *target]):  # readings, claims, comparisons
            phases.run(warm_up)
        alembic_current(), one_current()

        times: dict[str, list[float]] = {}
        split: dict[str, list[dict[str, float]]] = {}

        def timed(name: str, action: Callable[[], object]) -> None:
            begun = time.perf_counter()
            action()
            times.setdefault(name, []).append(time.perf_counter() - begun)

        def process(name: str, args: list[str], teardown: bool = False) -> None:
            measured = phases.run([*args, *target], teardown=teardown)
            split.setdefault(name, []).append(measured)
            times.setdefault(name, []).append(measured["total"])

        for _ in range(repeat):
            loop, timed_services = process_loop(root, url, orch.workspace.names, sample)
            times.setdefault("(a)", []).append(loop)
            timed("(b)", lambda: plain_alembic(orch))
            timed("(c)", lambda: orchestrate_check(orch))
            timed("(d)", lambda: orchestrate_plan(orch))
            process("plan --no-cache", ["plan", "--no-cache"])
            process("plan (warm cache)", ["plan"])
            process("plan, heap torn down", ["plan"], teardown=True)
            process("check --no-cache", ["check", "--no-cache"])
            timed("catalog floor", lambda: catalog_floor(orch))
            process("--version", ["--version"])
            process("heads", ["heads"])
            timed("alembic current (this workspace)", alembic_current)
            timed("alembic current (one-service project)", one_current)
        report(times, split, services, timed_services)


def report(times: dict[str, list[float]], split: dict[str, list[dict[str, float]]],
           services: int, timed_services: int) -> None:
    median = {name: statistics.median(values) for name, values in times.items()}
    label = ("every service" if timed_services == services
             else f"{timed_services} of {services} services timed, extrapolated")
    a = median["(a)"]
    print(f"   (a) one `alembic check` process per service: {a:8.2f} s  ({label})")
    for name, what in (("(b)", "plain Alembic in-process, per service"),
                       ("(c)", "orchestrate check in-process"),
                       ("(d)", "orchestrate plan in-process")):
        print(f"   {name} {what + ':':42} {median[name]:8.2f} s  (runs: {_runs(times[name])})")
    print(f"   in-process ratios: (a)/(c) = {a / median['(c)']:.1f}x   "
          f"(b)/(c) = {median['(b)'] / median['(c)']:.1f}x")
    print("   whole processes (median; phases of the median run, seconds):")
    print(f"   {'':28} {'total':>7} {'(a)/this':>9}  " + " ".join(f"{p:>10}" for p in
                                                                  phases.PHASES))
    for name, runs in split.items():
        middle = sorted(runs, key=lambda run: run["total"])[len(runs) // 2]
        print(f"   {name:28} {median[name]:7.2f} {a / median[name]:8.1f}x  "
              + " ".join(f"{middle[p]:10.2f}" for p in phases.PHASES))
    floor, start = median["catalog floor"], median["--version"]
    warm = median["plan (warm cache)"]
    print(f"   catalog floor (reflect every owned table, in-process): {floor:.2f} s; "
          f"warm plan / (floor + --version start-up) = {warm / (floor + start):.1f}x")
    this, alone = (median["alembic current (this workspace)"],
                   median["alembic current (one-service project)"])
    print(f"   `alembic current` for one service: {this:.2f} s here, {alone:.2f} s in a "
          f"one-service project ({this / alone:.2f}x)")


def _alembic(root: Path, service: str, command: str, env: dict[str, str]
             ) -> Callable[[], None]:
    def run() -> None:
        done = subprocess.run(
            [sys.executable, "-m", "alembic", "-c",
             str(root / "alembic.ini.d" / f"{service}.ini"), command],
            cwd=root, env={**os.environ, **env}, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"alembic {command} failed in {root}: {done.stderr[-2000:]}")
    return run


def catalog_floor(orch: Orchestration) -> None:
    """Every catalog question the comparison asks, asked once for every owned table."""
    ws = orch.workspace
    owned = {table for name in ws.names for table in ws.ownership.tables_of(name)}

    async def run() -> None:
        async with contextlib.AsyncExitStack() as stack:
            pool = [await stack.enter_async_context(connect(orch.url))
                    for _ in range(CONCURRENCY)]
            await reflect(pool, owned)

    anyio.run(run)


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


def plain_alembic(orch: Orchestration) -> None:
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


def _runs(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    main()
