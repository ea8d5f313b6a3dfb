"""``orchestrate upgrade`` and ``orchestrate downgrade`` as library calls.

Applying takes the same one-runner-per-database lock as release trains (it dies with its
process, see ``trains.lock``), and only then reads the database and works out the steps: two
deploys started at once never apply a revision twice, nor race a train.
"""
from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from orchestrator.runtime.executor import AppliedStep, Executor, StepCallback
from orchestrator.runtime.lock import Runner, train_lock
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.sequencer import Sequencer, Step
from orchestrator.runtime.state import DatabaseState


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
    async with _migration_lock(orch, "upgrade", wait):
        state = await orch.state()
        steps = Sequencer(orch.revision_graph, state).upgrade(targets, with_requirements)
        return await _apply(orch, steps, before_step)


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
    async with _migration_lock(orch, "downgrade", wait):
        state = await orch.state()
        steps = Sequencer(orch.revision_graph, state).downgrade(service, revision, cascade)
        return await _apply(orch, steps, before_step)


def _migration_lock(orch: Orchestration, command: str, wait: float
                    ) -> AbstractAsyncContextManager[None]:
    return train_lock(orch.url).hold(f"orchestrate-{command}", Runner.current(), wait)


async def _apply(orch: Orchestration, steps: list[Step],
                 before_step: StepCallback | None) -> MigrationRun:
    run = MigrationRun(steps)
    run.applied = await Executor(orch.workspace).apply(orch.url, steps, before_step=before_step)
    return run
