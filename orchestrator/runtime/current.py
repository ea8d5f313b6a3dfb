"""``orchestrate current``: where each service's database stands, as ``alembic current``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orchestrator.runtime.database import describe_database
from orchestrator.runtime.orchestration import Orchestration


@dataclass(frozen=True)
class ServiceCurrent:
    service: str
    version_table: str
    #: The version table's rows: (revision, its message or None when the code lacks it).
    current: tuple[tuple[str, str | None], ...]
    heads: tuple[str, ...]

    @property
    def unknown(self) -> list[str]:
        return [rev for rev, message in self.current if message is None]

    @property
    def at_head(self) -> bool:
        return sorted(rev for rev, _ in self.current) == sorted(self.heads)

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "version_table": self.version_table,
            "current": [{"revision": rev, "message": message, "known": message is not None,
                         "head": rev in self.heads} for rev, message in self.current],
            "heads": list(self.heads),
            "at_head": self.at_head,
            "unknown_revisions": self.unknown,
        }


async def current(orch: Orchestration
                  ) -> tuple[dict[str, Any], list[ServiceCurrent], dict[str, list[str]]]:
    """The database as reports describe it, every service in service-graph order, and the
    legacy version tables (of no service: ``orchestrate adopt``) with their rows."""
    state = await orch.state()
    found = []
    for name in orch.service_graph.order:
        history = orch.workspace.histories[name]
        found.append(ServiceCurrent(
            name, orch.workspace.services[name].version_table,
            tuple((rev, history.revisions[rev].message if rev in history.revisions else None)
                  for rev in state.heads_of(name)),
            tuple(history.heads)))
    return describe_database(orch.url, state.exists), found, state.legacy
