"""orchestrate: Alembic migrations for a monorepo of services sharing one database."""
from orchestrator.core.errors import OrchestrateError
from orchestrator.runtime.orchestration import Orchestration

__all__ = ["OrchestrateError", "Orchestration"]
