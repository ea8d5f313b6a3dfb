"""``orchestrate train resolve NAME --applied|--reverted``: a person's word on a partial step.

A step left partly applied (``runtime.partial_steps``) stops the train and every other
migration of the database. Once the database is fixed by hand, the person says what they did:

- ``applied``: they finished the step. It is recorded in its service's version table (as
  ``alembic stamp`` would) and in the ledger, in one transaction; ``train resume`` goes on with
  the next step.
- ``reverted``: they undid what had committed. The ledger says so; ``train resume`` applies
  the step again, whole.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from orchestrator.core.errors import ConfigError
from orchestrator.runtime.database_lock import migration_lock
from orchestrator.runtime.executor import Executor
from orchestrator.runtime.ledger import RESOLUTIONS, Ledger, StepRecord
from orchestrator.runtime.lock import HeldLock
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.sequencer import Direction, Sequencer, Step
from orchestrator.runtime.state import read_state_sync
from orchestrator.trains.manifest import check_train_name


@dataclass(frozen=True)
class Resolution:
    train: str
    resolution: str  # applied | reverted
    step: StepRecord

    def to_dict(self) -> dict[str, Any]:
        return {"train": self.train, "resolution": self.resolution,
                "step": self.step.to_dict()}


async def resolve_train(orch: Orchestration, name: str, resolution: str,
                        wait: float = 0.0) -> Resolution:
    """Record ``resolution`` (``applied`` or ``reverted``) for train ``name``'s partial step."""
    check_train_name(name)
    if resolution not in RESOLUTIONS:
        raise ConfigError(f"a partial step is resolved as applied or reverted, not "
                          f"{resolution!r}")
    orch.check_configuration()
    executor = Executor(orch.workspace)
    async with migration_lock(orch.url).hold(f"train resolve {name!r}", wait,
                                             train=name) as held:
        await held.connection.run_sync(held.record)
        return await held.connection.run_sync(_resolve, orch, executor, held, name, resolution)


def _resolve(connection: Connection, orch: Orchestration, executor: Executor, held: HeldLock,
             name: str, resolution: str) -> Resolution:
    runner = held.identity.runner
    assert runner is not None
    with connection.begin():
        ledger = Ledger(connection)
        partial = [s for s in ledger.partial_steps() if s.train == name]
        if not partial:
            raise ConfigError(
                f"train {name!r} has no partly applied step to resolve on this database "
                f"(`orchestrate train status {name}` shows its steps)")
        (step,) = partial[-1:]
        if resolution == "applied":
            _stamp(connection, orch, executor, step)
        ledger.resolve(step, resolution, runner)
    return Resolution(name, resolution, step)


def _stamp(connection: Connection, orch: Orchestration, executor: Executor,
           record: StepRecord) -> None:
    """The step's service's version table as the step would have left it. The ledger keeps no
    direction: a revision the version tables already hold was on its way down."""
    state = read_state_sync(connection, orch.workspace.services.values())
    applied = Sequencer(orch.revision_graph, state).applied
    direction = Direction.DOWNGRADE if record.node in applied else Direction.UPGRADE
    step = Step(record.service, record.revision, direction, record.message or "")
    heads = executor.heads_after(step, tuple(state.heads_of(record.service)))
    executor.stamp(connection, record.service, heads)
