"""``orchestrate fleet run``: one release train over every database of a fleet.

Each database runs the train exactly as ``orchestrate train run`` would, with its own ledger
and its own one-runner lock, so several fleet runners (on several machines) can share a fleet:
a database whose lock another runner holds is left to that runner ("busy") and looked at
again at the end; a database whose last run failed or whose runner died is resumed. A canary
wave goes first and any failure in it stops the fleet; after it, the fleet stops starting new
databases once more than ``max_failures`` have failed.

Alembic's ``op`` and ``context`` are process-wide, so two databases cannot migrate in one
process at once: databases are applied by worker processes forked after the workspace is
loaded (models, histories and graphs are shared, not loaded again), ``concurrency`` at a time.
"""
from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import anyio
import structlog
from sqlalchemy.engine import make_url

from orchestrator.core.errors import ConfigError, OrchestrateError, describe_error
from orchestrator.core.logs import get_logger
from orchestrator.runtime.database import redact
from orchestrator.runtime.lock import TrainLocked
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.trains.fleets.manifest import FleetManifest, Member, load_fleet, members
from orchestrator.trains.manifest import load_manifest
from orchestrator.trains.run import TrainCannotStart, TrainRun, TrainStepFailed, run_train

log = get_logger()

#: Outcomes of one database: applied (steps ran), up-to-date (nothing to do), busy (another
#: runner holds it), failed (a step failed and was rolled back), error (could not run at all),
#: not-started (the fleet stopped before it).
FAILED = ("failed", "error")


@dataclass
class DatabaseOutcome:
    name: str
    url: str  # password hidden
    wave: int
    status: str = "not-started"
    steps: int = 0
    seconds: float = 0.0
    error: str | None = None
    exit_code: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"database": self.name, "url": self.url, "wave": self.wave,
                "status": self.status, "steps": self.steps,
                "seconds": round(self.seconds, 3), "error": self.error}


@dataclass
class Wave:
    number: int
    label: str  # "canary" or "rest"
    databases: list[str]
    seconds: float = 0.0


@dataclass
class FleetRun:
    manifest: FleetManifest
    train: str
    waves: list[Wave]
    outcomes: dict[str, DatabaseOutcome]
    stopped: str | None = None  # why the fleet stopped early
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, *statuses: str) -> int:
        return sum(1 for o in self.outcomes.values() if o.status in statuses)

    @property
    def exit_code(self) -> int:
        """3 when a database failed at run time, 2 when one could not start, else 0."""
        return max((o.exit_code for o in self.outcomes.values() if o.status in FAILED),
                   default=0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fleet": self.manifest.name, "train": self.train, "stopped": self.stopped,
            "waves": [{"wave": w.number, "label": w.label, "databases": w.databases,
                       "seconds": round(w.seconds, 3)} for w in self.waves],
            "databases": [o.to_dict() for o in self.outcomes.values()],
        }


def parse_canary(text: str) -> Callable[[int], int]:
    """``"1"`` (databases) or ``"5%"`` (of the fleet, rounded up): the canary wave's size."""
    spec = text.strip()
    try:
        if spec.endswith("%"):
            percent = float(spec[:-1])
            if not 0 <= percent <= 100:
                raise ValueError
            return lambda total: min(total, math.ceil(total * percent / 100))
        count = int(spec)
        if count < 0:
            raise ValueError
    except ValueError:
        raise ConfigError(f"--canary {text!r}: give a number of databases (1) or a percentage "
                          "of the fleet (5%); 0 runs no canary") from None
    return lambda total: min(total, count)


def fleet_run(orch: Orchestration, fleet: str, train: str, *, concurrency: int | None = None,
              canary: str = "1", max_failures: int = 0, wait: float = 0.0,
              on_wave: Callable[[Wave, FleetRun], None] | None = None) -> FleetRun:
    """Apply train ``train`` to every database of fleet ``fleet`` (a plain function).

    Call it from synchronous code: it forks worker processes and runs an event loop of its own
    for each database.
    """
    if max_failures < 0:
        raise ConfigError("--max-failures must be 0 or more")
    canary_size = parse_canary(canary)
    manifest = load_fleet(orch.workspace.settings, fleet)
    ws = orch.workspace
    load_manifest(ws.settings, train, ws.histories)  # a bad train: exit 2 before any database
    ws.ownership  # noqa: B018  (an ownership overlap: exit 2 before any database)
    orch.revision_graph  # noqa: B018  (built once, before forking: every worker shares it)
    databases = anyio.run(members, manifest)
    size = canary_size(len(databases))
    groups = [("canary", databases[:size]), ("rest", databases[size:])]
    waves = [Wave(i, label, [m.name for m in group])
             for i, (label, group) in enumerate((g for g in groups if g[1]), start=1)]
    result = FleetRun(manifest, train, waves, {
        m.name: DatabaseOutcome(m.name, m.shown_url, wave.number)
        for wave in waves for m in databases if m.name in wave.databases})
    by_name = {m.name: m for m in databases}
    workers = min(concurrency or manifest.concurrency, max(len(databases), 1))
    global _WORKER_ORCH
    _WORKER_ORCH = orch
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for wave in waves:
                started = time.perf_counter()
                limit = 0 if wave.label == "canary" else max_failures
                _run_wave(pool, [by_name[n] for n in wave.databases], train, wait, result,
                          limit, workers, wave.label)
                wave.seconds = time.perf_counter() - started
                if on_wave:
                    on_wave(wave, result)
                if result.stopped:
                    break
            busy = [by_name[o.name] for o in result.outcomes.values() if o.status == "busy"]
            if busy and not result.stopped:  # their runner may have finished, or died
                _run_wave(pool, busy, train, wait, result, max_failures, workers, "busy")
    finally:
        _WORKER_ORCH = None
    return result


def _run_wave(pool: ProcessPoolExecutor, wave: list[Member], train: str, wait_seconds: float,
              result: FleetRun, limit: int, workers: int, label: str) -> None:
    """Apply ``wave``, ``workers`` at a time; stop starting new ones past ``limit`` failures."""
    queue = list(wave)
    running: dict[Future[dict[str, Any]], str] = {}
    failures = result.count(*FAILED)
    while queue or running:
        while queue and len(running) < workers and not result.stopped:
            member = queue.pop(0)
            url = member.url.render_as_string(hide_password=False)
            running[pool.submit(_apply_one, member.name, url, train, wait_seconds)] = member.name
        if not running:
            break
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            outcome = result.outcomes[running.pop(future)]
            for key, value in future.result().items():
                setattr(outcome, key, value)
            if outcome.status in FAILED:
                failures += 1
                if failures > limit and not result.stopped:
                    why = "in the canary wave" if label == "canary" else (
                        f"(--max-failures {limit})")
                    result.stopped = f"stopped after {failures} failed database(s) {why}"


_WORKER_ORCH: Orchestration | None = None  # set in the parent before the workers fork


def _apply_one(name: str, url: str, train: str, wait_seconds: float) -> dict[str, Any]:
    """In a worker process: run (or resume) the train on one database; never raises."""
    assert _WORKER_ORCH is not None, "fleet workers are forked by fleet_run"
    orch = _WORKER_ORCH.for_database(make_url(url))
    started = time.perf_counter()
    with structlog.contextvars.bound_contextvars(database=name):
        try:
            train_run = anyio.run(_run_or_resume, orch, train, wait_seconds)
        except TrainLocked as busy:
            return {"status": "busy", "error": busy.message, "seconds": _since(started)}
        except TrainStepFailed as failed:
            return {"status": "failed", "error": failed.message, "exit_code": failed.exit_code,
                    "steps": failed.position - 1, "seconds": _since(started)}
        except OrchestrateError as error:
            return {"status": "error", "error": error.message, "exit_code": error.exit_code,
                    "seconds": _since(started)}
        except Exception as error:  # a bug, or a driver error: this database only
            log.exception("the train could not run on this database")
            return {"status": "error", "error": describe_error(error),
                    "exit_code": 3, "seconds": _since(started)}
    applied = len(train_run.applied)
    return {"status": "applied" if applied else "up-to-date", "steps": applied,
            "error": None, "exit_code": 0, "seconds": _since(started)}


async def _run_or_resume(orch: Orchestration, train: str, wait_seconds: float) -> TrainRun:
    try:
        return await run_train(orch, train, wait=wait_seconds)
    except TrainCannotStart:  # its last run failed or its runner died: continue it
        log.info("resuming the train on this database", url=redact(orch.url))
        return await run_train(orch, train, resume=True, wait=wait_seconds)


def _since(started: float) -> float:
    return time.perf_counter() - started
