"""A fleet of PostgreSQL databases against a shell loop, whole processes side by side.

N throwaway databases (100 by default) get a synthetic workspace's release (5 services x 5
revisions by default) two ways, each timed as what a user runs, from a shell:

  loop   ``for url in ...; do orchestrate upgrade --database-url $url; done``
  fleet  ``orchestrate fleet run bench bench --concurrency C``

and are read two ways, ``orchestrate plan`` per database against ``orchestrate fleet plan``.
Every database is reset (its schema dropped) before each timed run; rounds are interleaved and
the medians reported.

    python -m benchmarks.fleet_bench [--databases 100] [--services 5] [--revisions 5]
        [--concurrency 4] [--rounds 3] [--pg postgresql+asyncpg://postgres@127.0.0.1:5432]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import anyio
from sqlalchemy import text

from benchmarks import synthetic
from benchmarks.databases import throwaway_postgres
from orchestrator.runtime.database import async_url, connect

ORCHESTRATE = [sys.executable, "-m", "orchestrator"]


def reset(urls: list[str]) -> None:
    limiter = anyio.CapacityLimiter(8)  # the server's connections are shared

    async def drop(url: str) -> None:
        async with limiter, connect(async_url(url, "bench")) as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
            await connection.commit()

    async def all_of_them() -> None:
        async with anyio.create_task_group() as group:
            for url in urls:
                group.start_soon(drop, url)

    anyio.run(all_of_them)


def timed(commands: list[list[str]], root: Path) -> tuple[float, list[str]]:
    """Run ``commands`` one after the other, as a shell loop would: seconds, and their stdout."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    outputs = []
    started = time.perf_counter()
    for command in commands:
        done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command[2:5])} exited {done.returncode}: "
                             f"{done.stderr[-2000:]}")
        outputs.append(done.stdout)
    return time.perf_counter() - started, outputs


def check_fleet_run(stdout: str, databases: int, steps: int) -> None:
    """The fleet really applied every step to every database (a fast wrong run is no result)."""
    report = json.loads(stdout)
    applied = [d["steps"] for d in report["databases"] if d["status"] == "applied"]
    if applied != [steps] * databases:
        raise SystemExit(f"fleet run did not apply {steps} steps to {databases} databases: "
                         f"{report['databases'][:3]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", type=int, default=100)
    parser.add_argument("--services", type=int, default=5)
    parser.add_argument("--tables", type=int, default=3)
    parser.add_argument("--revisions", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg", default="postgresql+asyncpg://postgres@127.0.0.1:5432")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        root = Path(tmp) / "ws"
        synthetic.build(root, args.services, args.tables, revisions=args.revisions)
        urls = [stack.enter_context(throwaway_postgres(args.pg, "orch_fleet_bench"))
                for _ in range(args.databases)]
        (root / "fleets").mkdir()
        (root / "fleets" / "bench.toml").write_text(
            "[databases]\n" + "".join(f"db{i:03} = {url!r}\n" for i, url in enumerate(urls)))
        (root / "trains").mkdir(exist_ok=True)
        (root / "trains" / "bench.toml").write_text(
            "[targets]\n" + "".join(f'{synthetic.service_name(s)} = "head"\n'
                                    for s in range(args.services)))
        steps = args.services * args.revisions
        base = [*ORCHESTRATE]
        loop_up = [[*base, "upgrade", "--database-url", url] for url in urls]
        loop_plan = [[*base, "plan", "--database-url", url] for url in urls]
        fleet_up = [[*base, "fleet", "run", "bench", "bench", "--concurrency",
                     str(args.concurrency), "--canary", "1", "--json"]]
        fleet_plan = [[*base, "fleet", "plan", "bench", "--concurrency", "16"]]
        results: dict[str, list[float]] = {k: [] for k in ("loop plan", "fleet plan",
                                                           "loop upgrade", "fleet run")}
        for round_ in range(args.rounds):
            reset(urls)
            results["loop plan"].append(timed(loop_plan, root)[0])
            results["fleet plan"].append(timed(fleet_plan, root)[0])
            results["loop upgrade"].append(timed(loop_up, root)[0])
            reset(urls)
            seconds, (report,) = timed(fleet_up, root)
            check_fleet_run(report, args.databases, steps)
            results["fleet run"].append(seconds)
            print(f"round {round_ + 1}: " + ", ".join(
                f"{k} {v[-1]:.1f}s" for k, v in results.items()), file=sys.stderr)
        median = {k: statistics.median(v) for k, v in results.items()}
        print(f"{args.databases} PostgreSQL databases, {args.services} services, {steps} steps "
              f"each; medians of {args.rounds} interleaved rounds; fleet concurrency "
              f"{args.concurrency}; {os.cpu_count()} cores")
        print(f"{'':14}{'shell loop':>12}{'fleet':>10}{'ratio':>8}")
        for label, loop, fleet in (("plan", "loop plan", "fleet plan"),
                                   ("upgrade/run", "loop upgrade", "fleet run")):
            print(f"{label:14}{median[loop]:11.1f}s{median[fleet]:9.1f}s"
                  f"{median[loop] / median[fleet]:7.1f}x")


if __name__ == "__main__":
    main()
