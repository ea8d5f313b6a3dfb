"""Shell completion of the names a command takes: services, train and fleet names.

click completes commands, options and choices by itself (docs/commands.md says how to turn it
on); these add the workspace's own names, read from its files (the inis, ``trains/*.toml``,
``fleets/*.toml`` and ``[tool.orchestrate.fleets]``) without importing any model. Outside a
workspace they complete nothing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from orchestrator.config.settings import Settings

#: What a bare target may be besides a service (``orchestrate upgrade heads``).
_ALL = ("head", "heads")


def _settings(ctx: click.Context) -> Settings | None:
    from orchestrator.cli.app import global_options
    from orchestrator.config.settings import find_root, load_settings
    from orchestrator.core.errors import OrchestrateError

    try:
        return load_settings(global_options(ctx).root or find_root())
    except OrchestrateError:
        return None


def _matching(names: list[str], incomplete: str) -> list[str]:
    return sorted(name for name in names if name.startswith(incomplete))


def services(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    from orchestrator.config.service import declared_services

    settings = _settings(ctx)
    return _matching(list(declared_services(settings.ini_dir)), incomplete) if settings else []


def targets(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """``head``, ``heads`` and the services (a revision after ``SERVICE@`` is not completed)."""
    return _matching(list(_ALL), incomplete) + services(ctx, param, incomplete)


def trains(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    settings = _settings(ctx)
    if settings is None:
        return []
    return _matching([p.stem for p in settings.trains_dir.glob("*.toml")], incomplete)


def fleets(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    settings = _settings(ctx)
    if settings is None:
        return []
    names = {p.stem for p in settings.fleets_dir.glob("*.toml")} | set(settings.fleets)
    return _matching(list(names), incomplete)
