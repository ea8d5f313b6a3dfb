"""``orchestrate train status``: what the ledger says about a train, and who runs it now."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from orchestrator.runtime.database import connect
from orchestrator.runtime.database_lock import migration_lock
from orchestrator.runtime.ledger import Ledger, RunRecord, StepRecord
from orchestrator.runtime.lock import Holder
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.trains.manifest import check_train_name


@dataclass
class TrainStatus:
    train: str
    #: never-run | running | succeeded | failed | interrupted (its runner stopped and the lock is
    #: free, or another's; not reconciled yet) | partial (a step is partly applied and must be
    #: resolved: ``train resolve``)
    state: str
    holder: Holder | None
    runs: list[RunRecord]  # every run of the train, oldest first
    steps: list[StepRecord]  # the steps of the latest run and its resumes

    @property
    def stopped(self) -> bool:
        return self.state in ("failed", "interrupted", "partial")

    def to_dict(self) -> dict[str, Any]:
        return {
            "train": self.train,
            "state": self.state,
            "lock_holder": self.holder and self.holder.to_dict(),
            "runs": [r.to_dict() for r in self.runs],
            "steps": [s.to_dict() for s in self.steps],
        }


async def train_status(orch: Orchestration, name: str) -> TrainStatus:
    """Read-only: the ledger as recorded; a live run's current step shows as ``running``."""
    check_train_name(name)
    url = orch.url
    holder = await migration_lock(url).holder()
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return TrainStatus(name, "never-run", holder, [], [])

    def read(connection: Connection) -> tuple[list[RunRecord], list[RunRecord], list[StepRecord]]:
        ledger = Ledger(connection)
        if not ledger.exists():
            return [], [], []
        chain = ledger.chain(name)
        return ledger.runs_of(name), chain, ledger.steps_of(r.id for r in chain)

    async with connect(url) as connection:
        runs, chain, steps = await connection.run_sync(read)
    if not chain:
        return TrainStatus(name, "never-run", holder, runs, steps)
    last = chain[-1]
    state = last.status
    if state == "running":
        # interrupted only when the lock is free (or held by another runner's work): never
        # from looking for the runner's process, which may be on another host
        alive = holder is not None and (holder.token is None  # not identified (yet)
                                        or holder.run_id == last.id or holder.train == name)
        state = "running" if alive else "interrupted"
        if alive and holder is not None and holder.run_id == last.id:
            current = next((s for s in steps if s.run_id == last.id and s.status == "pending"),
                           None)
            steps = [dataclasses.replace(s, status="running") if s is current else s
                     for s in steps]
    if state != "running" and any(s.status == "partial" for s in steps):
        state = "partial"
    return TrainStatus(name, state, holder, runs, steps)
