"""``orchestrate train run`` and ``train resume``: apply a train's steps, recorded in the ledger.

Holding the migration lock, and on the lock's own connection, the runner reconciles runs left
behind by stopped runners, checks that the train may start (``run`` refuses a train that
stopped half-way, ``resume`` needs one), computes the steps from the version tables (the
truth: a step already applied is never planned again) and records them as pending. Each step
then commits together with its version-table update and its ledger row; a failed step is
rolled back, recorded, and stops the train (exit 3). The lock is verified before each step: a
runner that lost it stops there and records nothing (exit 3).
"""
from __future__ import annotations

import time
from asyncio import CancelledError
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import String, text
from sqlalchemy.engine import Connection

from orchestrator.core.errors import (
    ConfigError,
    DatabaseError,
    MigrationFailed,
    OfflineRenderFailed,
    RunnerStopped,
    StepPartiallyApplied,
    describe_error,
)
from orchestrator.core.logs import get_logger
from orchestrator.runtime.committed import ExecutedStatement
from orchestrator.runtime.database import connect
from orchestrator.runtime.database_lock import migration_lock
from orchestrator.runtime.executor import AppliedStep, Executor
from orchestrator.runtime.ledger import Ledger, RunRecord, StepRecord, first_line
from orchestrator.runtime.lock import HeldLock, now
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.partial_steps import refuse_partial_steps
from orchestrator.runtime.sequencer import Sequencer, Step
from orchestrator.runtime.state import read_state_sync, refuse_legacy
from orchestrator.trains.manifest import TrainManifest, load_manifest, train_steps
from orchestrator.trains.progress import Progress

log = get_logger()


class TrainCannotStart(ConfigError):
    """``run`` of a train that stopped half-way, or ``resume`` of one that did not (exit 2)."""


class TrainStepFailed(DatabaseError):
    """A step failed and was rolled back; the train stopped there (exit 3)."""

    def __init__(self, train: str, position: int, total: int, failure: MigrationFailed) -> None:
        kept = f"steps 1-{position - 1} stay applied; " if position > 1 else ""
        then = (f"fix the database by hand, then `orchestrate train resolve {train} --applied` "
                f"(you finished step {position}) or `--reverted` (you undid it), then "
                f"`orchestrate train resume {train}`"
                if isinstance(failure, StepPartiallyApplied) else
                f"fix the revision, then `orchestrate train resume {train}` continues from "
                "this step")
        super().__init__(
            f"train {train!r} stopped at step {position} of {total}: {failure.message}. "
            f"{kept}{then}"
        )
        self.position = position
        self.failure = failure


@dataclass
class TrainRun:
    manifest: TrainManifest
    kind: str  # "run" or "resume"
    steps: list[Step]
    first_position: int = 1
    run_id: int | None = None
    applied: list[AppliedStep] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sql: str | None = None

    @property
    def total(self) -> int:
        return self.first_position - 1 + len(self.steps)

    def to_dict(self) -> dict[str, Any]:
        return {
            "train": self.manifest.name, "kind": self.kind, "run_id": self.run_id,
            "total": self.total, "notes": self.notes,
            "steps": [{"position": self.first_position + i, **s.to_dict()}
                      for i, s in enumerate(self.steps)],
            "applied": [{"position": self.first_position + i, **a.step.to_dict(),
                         "seconds": round(a.seconds, 4)} for i, a in enumerate(self.applied)],
        }


async def run_train(orch: Orchestration, name: str, *, resume: bool = False,
                    dry_run: bool = False, sql: bool = False, wait: float = 0.0,
                    progress: Progress | None = None,
                    sql_out: Callable[[str], None] | None = None) -> TrainRun:
    """Run (or resume) train ``name``; with ``dry_run`` or ``sql`` nothing is written (with
    ``sql``, each step's SQL goes to ``sql_out`` as soon as it is rendered; a revision that
    cannot be rendered offline raises ``OfflineRenderFailed`` whose ``result`` is the run with
    the SQL before it)."""
    ws = orch.workspace
    manifest = load_manifest(ws.settings, name, ws.histories)
    orch.check_configuration()
    kind = "resume" if resume else "run"
    if sql or dry_run:
        return await _preview(orch, manifest, kind, sql, sql_out)
    if manifest.timeouts and orch.url.get_backend_name() != "postgresql":
        log.info("lock_timeout and statement_timeout apply to PostgreSQL only; ignored",
                 manifest=str(manifest.path))
    executor = Executor(ws)
    executor.load(manifest.revisions if not manifest.with_requirements else ws.services)
    with structlog.contextvars.bound_contextvars(train=name):
        async with migration_lock(orch.url).hold(f"train {name!r}", wait, train=name) as held:
            await held.connection.run_sync(held.record)
            train_run = await held.connection.run_sync(_prepare, orch, manifest, kind, held,
                                                       executor)
            if train_run.steps:
                with structlog.contextvars.bound_contextvars(run=train_run.run_id):
                    await _apply(executor, held, train_run, progress)
    return train_run


def _prepare(connection: Connection, orch: Orchestration, manifest: TrainManifest, kind: str,
             held: HeldLock, executor: Executor) -> TrainRun:
    """Under the lock, on its connection: plan, reconcile, check and record the run.

    The steps come first (a manifest that does not fit the database writes nothing); the
    reconciliation commits even when the train may not start, and so does what it found
    partly applied: that refuses the train (``runtime.partial_steps``).
    """
    runner = held.identity.runner
    assert runner is not None
    with connection.begin():
        state = read_state_sync(connection, orch.workspace.services.values(),
                                orch.workspace.settings.legacy_version_table,
                                schemas=orch.workspace.schemas)
        refuse_legacy(state)
        steps = train_steps(manifest, orch.revision_graph, state)
        ledger = Ledger(connection)
        ledger.create()
        notes = ledger.reconcile(Sequencer(orch.revision_graph, state).applied, runner)
    for note in notes:
        log.warning("reconciled the ledger", note=note)
    notes += refuse_partial_steps(connection, executor, runner,
                                  f"`orchestrate train {kind} {manifest.name}`")
    with connection.begin():
        train_run = _plan_run(ledger, manifest, kind, steps)
        train_run.notes = notes
        if train_run.steps or kind == "resume":
            train_run.run_id = ledger.start_run(
                manifest.name, kind, train_run.steps, train_run.first_position, runner,
                status="running" if train_run.steps else "succeeded")
            held.attach_run(connection, train_run.run_id)
    return train_run


def _plan_run(ledger: Ledger | None, manifest: TrainManifest, kind: str,
              steps: list[Step]) -> TrainRun:
    """The run of ``steps``, numbered after those the train's earlier runs applied."""
    chain = ledger.chain(manifest.name) if ledger and ledger.exists() else []
    chain_steps = ledger.steps_of(r.id for r in chain) if ledger else []
    _check_can_start(manifest.name, kind, chain, chain_steps)
    done = sum(1 for s in chain_steps if s.status == "applied")
    return TrainRun(manifest, kind, steps, first_position=done + 1 if kind == "resume" else 1)


def _check_can_start(train: str, kind: str, chain: list[RunRecord],
                     chain_steps: list[StepRecord]) -> None:
    last = chain[-1] if chain else None
    if kind == "run" and last and last.status in ("failed", "interrupted"):
        stopped = next((s for s in chain_steps if s.run_id == last.id
                        and s.status in ("failed", "interrupted", "partial", "reverted")), None)
        at = (f" at step {stopped.position} ({stopped.service} {stopped.revision}): "
              f"{first_line(stopped.error)}" if stopped else "")
        fix = "Fix what failed, then " if last.status == "failed" else ""
        raise TrainCannotStart(f"train {train!r}: run #{last.id} {last.status}{at}. {fix}"
                               f"`orchestrate train resume {train}` continues from that step")
    if kind == "resume" and last is None:
        raise TrainCannotStart(f"train {train!r} has never run on this database; start it with "
                               f"`orchestrate train run {train}`")
    if kind == "resume" and last.status == "succeeded":
        raise TrainCannotStart(f"nothing to resume: run #{last.id} of train {train!r} "
                               f"succeeded; `orchestrate train run {train}` runs it again")


async def _preview(orch: Orchestration, manifest: TrainManifest, kind: str,
                   sql: bool, sql_out: Callable[[str], None] | None) -> TrainRun:
    """``--dry-run``: the checks and steps of a real run, read-only. ``--sql``: the SQL."""
    state = await orch.state()
    steps = train_steps(manifest, orch.revision_graph, state)
    if sql:
        train_run = TrainRun(manifest, kind, steps)
        timeouts = _timeouts_sql(manifest, orch)
        if sql_out is not None and timeouts:
            sql_out(timeouts)
        try:
            train_run.sql = timeouts + Executor(orch.workspace).render_sql(
                orch.url, steps, state, sql_out)
        except OfflineRenderFailed as error:
            train_run.sql, error.result = timeouts + error.sql, train_run
            raise
        return train_run
    if not state.exists:
        return _plan_run(None, manifest, kind, steps)

    def read(connection: Connection) -> TrainRun:
        return _plan_run(Ledger(connection), manifest, kind, steps)

    async with connect(orch.url) as connection:
        return await connection.run_sync(read)


def _timeouts_sql(manifest: TrainManifest, orch: Orchestration) -> str:
    if not manifest.timeouts or orch.url.get_backend_name() != "postgresql":
        return ""
    quote = String().literal_processor(orch.url.get_dialect()())
    return "".join(f"SET {key} = {quote(value)};\n" for key, value in manifest.timeouts)


async def _apply(executor: Executor, held: HeldLock, train_run: TrainRun,
                 progress: Progress | None) -> None:
    hooks = LedgerHooks(train_run, held.lock.url.get_backend_name() == "postgresql")

    def before_step(index: int, step: Step) -> None:
        structlog.contextvars.bind_contextvars(position=train_run.first_position + index)
        if progress:
            progress.step(train_run.first_position + index, step)

    with progress.running(train_run.total) if progress else nullcontext():
        try:
            train_run.applied = await executor.apply(
                held.lock.url, train_run.steps, before_step=before_step, hooks=hooks,
                lock=held, first_position=train_run.first_position)
        except MigrationFailed as failure:
            raise TrainStepFailed(train_run.manifest.name,
                                  hooks.positions[(failure.service, failure.revision)],
                                  train_run.total, failure) from failure
        except RunnerStopped as stopped:
            name = train_run.manifest.name
            raise RunnerStopped(
                f"train {name!r}: {stopped.message}. `orchestrate train resume {name}` "
                "continues from that step once no other runner holds the lock",
                stopped.service, stopped.revision, stopped.position) from stopped
        finally:
            structlog.contextvars.unbind_contextvars("position")


class LedgerHooks:
    """The train's part of each step's transaction (see ``executor.StepHooks``)."""

    def __init__(self, train_run: TrainRun, postgres: bool) -> None:
        self.run_id = train_run.run_id
        self.total = train_run.total
        self.timeouts = train_run.manifest.timeouts if postgres else ()
        self.positions = {s.node: train_run.first_position + i
                          for i, s in enumerate(train_run.steps)}
        self.last = train_run.steps[-1].node
        self.started_at: datetime = now()
        self.started = time.perf_counter()

    def position(self, step: Step) -> int:
        return self.positions[step.node]

    def begin(self, connection: Connection, step: Step) -> None:
        self.started_at, self.started = now(), time.perf_counter()
        Ledger(connection).step_started(self.run_id, self.position(step), self.started_at)
        # Set on the session at each step (a revision may have changed them): they then hold
        # in an autocommit block and after it, where a SET LOCAL would have ended with the
        # transaction the block commits. The session is the runner's own and ends with it.
        for key, value in self.timeouts:
            connection.execute(text("SELECT set_config(:key, :value, false)"),
                               {"key": key, "value": value})

    def commit(self, connection: Connection, step: Step) -> None:
        ledger = Ledger(connection)
        ledger.step_applied(self.run_id, self.position(step), self.started_at,
                            time.perf_counter() - self.started)
        if step.node == self.last:
            ledger.end_run(self.run_id, "succeeded")

    def rollback(self, connection: Connection, step: Step, error: BaseException,
                 committed: Sequence[ExecutedStatement]) -> None:
        seconds = time.perf_counter() - self.started
        interrupted = isinstance(error, (KeyboardInterrupt, CancelledError))
        message = "interrupted (Ctrl-C)" if interrupted else describe_error(error)
        log.error("step interrupted" if interrupted else "step failed",
                  position=self.position(step), of=self.total, service=step.service,
                  revision=step.revision, seconds=round(seconds, 4), error=first_line(message))
        try:
            with connection.begin():
                ledger = Ledger(connection)
                if committed:
                    ledger.step_partial(self.run_id, self.position(step), self.started_at,
                                        seconds, message, [(s.line, s.sql) for s in committed],
                                        interrupted)
                elif interrupted:
                    ledger.step_interrupted(self.run_id, self.position(step), self.started_at,
                                            seconds)
                else:
                    ledger.step_failed(self.run_id, self.position(step), self.started_at,
                                       seconds, message)
        except Exception as ledger_error:  # the connection is gone: the next runner reconciles
            log.error("the failure could not be recorded in the ledger; the next `train "
                      "resume` reconciles it", error=str(ledger_error))
