"""The stairway: every revision up, down and up again in global order, then all down in reverse.

What a migration test suite asks of a history (pytest-alembic's "up/down consistency", across
services): each step of the global upgrade order is applied, undone at once and applied again,
so a downgrade that does not undo its upgrade, or an upgrade that cannot run twice, fails at
that revision; then every revision is undone in reverse global order, so downgrades compose from
the heads down to an empty database. Each move is a command of its own, as ``alembic upgrade``
then ``alembic downgrade`` would be (nothing SQLAlchemy remembers is carried between them).
"""
from __future__ import annotations

from dataclasses import replace

from orchestrator.core.errors import DatabaseError, MigrationFailed
from orchestrator.runtime.executor import Executor
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.sequencer import Direction, Sequencer, Step
from orchestrator.runtime.state import DatabaseState


class StairwayFailed(DatabaseError):
    """A move of the stairway failed; the message names the service, revision, file and move."""

    def __init__(self, move: str, step: Step, path: str, error: BaseException) -> None:
        super().__init__(
            f"stairway: the {step.direction.value} of service {step.service!r}, revision "
            f"{step.revision} ({path}) failed {move}: {type(error).__name__}: {error}")
        self.service = step.service
        self.revision = step.revision
        self.move = move
        self.error = error


async def stairway(orch: Orchestration) -> list[Step]:
    """Run the stairway on ``orch``'s database, which must be empty; returns the upgrade steps.

    Raises :class:`StairwayFailed` at the first move that fails.
    """
    orch.check_configuration()
    targets = dict.fromkeys(orch.workspace.services, "heads")
    steps = Sequencer(orch.revision_graph, DatabaseState(heads={})).upgrade(targets)
    executor = Executor(orch.workspace)
    executor.load(orch.workspace.services)
    for step in steps:
        down = replace(step, direction=Direction.DOWNGRADE)
        await _move(orch, executor, step, "on the way up")
        await _move(orch, executor, down, "right after its upgrade")
        await _move(orch, executor, step, "again, right after its downgrade")
    for step in reversed(steps):
        await _move(orch, executor, replace(step, direction=Direction.DOWNGRADE),
                    "on the way down from the heads, in reverse global order")
    return steps


async def _move(orch: Orchestration, executor: Executor, step: Step, move: str) -> None:
    executor.forget_context()
    try:
        await executor.apply(orch.url, [step])
    except MigrationFailed as failed:
        path = orch.revision_graph.revision(step.node).path
        raise StairwayFailed(move, step, str(path), failed.error) from failed
