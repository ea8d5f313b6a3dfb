"""The stairway (every revision up, down, up in global order, then all down in reverse) by
orchestrate against the same moves with plain Alembic's commands, side by side in one run.

A synthetic workspace (10 services x 5 revisions by default, linear histories) is put through
the stairway on a fresh database per run, on SQLite and on PostgreSQL:

  alembic      ``alembic.command.upgrade(config, rev)`` / ``downgrade(config, "-1")`` per
               move, in-process, through the services' own env.py (what a team scripts)
  orchestrate  ``orchestrator.runtime.stairway.stairway`` as a library call (what the pytest
               plugin's ``test_stairway`` runs)

Medians of interleaved runs (the machine may be shared: both ways are slowed alike).

    python -m benchmarks.stairway_bench [--services 10] [--revisions 5] [--tables 3]
        [--pg postgresql+asyncpg://postgres@127.0.0.1:5432] [--no-pg] [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio
from alembic import command

from benchmarks import synthetic
from benchmarks.databases import throwaway_postgres
from orchestrator.core.logs import configure_logging
from orchestrator.runtime.database import ENV_VAR
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.sequencer import Sequencer
from orchestrator.runtime.stairway import stairway
from orchestrator.runtime.state import DatabaseState


def plain_alembic(root: Path, url: str) -> int:
    """The stairway's moves, one Alembic command each."""
    orch = Orchestration.open(root, url)
    steps = Sequencer(orch.revision_graph, DatabaseState(heads={})).upgrade()
    configs = {name: service.alembic_config() for name, service in orch.workspace.services.items()}
    previous = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = url
    try:
        for step in steps:
            command.upgrade(configs[step.service], step.revision)
            command.downgrade(configs[step.service], "-1")
            command.upgrade(configs[step.service], step.revision)
        for step in reversed(steps):
            command.downgrade(configs[step.service], "-1")
    finally:
        if previous is None:
            os.environ.pop(ENV_VAR)
        else:
            os.environ[ENV_VAR] = previous
    return len(steps)


def orchestrate(root: Path, url: str) -> int:
    return len(anyio.run(stairway, Orchestration.open(root, url)))


WAYS: dict[str, Callable[[Path, str], int]] = {"alembic": plain_alembic,
                                                "orchestrate": orchestrate}


@contextmanager
def fresh_sqlite(folder: Path) -> Iterator[str]:
    yield f"sqlite+aiosqlite:///{folder / f'{uuid.uuid4().hex}.db'}"


def measure(root: Path, database, repeat: int) -> tuple[dict[str, float], int]:
    """Median of ``repeat`` rounds per way, the ways taking turns, each on a fresh database."""
    times: dict[str, list[float]] = {label: [] for label in WAYS}
    steps = 0
    for _ in range(repeat):
        for label, way in WAYS.items():
            with database() as url:
                started = time.perf_counter()
                steps = way(root, url)
                times[label].append(time.perf_counter() - started)
    return {label: statistics.median(values) for label, values in times.items()}, steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10)
    parser.add_argument("--revisions", type=int, default=5)
    parser.add_argument("--tables", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get(
        "ORCHESTRATE_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432"))
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--repeat", type=int, default=3, help="median of N runs per way")
    args = parser.parse_args()
    configure_logging("plain", 0)

    with tempfile.TemporaryDirectory(prefix="stairway-bench-") as tmp:
        root = synthetic.build(Path(tmp) / "ws", args.services, args.tables, args.revisions)
        Orchestration.open(root, f"sqlite+aiosqlite:///{Path(tmp) / 'warm.db'}"
                           ).workspace.metadata  # import every model once, before timing
        backends: list[tuple[str, Callable]] = [("sqlite", lambda: fresh_sqlite(Path(tmp)))]
        if not args.no_pg:
            backends.append(("postgresql", lambda: throwaway_postgres(args.pg)))
        print(f"{args.services} services x {args.revisions} revisions ({args.tables} tables "
              "each): each step up, down, up, then all down; 4 moves per step\n")
        print(f"{'backend':<11} {'steps':>5}  {'alembic':>14} {'orchestrate':>14}  "
              f"{'alembic/orchestrate':>19}")
        for backend, database in backends:
            seconds, steps = measure(root, database, args.repeat)
            moves = steps * 4
            print(f"{backend:<11} {steps:>5}  "
                  + " ".join(f"{seconds[k] / moves * 1000:>8.2f} ms/mv"
                             for k in ("alembic", "orchestrate"))
                  + f"  {seconds['alembic'] / seconds['orchestrate']:>19.2f}")


if __name__ == "__main__":
    main()
