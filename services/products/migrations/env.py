"""Alembic environment of the products service: a thin shim over orchestrate's env runner."""
from orchestrator.envrunner import run_env

run_env()
