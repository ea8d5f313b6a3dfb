"""What one service's comparison may touch, handed to orchestrate's comparator plugins."""
from __future__ import annotations

from dataclasses import dataclass

from orchestrator.workspace.ownership import OwnershipRegistry

#: The context option carrying a service's :class:`ServiceScope` to orchestrate's comparators.
SCOPE_OPTION = "orchestrate_scope"


@dataclass(frozen=True)
class ServiceScope:
    """A service's name, the tables it owns (registry keys), and the workspace's ownership."""

    service: str
    tables: frozenset[str]
    ownership: OwnershipRegistry
