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

Where DDL is not transactional (MySQL, MariaDB: ``runtime.committed``) a failed step may stay
partly applied. The ledger then says so: the step is ``partial``, with the statements that
committed (``orchestrate_step_statements``), and the train goes no further until a person
fixed the database and said how (``resolve``: ``applied`` or ``reverted``). A step's row is
marked ``running`` inside its own transaction when it begins: where the database commits part
of a step on its own (a DDL statement there, an autocommit block anywhere), that mark commits
with it, so a runner that died during such a step leaves ``running`` behind, and the next
runner records ``partial`` (what committed is unknown), never "nothing of it was applied".

Step statuses: pending, running (seen only as above), applied, failed, partial, reverted (a
partial step undone by hand), interrupted (its runner died, lost its lock or was stopped with
Ctrl-C during it, nothing of it applied), skipped (the run stopped before it). Run statuses:
running, succeeded, failed, interrupted.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
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


statements = Table(
    "orchestrate_step_statements", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("orchestrate_runs.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("line", Integer),  # the revision's line that issued it
    Column("statement", Text, nullable=False),
    Index("ix_orchestrate_step_statements_step", "run_id", "position"),
)

#: What a person who fixed a partial step by hand says about it, and the status it becomes.
RESOLUTIONS = {"applied": "applied", "reverted": "reverted"}


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
    train: str = ""
    #: For a partial step: the statements that committed, ``(line, sql)``; empty when its
    #: runner died and what committed is unknown.
    statements: tuple[tuple[int | None, str], ...] = ()

    @property
    def node(self) -> Node:
        return (self.service, self.revision)

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "position": self.position, "service": self.service,
                "revision": self.revision, "message": self.message, "status": self.status,
                "started_at": _iso(self.started_at), "ended_at": _iso(self.ended_at),
                "seconds": None if self.seconds is None else round(self.seconds, 4),
                "error": self.error, "runner_host": self.runner.host,
                "runner_pid": self.runner.pid,
                "statements": [{"line": line, "sql": sql} for line, sql in self.statements]}


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

    def step_started(self, run_id: int, position: int, started_at: datetime) -> None:
        """Inside the step's transaction: seen by others only if the database commits part of
        the step on its own (see the module's docstring)."""
        self._set_step(run_id, position, status="running", started_at=started_at)

    def step_partial(self, run_id: int, position: int, started_at: datetime, seconds: float,
                     error: str, committed: Sequence[tuple[int | None, str]],
                     interrupted: bool = False) -> None:
        """The step failed (or was interrupted) with ``committed`` applied all the same."""
        error = (f"{error}; {len(committed)} statement(s) of it had committed and stay "
                 "applied (no transactional DDL here): fix the database by hand, then "
                 "`orchestrate train resolve` it")
        self._set_step(run_id, position, status="partial", started_at=started_at,
                       ended_at=now(), seconds=seconds, error=error)
        if committed:
            self.connection.execute(statements.insert(), [
                {"run_id": run_id, "position": position, "line": line, "statement": sql}
                for line, sql in committed])
        self._skip_after(run_id, position)
        self.end_run(run_id, "interrupted" if interrupted else "failed",
                     f"step {position} partly applied: {error}")

    def partial_steps(self) -> list[StepRecord]:
        """Every step left ``partial`` and not resolved yet, whatever its train."""
        if not self.exists():
            return []
        return self._with_statements([_step_record(r) for r in self._rows(
            select(steps).where(steps.c.status == "partial").order_by(steps.c.run_id,
                                                                     steps.c.position))])

    def resolve(self, step: StepRecord, resolution: str, by: Runner) -> None:
        """Record what a person did about a partial step: finished it (``applied``) or undid
        it (``reverted``, so the train applies it again)."""
        self._set_step(step.run_id, step.position, status=RESOLUTIONS[resolution],
                       error=f"{step.error}. Resolved as {resolution} by {by} at "
                             f"{now():%Y-%m-%d %H:%M:%S %Z}")

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
            runner = f"runner pid {run.runner_pid} on {run.runner_host}"
            for row in self._rows(select(steps).where(
                    and_(steps.c.run_id == run.id, steps.c.status.in_(("pending", "running"))))
                    .order_by(steps.c.position)):
                if (row.service, row.revision) in applied:
                    self._set_step(run.id, row.position, status="applied",
                                   error="recorded on reconciliation: the version table has it")
                    continue
                stopped_at = row.position
                if row.status == "running":  # part of the step committed on its own
                    self._set_step(run.id, row.position, status="partial", error=(
                        f"{runner} stopped (died or lost the lock) during this step, after "
                        "the database had committed part of it on its own (a DDL statement "
                        "where DDL is not transactional, or an autocommit block): which "
                        "statements are applied is unknown. Check the database, fix it by "
                        "hand, then `orchestrate train resolve` it"))
                else:
                    self._set_step(run.id, row.position, status="interrupted",
                                   error=f"{runner} stopped (died or lost the lock) before this "
                                   "step committed; nothing of it was applied")
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
        return self._with_statements([_step_record(r) for r in self._rows(
            select(steps).where(steps.c.run_id.in_(ids)).order_by(steps.c.run_id,
                                                                  steps.c.position))])

    def _with_statements(self, records: list[StepRecord]) -> list[StepRecord]:
        """The records, partial ones (and those resolved since) with their statements."""
        ids = {r.run_id for r in records if r.status in ("partial", *RESOLUTIONS.values())}
        if not ids or not inspect(self.connection).has_table(statements.name):
            return records
        found: dict[tuple[int, int], list[tuple[int | None, str]]] = {}
        for row in self._rows(select(statements).where(statements.c.run_id.in_(ids))
                              .order_by(statements.c.id)):
            found.setdefault((row.run_id, row.position), []).append((row.line, row.statement))
        return [replace(r, statements=tuple(found.get((r.run_id, r.position), ())))
                for r in records]

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
                      Runner(row.runner_host, row.runner_pid), row.train)
