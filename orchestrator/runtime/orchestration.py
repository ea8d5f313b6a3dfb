"""One orchestrate invocation: a workspace, a database URL, and what is derived from them.

Every library entry point (``plan``, ``upgrade``, ...) takes an :class:`Orchestration`; tests
build one directly, the CLI builds one from ``--root`` and ``--database-url``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy.engine import URL

from orchestrator.core.errors import ConfigError
from orchestrator.history.revision_graph import RevisionGraph
from orchestrator.runtime.database import resolve_url
from orchestrator.runtime.extensions import require_extensions
from orchestrator.runtime.schemas import require_schema_support
from orchestrator.runtime.state import DatabaseState, read_state
from orchestrator.workspace.ownership import OwnershipRegistry
from orchestrator.workspace.service_graph import ServiceGraph
from orchestrator.workspace.workspace import Workspace


@dataclass(frozen=True)
class ComparisonOptions:
    """How models are compared with the database (``--no-cache``, ``--processes``)."""

    #: Skip services found clean last time with the same fingerprints (comparison_cache).
    cache: bool = True
    #: Processes comparing at once; None: one per core (small comparisons stay in-process).
    processes: int | None = None


class Orchestration:
    def __init__(self, workspace: Workspace, url: URL) -> None:
        self.workspace = workspace
        self.url = url
        self.comparison = ComparisonOptions()
        #: The tenant this invocation works on (``runtime.tenants.for_tenant``), else None.
        self.tenant: str | None = None
        workspace.read_for(url.get_backend_name())

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

    def for_workspace(self, workspace: Workspace) -> Orchestration:
        """The same database with a view of the workspace (a tenant's), graphs shared."""
        other = self.for_database(self.url)
        other.workspace = workspace
        return other

    def for_database(self, url: URL) -> Orchestration:
        """The same workspace on another database, sharing the graphs already built (fleets)."""
        other = Orchestration(self.workspace, url)
        other.comparison = self.comparison
        other.tenant = self.tenant
        for derived in ("service_graph", "revision_graph"):
            if derived in self.__dict__:
                other.__dict__[derived] = self.__dict__[derived]
        return other

    def check_configuration(self) -> None:
        """Every check of the configuration, made before the lock and any database work.

        Exit 2 naming the place: ownership overlaps, extension points that do not import,
        version tables colliding with tables, names too long for the database's identifiers, revision ids, links and cycles.
        """
        self.workspace.check()
        self.check_runtime()
        self.revision_graph  # noqa: B018 -- revision ids, links, requires and cycles checked

    def check_runtime(self, ownership: OwnershipRegistry | None = None) -> None:
        """What may differ from one run to the next on the same files: the extension points
        import, and every version table name fits the database's identifiers (exit 2)."""
        require_extensions(self.workspace.services.values())
        require_schema_support(self.workspace, ownership or self.workspace.ownership, self.url)
        limit = version_table_limit(self.url)
        for service in self.workspace.services.values():
            if len(service.version_table.encode()) > limit:
                raise ConfigError(
                    f"{service.ini_path}: service {service.name!r}: its version table name "
                    f"{service.version_table!r} has {len(service.version_table.encode())} "
                    f"bytes; {self.url.get_backend_name()} version table names hold {limit}. "
                    "Use a shorter service name or set `version_table =` in [orchestrate]"
                )

    async def state(self) -> DatabaseState:
        return await read_state(self.url, self.workspace.services.values(),
                                self.workspace.settings.legacy_version_table,
                                schemas=self.workspace.schemas)


#: Identifier length limits the dialect classes do not state until connected (MySQL's says 255).
_IDENTIFIER_LIMITS = {"postgresql": 63, "mysql": 64, "mariadb": 64}


#: Alembic names the version table's primary key ``<version table>_pkc``: MySQL and MariaDB
#: refuse that name when it is too long (PostgreSQL cuts it), so the table name leaves room.
_PRIMARY_KEY_SUFFIX = {"mysql": len("_pkc"), "mariadb": len("_pkc")}


def version_table_limit(url: URL) -> int:
    """The longest version table name (in bytes) the database at ``url`` takes."""
    return identifier_limit(url) - _PRIMARY_KEY_SUFFIX.get(url.get_backend_name(), 0)


def identifier_limit(url: URL) -> int:
    """The longest table name (in bytes) the database at ``url`` keeps without truncating."""
    backend = url.get_backend_name()
    return _IDENTIFIER_LIMITS.get(backend) or url.get_dialect().max_identifier_length
