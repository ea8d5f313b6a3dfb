"""What every service's ``env.py`` imports: ``from orchestrator.envrunner import run_env``.

A stable name for workspaces' env.py files; the runner itself is
:mod:`orchestrator.runtime.envrunner`.
"""
from orchestrator.runtime.envrunner import run_env

__all__ = ["run_env"]
