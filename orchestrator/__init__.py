"""orchestrate: Alembic migrations for a monorepo of services sharing one database.

The library API, importable from here without loading anything until a name is used (the
command line pays no import cost for it)::

    import anyio, orchestrator
    orch = orchestrator.Orchestration.open(root, database_url)
    plan = anyio.run(orchestrator.plan, orch)

Coroutines (run them with ``anyio.run`` or ``await``): ``plan``, ``upgrade``, ``downgrade``,
``current``, ``stamp``, ``adopt``, ``generate``, ``check``, ``detect_changes``, ``plan_train``, ``run_train``, ``train_status``,
``resolve_train``,
``fleet_plan``, ``fleet_status``. Plain functions: ``find_heads``, ``merge``,
``merge_services``, ``fleet_run`` (it forks workers), ``run_env``; lint is
``orchestrator.lint.lint``. docs/architecture.md maps the packages behind them.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

#: Public name -> (module, attribute).
_API: dict[str, tuple[str, str]] = {
    "Orchestration": ("orchestrator.runtime.orchestration", "Orchestration"),
    "Workspace": ("orchestrator.workspace.workspace", "Workspace"),
    "OrchestrateError": ("orchestrator.core.errors", "OrchestrateError"),
    "ConfigError": ("orchestrator.core.errors", "ConfigError"),
    "DatabaseError": ("orchestrator.core.errors", "DatabaseError"),
    "plan": ("orchestrator.planner", "make_plan"),
    "upgrade": ("orchestrator.runtime.migrate", "upgrade"),
    "downgrade": ("orchestrator.runtime.migrate", "downgrade"),
    "current": ("orchestrator.runtime.current", "current"),
    "stamp": ("orchestrator.runtime.stamp", "stamp"),
    "adopt": ("orchestrator.runtime.adopt", "adopt"),
    "generate": ("orchestrator.autogenerate.generate", "generate"),
    "check": ("orchestrator.autogenerate.check", "check"),
    "detect_changes": ("orchestrator.autogenerate.autodetect", "detect_changes"),
    "find_heads": ("orchestrator.branches", "find_heads"),
    "merge": ("orchestrator.branches", "merge"),
    "merge_services": ("orchestrator.branches", "merge_services"),
    "plan_train": ("orchestrator.trains", "plan_train"),
    "run_train": ("orchestrator.trains", "run_train"),
    "train_status": ("orchestrator.trains", "train_status"),
    "resolve_train": ("orchestrator.trains", "resolve_train"),
    "fleet_plan": ("orchestrator.trains.fleets.plan", "fleet_plan"),
    "fleet_run": ("orchestrator.trains.fleets.run", "fleet_run"),
    "fleet_status": ("orchestrator.trains.fleets.status", "fleet_status"),
    "run_env": ("orchestrator.runtime.envrunner", "run_env"),
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _API[name]
    except KeyError:
        raise AttributeError(f"module 'orchestrator' has no attribute {name!r}") from None
    value = getattr(import_module(module), attribute)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
