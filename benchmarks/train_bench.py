"""A release train against plain Alembic: time per step, side by side in one run.

A synthetic workspace (20 services x 25 revisions = 500 steps by default) is brought from an
empty database to head three ways, each on a fresh database, on SQLite and on PostgreSQL:

  alembic  ``alembic.command.upgrade(config, "head")`` per service, in dependency order,
           in-process, through the services' own env.py (what a team scripts by hand)
  upgrade  ``orchestrate upgrade`` as a library call (one connection, interleaved order)
  train    ``orchestrate train run`` as a library call: lock, ledger rows in every step's
           own transaction, the run recorded

    python -m benchmarks.train_bench [--services 20] [--revisions 25] [--tables 5]
        [--pg postgresql+asyncpg://postgres@127.0.0.1:5432] [--no-pg] [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
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
from orchestrator.runtime import migrate
from orchestrator.runtime.database import ENV_VAR
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.trains import run_train
from orchestrator.workspace.service_graph import ServiceGraph
from orchestrator.workspace.workspace import Workspace

TRAIN = "bench"


def plain_alembic(root: Path, url: str) -> int:
    """Every service to head with Alembic's own command, one service after the other."""
    workspace = Workspace.load(root)
    order = ServiceGraph.build(workspace.services, workspace.metadata, workspace.ownership).order
    previous = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = url
    try:
        for name in order:
            command.upgrade(workspace.services[name].alembic_config(), "head")
    finally:
        if previous is None:
            os.environ.pop(ENV_VAR)
        else:
            os.environ[ENV_VAR] = previous
    return sum(len(h.revisions) for h in workspace.histories.values())


def orchestrate_upgrade(root: Path, url: str) -> int:
    orch = Orchestration.open(root, url)
    return len(anyio.run(migrate.upgrade, orch).applied)


def train_run(root: Path, url: str) -> int:
    orch = Orchestration.open(root, url)
    return len(anyio.run(lambda: run_train(orch, TRAIN)).applied)


def write_manifest(root: Path, services: int) -> None:
    targets = "".join(f'{synthetic.service_name(s)} = "head"\n' for s in range(services))
    (root / "trains").mkdir(exist_ok=True)
    (root / "trains" / f"{TRAIN}.toml").write_text(
        f'description = "benchmark"\n\n[targets]\n{targets}')


@contextmanager
def fresh_sqlite(folder: Path) -> Iterator[str]:
    yield f"sqlite+aiosqlite:///{folder / f'{uuid.uuid4().hex}.db'}"


WAYS: dict[str, Callable[[Path, str], int]] = {
    "alembic": plain_alembic, "upgrade": orchestrate_upgrade, "train": train_run}


def measure(root: Path, database, repeat: int) -> tuple[dict[str, float], int]:
    """Best of ``repeat`` rounds per way, each on a fresh database.

    The ways take turns within a round, so a busy machine slows them alike; the first round
    also pays one-off imports.
    """
    best = {label: float("inf") for label in WAYS}
    steps = 0
    for _ in range(repeat):
        for label, way in WAYS.items():
            with database() as url:
                started = time.perf_counter()
                steps = way(root, url)
                best[label] = min(best[label], time.perf_counter() - started)
    return best, steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--revisions", type=int, default=25)
    parser.add_argument("--tables", type=int, default=5)
    parser.add_argument("--pg", default=os.environ.get(
        "ORCHESTRATE_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432"))
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per way")
    args = parser.parse_args()
    configure_logging("plain", 0)

    with tempfile.TemporaryDirectory(prefix="train-bench-") as tmp:
        root = synthetic.build(Path(tmp) / "ws", args.services, args.tables, args.revisions)
        write_manifest(root, args.services)
        Workspace.load(root).metadata  # import every model once, before any timing
        backends: list[tuple[str, Callable]] = [
            ("sqlite", lambda: fresh_sqlite(Path(tmp)))]
        if not args.no_pg:
            backends.append(("postgresql", lambda: throwaway_postgres(args.pg)))
        print(f"{args.services} services x {args.revisions} revisions "
              f"({args.tables} tables each), from an empty database to head\n")
        print(f"{'backend':<11} {'steps':>5}  {'alembic':>12} {'upgrade':>12} {'train':>12}"
              f"  {'train/alembic':>13} {'train/upgrade':>13}")
        for backend, database in backends:
            seconds, steps = measure(root, database, args.repeat)
            per_step = {label: s / steps * 1000 for label, s in seconds.items()}
            print(f"{backend:<11} {steps:>5}  "
                  + " ".join(f"{per_step[k]:>7.2f} ms/st" for k in ("alembic", "upgrade", "train"))
                  + f"  {seconds['train'] / seconds['alembic']:>13.2f}"
                  f" {seconds['train'] / seconds['upgrade']:>13.2f}")


if __name__ == "__main__":
    main()
