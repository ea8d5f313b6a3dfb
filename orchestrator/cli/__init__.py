"""The ``orchestrate`` command line (``app``) and the human rendering of each command."""
from orchestrator.cli.app import main

__all__ = ["main"]
