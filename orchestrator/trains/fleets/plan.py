"""``orchestrate fleet plan``: where every database of a fleet stands, grouped by identical state.

Each database's version tables are read (connections in parallel, at most ``concurrency`` at
once) and the pending steps computed exactly as ``orchestrate upgrade`` would; databases that
stand at the same revisions share one group ("180 databases at X, 20 at Y").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import anyio

from orchestrator.core.errors import OrchestrateError
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.sequencer import Sequencer, Step
from orchestrator.trains.fleets.manifest import FleetManifest, Member, load_fleet, members


@dataclass(frozen=True)
class DatabasePosition:
    """Where one database stands: its services' revisions and the steps to head, or a problem."""

    heads: tuple[tuple[str, tuple[str, ...]], ...]
    steps: tuple[Step, ...]
    problem: str | None = None  # unreachable, unknown revision, ...
    exit_code: int = 0  # what the problem maps to: 2 for the code, 3 for the database


@dataclass
class StateGroup:
    position: DatabasePosition
    databases: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": len(self.databases),
            "databases": self.databases,
            "revisions": {service: list(heads) for service, heads in self.position.heads},
            "pending": [step.to_dict() for step in self.position.steps],
            "problem": self.position.problem,
        }


@dataclass
class FleetPlan:
    manifest: FleetManifest
    groups: list[StateGroup]  # most databases first

    @property
    def databases(self) -> int:
        return sum(len(group.databases) for group in self.groups)

    @property
    def exit_code(self) -> int:
        """3 when a database could not be read, 1 for another problem, else 0."""
        return max((g.position.exit_code for g in self.groups), default=0)

    def to_dict(self) -> dict[str, Any]:
        return {"fleet": self.manifest.name, "databases": self.databases,
                "groups": [group.to_dict() for group in self.groups]}


async def fleet_plan(orch: Orchestration, name: str, concurrency: int | None = None) -> FleetPlan:
    """Read every database of fleet ``name`` and group them by where they stand."""
    manifest = load_fleet(orch.workspace.settings, name)
    databases = await members(manifest)
    orch.revision_graph  # noqa: B018  (built once, shared by every database)
    positions: dict[str, DatabasePosition] = {}
    limiter = anyio.CapacityLimiter(concurrency or manifest.concurrency)

    async def read(member: Member) -> None:
        async with limiter:
            positions[member.name] = await database_position(orch.for_database(member.url))

    async with anyio.create_task_group() as group:
        for member in databases:
            group.start_soon(read, member)
    groups: dict[DatabasePosition, StateGroup] = {}
    for member in databases:
        position = positions[member.name]
        groups.setdefault(position, StateGroup(position)).databases.append(member.name)
    ordered = sorted(groups.values(), key=lambda g: (-len(g.databases), g.databases[0]))
    return FleetPlan(manifest, ordered)


async def database_position(orch: Orchestration) -> DatabasePosition:
    """Where the database of ``orch`` stands; a problem with it is reported, not raised."""
    try:
        state = await orch.state()
        heads = tuple((name, tuple(state.heads_of(name))) for name in orch.workspace.names)
        steps = tuple(Sequencer(orch.revision_graph, state).upgrade(None))
    except OrchestrateError as error:
        return DatabasePosition((), (), error.message.splitlines()[0],
                                3 if error.exit_code == 3 else 1)
    return DatabasePosition(heads, steps)
