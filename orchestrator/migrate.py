"""``orchestrate upgrade`` and ``orchestrate downgrade`` as library calls."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from orchestrator.executor import AppliedStep, Executor, StepCallback
from orchestrator.orchestration import Orchestration
from orchestrator.sequencer import Sequencer, Step
from orchestrator.state import DatabaseState


@dataclass
class MigrationRun:
    steps: list[Step]
    applied: list[AppliedStep] = field(default_factory=list)
    sql: str | None = None

    def to_dict(self) -> dict:
        return {
            "steps": [s.to_dict() for s in self.steps],
            "applied": [
                {**a.step.to_dict(), "seconds": round(a.seconds, 4)} for a in self.applied
            ],
        }


async def upgrade(
    orch: Orchestration,
    targets: Mapping[str, str | None] | None = None,
    *,
    with_requirements: bool = False,
    sql: bool = False,
    before_step: StepCallback | None = None,
) -> MigrationRun:
    """Bring the targets (default: every service) to their revisions, in global order.

    With ``sql``, no database is touched: the script starts from an empty database.
    """
    state = DatabaseState(heads={}) if sql else await orch.state()
    steps = Sequencer(orch.revision_graph, state).upgrade(targets, with_requirements)
    return await _run(orch, steps, state, sql, before_step)


async def downgrade(
    orch: Orchestration,
    service: str,
    revision: str,
    *,
    cascade: bool = False,
    sql: bool = False,
    before_step: StepCallback | None = None,
) -> MigrationRun:
    """Take ``service`` down to ``revision``; refused when other services depend on it.

    With ``sql``, the script starts from the database's current state (read, not changed).
    """
    state = await orch.state()
    steps = Sequencer(orch.revision_graph, state).downgrade(service, revision, cascade)
    return await _run(orch, steps, state, sql, before_step)


async def _run(orch: Orchestration, steps: list[Step], state: DatabaseState, sql: bool,
               before_step: StepCallback | None) -> MigrationRun:
    executor = Executor(orch.workspace)
    run = MigrationRun(steps)
    if sql:
        run.sql = executor.render_sql(orch.url, steps, state)
    else:
        run.applied = await executor.apply(orch.url, steps, before_step=before_step)
    return run
