"""orchestrate: Alembic migrations for a monorepo of services sharing one database."""
from orchestrator.errors import OrchestrateError
from orchestrator.orchestration import Orchestration

__all__ = ["OrchestrateError", "Orchestration"]
