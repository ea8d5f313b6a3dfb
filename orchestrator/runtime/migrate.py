"""``orchestrate upgrade`` and ``orchestrate downgrade`` as library calls.

Applying takes the same one-runner-per-database lock as release trains (``runtime.lock``), and
only then reads the database and works out the steps, on the lock's own connection: two
deploys started at once never apply a revision twice, nor race a train.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from orchestrator.runtime.executor import AppliedStep, Executor, StepCallback
from orchestrator.runtime.database_lock import migration_lock
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.sequencer import Sequencer, Step
from orchestrator.runtime.state import DatabaseState, read_state_sync


@dataclass
class MigrationRun:
    steps: list[Step]
    applied: list[AppliedStep] = field(default_factory=list)
    sql: str | None = None

    def to_dict(self) -> dict:
        return {
            "steps": [{"position": n, **s.to_dict()} for n, s in enumerate(self.steps, 1)],
            "applied": [{"position": n, **a.step.to_dict(), "seconds": round(a.seconds, 4)}
                        for n, a in enumerate(self.applied, 1)],
        }


async def upgrade(
    orch: Orchestration,
    targets: Mapping[str, str | None] | None = None,
    *,
    with_requirements: bool = False,
    sql: bool = False,
    before_step: StepCallback | None = None,
    wait: float = 0.0,
) -> MigrationRun:
    """Bring the targets (default: every service) to their revisions, in global order.

    With ``sql``, no database is touched: the script starts from an empty database.
    """
    orch.check_configuration()
    if sql:
        state = DatabaseState(heads={})
        steps = Sequencer(orch.revision_graph, state).upgrade(targets, with_requirements)
        return MigrationRun(steps, sql=Executor(orch.workspace).render_sql(orch.url, steps, state))
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
) -> MigrationRun:
    """Take ``service`` down to ``revision``; refused when other services depend on it.

    With ``sql``, the script starts from the database's current state (read, not changed).
    """
    orch.check_configuration()
    if sql:
        state = await orch.state()
        steps = Sequencer(orch.revision_graph, state).downgrade(service, revision, cascade)
        return MigrationRun(steps, sql=Executor(orch.workspace).render_sql(orch.url, steps, state))
    return await _apply_under_lock(
        orch, "downgrade", wait, before_step,
        lambda state: Sequencer(orch.revision_graph, state).downgrade(service, revision, cascade))


async def _apply_under_lock(orch: Orchestration, command: str, wait: float,
                            before_step: StepCallback | None,
                            sequence: Callable[[DatabaseState], list[Step]]) -> MigrationRun:
    """Sequence from a first look at the database (bad targets are refused, nothing to do is
    done, before any lock or write), load those revisions, then take the lock and, on its
    connection, read the state again, sequence and apply."""
    planned = sequence(await orch.state())
    if not planned:
        return MigrationRun(planned)
    executor = Executor(orch.workspace)
    executor.load({step.service for step in planned})
    async with migration_lock(orch.url).hold(f"orchestrate {command}", wait) as held:
        state = await held.connection.run_sync(read_state_sync,
                                               orch.workspace.services.values())
        run = MigrationRun(sequence(state))
        if run.steps:
            await held.connection.run_sync(held.record)
            run.applied = await executor.apply(orch.url, run.steps, before_step=before_step,
                                               lock=held)
        return run
