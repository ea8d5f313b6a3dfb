"""The ``orchestrate`` command line: a thin layer over the library.

``app`` holds the command group and what every command shares; each other module holds one
command or command group with its human rendering beside it. Importing this package registers
every command on :data:`main`, the console script's entry point.
"""
from orchestrator.cli import (  # noqa: F401  (each module registers its commands on main)
    adoption,
    branches,
    fleets,
    generate,
    graph,
    history,
    lint,
    migrate,
    plan,
    scaffold,
    services,
    trains,
)
from orchestrator.cli.app import main

__all__ = ["main"]
