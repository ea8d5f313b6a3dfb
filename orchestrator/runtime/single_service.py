"""What one vanilla ``alembic -c <ini>`` call needs: one service's models and the ownership.

A service's Alembic context needs its own MetaData and the ownership registry (which tables it
may compare and which belong to others). Building the registry imports every service's models;
the claims cache (:mod:`orchestrator.workspace.claims_cache`) keeps it, checked, keyed by the
content of every file it came from. So a call loads the registry from the cache and imports
only its service's models; when any file changed, everything is loaded and checked as
``orchestrate`` itself does, and the cache rebuilt. A per-service loop of ``alembic`` calls
stays linear in the number of services instead of quadratic.
"""
from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.engine import URL

from orchestrator.config.service import Service
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.workspace.claims_cache import cached_ownership, remember_ownership
from orchestrator.workspace.ownership import OwnershipRegistry
from orchestrator.workspace.workspace import Workspace


def single_service(workspace: Workspace, service: Service, url: URL
                   ) -> tuple[MetaData, OwnershipRegistry]:
    """``service``'s MetaData and the workspace's ownership, the configuration checked."""
    orch = Orchestration(workspace, url)  # revisions read for the database's dialect
    registry = cached_ownership(workspace)
    if registry is None:
        orch.check_configuration()
        remember_ownership(workspace)
        return workspace.metadata[service.name], workspace.ownership
    orch.check_runtime(registry)  # the rest was checked on these very files
    return workspace.service_metadata(service.name), registry
