"""``orchestrate fleet status``: what every database's ledger says about one train."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio

from orchestrator.core.errors import OrchestrateError
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.trains.fleets.manifest import FleetManifest, Member, load_fleet, members
from orchestrator.trains.manifest import check_train_name
from orchestrator.trains.status import train_status

#: Train states that need a look (the command exits 1 when a database is in one).
STOPPED = ("failed", "interrupted", "unreachable")


@dataclass(frozen=True)
class DatabaseTrainState:
    database: str
    state: str  # never-run | running | succeeded | failed | interrupted | unreachable
    detail: str | None  # the holder of a running train, or why a database could not be read

    def to_dict(self) -> dict[str, Any]:
        return {"database": self.database, "state": self.state, "detail": self.detail}


@dataclass
class FleetStatus:
    manifest: FleetManifest
    train: str
    databases: list[DatabaseTrainState]

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for entry in self.databases:
            found[entry.state] = found.get(entry.state, 0) + 1
        return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))

    @property
    def stopped(self) -> bool:
        return any(entry.state in STOPPED for entry in self.databases)

    def to_dict(self) -> dict[str, Any]:
        return {"fleet": self.manifest.name, "train": self.train, "counts": self.counts(),
                "databases": [entry.to_dict() for entry in self.databases]}


async def fleet_status(orch: Orchestration, fleet: str, train: str,
                       concurrency: int | None = None) -> FleetStatus:
    """Read-only: each database's ledger for ``train``, read in parallel."""
    check_train_name(train)
    manifest = load_fleet(orch.workspace.settings, fleet)
    databases = await members(manifest)
    found: dict[str, DatabaseTrainState] = {}
    limiter = anyio.CapacityLimiter(concurrency or manifest.concurrency)

    async def read(member: Member) -> None:
        async with limiter:
            try:
                status = await train_status(orch.for_database(member.url), train)
            except OrchestrateError as error:
                found[member.name] = DatabaseTrainState(member.name, "unreachable",
                                                        error.message.splitlines()[0])
                return
            holder = status.holder.describe() if status.holder else None
            found[member.name] = DatabaseTrainState(member.name, status.state,
                                                    holder if status.state == "running" else None)

    async with anyio.create_task_group() as group:
        for member in databases:
            group.start_soon(read, member)
    return FleetStatus(manifest, train, [found[m.name] for m in databases])
