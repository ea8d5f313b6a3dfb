"""Alembic environment of the invoices service: a thin shim over orchestrate's env runner."""
from orchestrator.envrunner import run_env

run_env()
