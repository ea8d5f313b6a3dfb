"""One orchestrate invocation: a workspace, a database URL, and what is derived from them.

Every library entry point (``plan``, ``upgrade``, ...) takes an :class:`Orchestration`; tests
build one directly, the CLI builds one from ``--root`` and ``--database-url``.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

from sqlalchemy.engine import URL

from orchestrator.history.revision_graph import RevisionGraph
from orchestrator.runtime.database import resolve_url
from orchestrator.runtime.state import DatabaseState, read_state
from orchestrator.workspace.service_graph import ServiceGraph
from orchestrator.workspace.workspace import Workspace


class Orchestration:
    def __init__(self, workspace: Workspace, url: URL) -> None:
        self.workspace = workspace
        self.url = url

    @classmethod
    def open(cls, root: Path | None = None, database_url: str | None = None) -> Orchestration:
        workspace = Workspace.load(root)
        return cls(workspace, resolve_url(workspace.settings, database_url))

    @cached_property
    def service_graph(self) -> ServiceGraph:
        ws = self.workspace
        # Built from the claims as they stand, so that ``plan`` can still report an overlap.
        return ServiceGraph.build(ws.services, ws.metadata, ws.claims)

    @cached_property
    def revision_graph(self) -> RevisionGraph:
        return RevisionGraph.build(self.workspace.histories, self.service_graph.rank)

    def for_database(self, url: URL) -> Orchestration:
        """The same workspace on another database, sharing the graphs already built (fleets)."""
        other = Orchestration(self.workspace, url)
        for derived in ("service_graph", "revision_graph"):
            if derived in self.__dict__:
                other.__dict__[derived] = self.__dict__[derived]
        return other

    async def state(self) -> DatabaseState:
        return await read_state(self.url, self.workspace.services.values())
