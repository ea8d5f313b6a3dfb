"""The run ledger: ``orchestrate_runs`` and ``orchestrate_steps`` in the migrated database.

A run (one ``train run`` or ``train resume``) records its planned steps as ``pending`` rows in
one transaction before the first step (a ``stamp`` or an ``adopt`` is one run whose steps all
applied at once: ``record_done``). Each step's row becomes ``applied`` inside the step's own
transaction, with the revision and its version-table update, so the ledger can never say a step
is applied when it is not, nor the reverse, whatever moment a runner is killed at. A failure is
written after the rollback, in a transaction of its own. A run left ``running`` by a runner that
died or lost the migration lock is reconciled from the version tables by the next runner, which
holds the lock: a runner without it applies no further step (``runtime.lock``), so the one
that stopped cannot still be at work.

Step statuses: pending, applied, failed, interrupted (its runner died, lost its lock or was
stopped with Ctrl-C during it), skipped (the run stopped before it). Run statuses: running,
succeeded, failed, interrupted.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Connection, Row

from orchestrator.history.revision_graph import Node
from orchestrator.runtime.lock import Runner, now
from orchestrator.runtime.sequencer import Step

metadata = MetaData()

runs = Table(
    "orchestrate_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("train", String(200), nullable=False),
    Column("kind", String(16), nullable=False),  # run | resume | stamp | adopt
    Column("status", String(16), nullable=False),
    Column("steps", Integer, nullable=False),  # the steps this run planned
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("runner_host", String(255), nullable=False),
    Column("runner_pid", Integer, nullable=False),
    Column("error", Text),
    Index("ix_orchestrate_runs_train", "train", "id"),
)

steps = Table(
    "orchestrate_steps", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("orchestrate_runs.id"), nullable=False),
    Column("train", String(200), nullable=False),
    Column("position", Integer, nullable=False),  # 1-based, across the train's resumes
    Column("service", String(200), nullable=False),
    Column("revision", String(255), nullable=False),
    Column("message", Text),
    Column("status", String(16), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("ended_at", DateTime(timezone=True)),
    Column("seconds", Float),
    Column("error", Text),
    Column("runner_host", String(255), nullable=False),
    Column("runner_pid", Integer, nullable=False),
    Index("ix_orchestrate_steps_run", "run_id", "position", unique=True),
)


def first_line(error: str | None) -> str:
    """The first line of a recorded error (SQLAlchemy's carry the SQL on further lines)."""
    lines = (error or "").strip().splitlines()
    return lines[0] if lines else ""


@dataclass(frozen=True)
class RunRecord:
    id: int
    train: str
    kind: str
    status: str
    steps: int
    started_at: datetime
    ended_at: datetime | None
    runner: Runner
    error: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "train": self.train, "kind": self.kind, "status": self.status,
                "steps": self.steps, "started_at": _iso(self.started_at),
                "ended_at": _iso(self.ended_at), "runner_host": self.runner.host,
                "runner_pid": self.runner.pid, "error": self.error}


@dataclass(frozen=True)
class StepRecord:
    run_id: int
    position: int
    service: str
    revision: str
    message: str | None
    status: str
    started_at: datetime | None
    ended_at: datetime | None
    seconds: float | None
    error: str | None
    runner: Runner

    @property
    def node(self) -> Node:
        return (self.service, self.revision)

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "position": self.position, "service": self.service,
                "revision": self.revision, "message": self.message, "status": self.status,
                "started_at": _iso(self.started_at), "ended_at": _iso(self.ended_at),
                "seconds": None if self.seconds is None else round(self.seconds, 4),
                "error": self.error, "runner_host": self.runner.host,
                "runner_pid": self.runner.pid}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else _utc(moment).isoformat()


def _utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back naive; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Ledger:
    """Reads and writes the ledger on one connection; the caller owns the transactions."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def exists(self) -> bool:
        names = set(inspect(self.connection).get_table_names())
        return {runs.name, steps.name} <= names

    def create(self) -> None:
        """Create the tables when missing (idempotent)."""
        metadata.create_all(self.connection, checkfirst=True)

    def start_run(self, train: str, kind: str, planned: Sequence[Step], first_position: int,
                  runner: Runner, status: str = "running") -> int:
        """A new run and its planned steps, all ``pending``; returns the run's id."""
        started = now()
        run_id = self.connection.execute(runs.insert().values(
            train=train, kind=kind, status=status, steps=len(planned), started_at=started,
            ended_at=None if status == "running" else started, runner_host=runner.host,
            runner_pid=runner.pid,
        )).inserted_primary_key[0]
        if planned:
            self.connection.execute(steps.insert(), [
                {"run_id": run_id, "train": train, "position": first_position + index,
                 "service": step.service, "revision": step.revision, "message": step.message,
                 "status": "pending", "runner_host": runner.host, "runner_pid": runner.pid}
                for index, step in enumerate(planned)
            ])
        return run_id

    def record_done(self, name: str, kind: str, done: Sequence[Step], runner: Runner) -> int:
        """A run whose steps the caller's transaction applied at once (``stamp``, ``adopt``):
        recorded ``succeeded``, every step ``applied``, in that same transaction."""
        run_id = self.start_run(name, kind, done, 1, runner, status="succeeded")
        moment = now()
        self.connection.execute(update(steps).where(steps.c.run_id == run_id).values(
            status="applied", started_at=moment, ended_at=moment, seconds=0.0))
        return run_id

    def step_applied(self, run_id: int, position: int, started_at: datetime, seconds: float,
                     ) -> None:
        self._set_step(run_id, position, status="applied", started_at=started_at,
                       ended_at=now(), seconds=seconds)

    def step_failed(self, run_id: int, position: int, started_at: datetime, seconds: float,
                    error: str) -> None:
        """The step failed (its transaction is rolled back); later steps skipped; run failed."""
        self._set_step(run_id, position, status="failed", started_at=started_at, ended_at=now(),
                       seconds=seconds, error=error)
        self._skip_after(run_id, position)
        self.end_run(run_id, "failed", f"step {position} failed: {error}")

    def step_interrupted(self, run_id: int, position: int, started_at: datetime,
                         seconds: float) -> None:
        """The runner was interrupted (Ctrl-C) during the step, which was rolled back."""
        error = "interrupted (Ctrl-C) during this step; it was rolled back"
        self._set_step(run_id, position, status="interrupted", started_at=started_at,
                       ended_at=now(), seconds=seconds, error=error)
        self._skip_after(run_id, position)
        self.end_run(run_id, "interrupted", f"step {position}: {error}")

    def end_run(self, run_id: int, status: str, error: str | None = None) -> None:
        self.connection.execute(update(runs).where(runs.c.id == run_id).values(
            status=status, ended_at=now(), error=error))

    def reconcile(self, applied: set[Node], by: Runner) -> list[str]:
        """Close the runs left ``running`` by runners that stopped, from the version tables.

        Only call this while holding the migration lock: then no other runner applies steps.
        Returns one note per run it closed.
        """
        notes = []
        for run in self._rows(select(runs).where(runs.c.status == "running")):
            stopped_at = None
            for row in self._rows(select(steps).where(
                    and_(steps.c.run_id == run.id, steps.c.status == "pending"))
                    .order_by(steps.c.position)):
                if (row.service, row.revision) in applied:
                    self._set_step(run.id, row.position, status="applied",
                                   error="recorded on reconciliation: the version table has it")
                    continue
                stopped_at = row.position
                self._set_step(run.id, row.position, status="interrupted",
                               error=f"runner pid {run.runner_pid} on {run.runner_host} stopped "
                               "(died or lost the lock) before this step committed; nothing of "
                               "it was applied")
                self._skip_after(run.id, row.position)
                break
            where = f"at step {stopped_at}" if stopped_at else "after its last step"
            self.connection.execute(update(runs).where(runs.c.id == run.id).values(
                status="interrupted",
                error=f"runner pid {run.runner_pid} on {run.runner_host} stopped {where} "
                      f"(died or lost the lock); reconciled by {by}"))
            notes.append(f"run #{run.id} of train {run.train!r} was interrupted {where} "
                         f"(runner pid {run.runner_pid} on {run.runner_host} no longer holds "
                         "the lock); the ledger now says so")
        return notes

    def runs_of(self, train: str) -> list[RunRecord]:
        return [_run_record(r) for r in self._rows(
            select(runs).where(runs.c.train == train).order_by(runs.c.id))]

    def chain(self, train: str) -> list[RunRecord]:
        """The train's latest ``run`` and the resumes that followed it."""
        latest = self.connection.execute(select(func.max(runs.c.id)).where(
            and_(runs.c.train == train, runs.c.kind == "run"))).scalar()
        return [] if latest is None else [r for r in self.runs_of(train) if r.id >= latest]

    def steps_of(self, run_ids: Iterable[int]) -> list[StepRecord]:
        ids = list(run_ids)
        if not ids:
            return []
        return [_step_record(r) for r in self._rows(
            select(steps).where(steps.c.run_id.in_(ids)).order_by(steps.c.run_id,
                                                                  steps.c.position))]

    def _set_step(self, run_id: int, position: int, **values: Any) -> None:
        self.connection.execute(update(steps).where(
            and_(steps.c.run_id == run_id, steps.c.position == position)).values(**values))

    def _skip_after(self, run_id: int, position: int) -> None:
        self.connection.execute(update(steps).where(and_(
            steps.c.run_id == run_id, steps.c.position > position,
            steps.c.status == "pending")).values(status="skipped"))

    def _rows(self, statement: Any) -> list[Row]:
        return list(self.connection.execute(statement))


def _run_record(row: Row) -> RunRecord:
    return RunRecord(row.id, row.train, row.kind, row.status, row.steps, _utc(row.started_at),
                     row.ended_at and _utc(row.ended_at), Runner(row.runner_host, row.runner_pid),
                     row.error)


def _step_record(row: Row) -> StepRecord:
    return StepRecord(row.run_id, row.position, row.service, row.revision, row.message,
                      row.status, row.started_at and _utc(row.started_at),
                      row.ended_at and _utc(row.ended_at), row.seconds, row.error,
                      Runner(row.runner_host, row.runner_pid))
