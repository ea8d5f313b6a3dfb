"""``orchestrate upgrade`` and ``orchestrate downgrade`` as library calls.

Applying takes the same one-runner-per-database lock as release trains (``runtime.lock``), and
only then reads the database and works out the steps, on the lock's own connection: two
deploys started at once never apply a revision twice, nor race a train.

A run that stops (a failing revision, a lost lock, a revision ``--sql`` cannot render) raises
a :class:`~orchestrator.core.errors.DatabaseError` whose ``result`` is the
:class:`MigrationRun` so far: the steps that committed (or the SQL rendered) before it, and
the step it stopped at.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from orchestrator.core.errors import DatabaseError, OfflineRenderFailed
from orchestrator.runtime.database_lock import migration_lock
from orchestrator.runtime.executor import AppliedStep, Executor, StepCallback
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.partial_steps import refuse_partial_steps
from orchestrator.runtime.sequencer import Sequencer, Step
from orchestrator.runtime.state import DatabaseState, read_state_sync, refuse_legacy


@dataclass
class MigrationRun:
    steps: list[Step]
    applied: list[AppliedStep] = field(default_factory=list)
    sql: str | None = None
    #: The position (from 1) of the step the run stopped at, when it failed.
    failed_at: int | None = None

    @property
    def failed(self) -> Step | None:
        return self.steps[self.failed_at - 1] if self.failed_at else None

    def to_dict(self) -> dict:
        document = {
            "steps": [{"position": n, **s.to_dict()} for n, s in enumerate(self.steps, 1)],
            "applied": [{"position": n, **a.step.to_dict(), "seconds": round(a.seconds, 4)}
                        for n, a in enumerate(self.applied, 1)],
        }
        if self.failed is not None:
            document["failed"] = {"position": self.failed_at, **self.failed.to_dict()}
        return document


async def upgrade(
    orch: Orchestration,
    targets: Mapping[str, str | None] | None = None,
    *,
    with_requirements: bool = False,
    sql: bool = False,
    before_step: StepCallback | None = None,
    wait: float = 0.0,
    sql_out: Callable[[str], None] | None = None,
) -> MigrationRun:
    """Bring the targets (default: every service) to their revisions, in global order.

    With ``sql``, no database is touched: the script starts from an empty database; each
    step's SQL goes to ``sql_out`` as soon as it is rendered.
    """
    orch.check_configuration()
    if sql:
        state = DatabaseState(heads={})
        steps = Sequencer(orch.revision_graph, state).upgrade(targets, with_requirements)
        return _render(orch, steps, state, sql_out)
    return await _apply_under_lock(
        orch, "upgrade", wait, before_step,
        lambda state: Sequencer(orch.revision_graph, state).upgrade(targets, with_requirements))


async def downgrade(
    orch: Orchestration,
    service: str,
    revision: str,
    *,
    cascade: bool = False,
    sql: bool = False,
    before_step: StepCallback | None = None,
    wait: float = 0.0,
    sql_out: Callable[[str], None] | None = None,
) -> MigrationRun:
    """Take ``service`` down to ``revision``; refused when other services depend on it.

    With ``sql``, the script starts from the database's current state (read, not changed).
    """
    orch.check_configuration()
    if sql:
        state = await orch.state()
        steps = Sequencer(orch.revision_graph, state).downgrade(service, revision, cascade)
        return _render(orch, steps, state, sql_out)
    return await _apply_under_lock(
        orch, "downgrade", wait, before_step,
        lambda state: Sequencer(orch.revision_graph, state).downgrade(service, revision, cascade))


async def upgrade_requirements(orch: Orchestration, service: str, *, wait: float = 0.0
                               ) -> MigrationRun:
    """Apply what ``service``'s revisions require of other services, and nothing of ``service``.

    The database a single-history tool (pytest-alembic, ``alembic -c <service>.ini``) needs to
    run the service's whole history alone: every other service's revision that the service's
    revisions require, with their own requirements, in global order. A requirement that itself
    needs one of ``service``'s revisions cannot come first and is left out (that history
    cannot be run alone).
    """
    orch.check_configuration()
    orch.workspace.service(service)
    graph = orch.revision_graph
    own = {(service, revision) for revision in orch.workspace.histories[service].revisions}

    def steps(state: DatabaseState) -> list[Step]:
        upgrade = Sequencer(graph, state).upgrade({service: "heads"}, with_requirements=True)
        return [step for step in upgrade
                if step.service != service and not graph.ancestors(step.node) & own]

    return await _apply_under_lock(orch, f"upgrade of {service}'s requirements", wait, None,
                                   steps)


async def _apply_under_lock(orch: Orchestration, command: str, wait: float,
                            before_step: StepCallback | None,
                            sequence: Callable[[DatabaseState], list[Step]]) -> MigrationRun:
    """Sequence from a first look at the database (bad targets are refused, nothing to do is
    done, before any lock or write), load those revisions, then take the lock and, on its
    connection, read the state again, sequence and apply."""
    state = await orch.state()
    refuse_legacy(state)
    planned = sequence(state)
    if not planned:
        return MigrationRun(planned)
    executor = Executor(orch.workspace)
    executor.load({step.service for step in planned})
    async with migration_lock(orch.url).hold(f"orchestrate {command}", wait) as held:
        assert held.identity.runner is not None
        await held.connection.run_sync(refuse_partial_steps, executor, held.identity.runner,
                                       f"`orchestrate {command}`")
        state = await held.connection.run_sync(read_state_sync,
                                               orch.workspace.services.values(),
                                               schemas=orch.workspace.schemas)
        run = MigrationRun(sequence(state))
        if run.steps:
            await held.connection.run_sync(held.record)
            try:
                await executor.apply(orch.url, run.steps, before_step=before_step, lock=held,
                                     after_step=lambda _index, done: run.applied.append(done))
            except DatabaseError as error:
                run.failed_at = len(run.applied) + 1
                error.result = run
                raise
        return run


def _render(orch: Orchestration, steps: list[Step], state: DatabaseState,
            out: Callable[[str], None] | None) -> MigrationRun:
    run = MigrationRun(steps)
    try:
        run.sql = Executor(orch.workspace).render_sql(orch.url, steps, state, out)
    except OfflineRenderFailed as error:
        run.sql, run.failed_at, error.result = error.sql, error.position, run
        raise
    return run
