"""``orchestrate init`` and ``orchestrate new-service NAME``: a workspace, a service, from the
templates of :mod:`orchestrator.workspace.scaffold`; nothing existing is overwritten."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from orchestrator.cli.app import Output, global_options, main
from orchestrator.cli.render import stack, styled

if TYPE_CHECKING:
    from rich.console import RenderableType

    from orchestrator.workspace.scaffold import Scaffold


def render_scaffold(scaffold: Scaffold, next_steps: list[str]) -> RenderableType:
    listed = scaffold.to_dict()
    return stack(
        *(f"created   {path}" for path in listed["created"]),
        *(f"appended  {path}" for path in listed["appended"]),
        "", styled("next:", "bold"), *(f"  {step}" for step in next_steps),
    )


def _remember_root(root: Path) -> None:
    """Paths in the JSON document are relative to the workspace made or extended."""
    click.get_current_context().orchestrate_root = root  # type: ignore[attr-defined]


@main.command(workspace=False)
@click.argument("folder", required=False,
                type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path | None) -> Output:
    """Make FOLDER (default: --root, else the current folder) an orchestrate workspace.

    Writes [tool.orchestrate] into pyproject.toml (appended when the file exists), the
    alembic.ini.d/ folder, the services/ package, shared_db/ (the naming convention every
    service's MetaData uses) and .orchestrate/ in .gitignore. Refuses to overwrite any file.
    """
    from orchestrator.workspace.scaffold import init_workspace

    scaffold = init_workspace(folder or global_options().root or Path.cwd())
    _remember_root(scaffold.root)
    steps = ["orchestrate new-service NAME    (once per service)",
             "orchestrate generate -m \"initial\"  (once the models define tables)"]
    return Output(scaffold.to_dict(), human=lambda: render_scaffold(scaffold, steps),
                  verdict="created")


@main.command("new-service", workspace=False)
@click.argument("name")
def new_service_command(name: str) -> Output:
    """Add service NAME: its package and models, migrations (env.py, the revision template,
    an empty versions/) and alembic.ini.d/NAME.ini. Refuses to overwrite any file."""
    from orchestrator.config.settings import find_root
    from orchestrator.workspace.scaffold import new_service

    scaffold = new_service(global_options().root or find_root(), name)
    _remember_root(scaffold.root)
    models = next(p for p in scaffold.to_dict()["created"] if p.endswith("models/__init__.py"))
    steps = [f"define tables in a module beside {models} (using its `metadata`)",
             f"orchestrate generate {name} -m \"initial\"",
             "orchestrate upgrade"]
    return Output(scaffold.to_dict(), human=lambda: render_scaffold(scaffold, steps),
                  verdict="created")
