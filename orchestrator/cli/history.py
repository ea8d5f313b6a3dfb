"""``orchestrate history``: revisions in order, with what each needs and whether it is applied.

For one service: its history order. For the whole workspace: the global order, the one an
upgrade from an empty database applies.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from orchestrator.cli import completion
from orchestrator.cli.app import Output, main, run
from orchestrator.cli.render import display_path, stack, styled, table

if TYPE_CHECKING:
    from rich.console import RenderableType

    from orchestrator.history.revision_graph import Node
    from orchestrator.runtime.orchestration import Orchestration


@dataclass(frozen=True)
class HistoryEntry:
    service: str
    revision: str
    message: str
    down_revisions: tuple[str, ...]
    depends_on: tuple[str, ...]
    requires: tuple[str, ...]  # "service:revision", resolved to full ids
    create_date: str | None
    path: str
    head: bool  # no revision of the service builds on it
    applied: bool
    current: bool  # in the service's version table
    #: ``(create_table|drop_table|rename_table, table, new name)`` from its recorded reading,
    #: when asked for (``--operations``); None otherwise.
    table_operations: tuple[tuple[str, str, str | None], ...] | None = None

    @property
    def status(self) -> str:
        return "current" if self.current else "applied" if self.applied else "pending"

    def to_dict(self) -> dict:
        return {
            "service": self.service, "revision": self.revision, "message": self.message,
            "down_revisions": list(self.down_revisions), "depends_on": list(self.depends_on),
            "requires": list(self.requires), "create_date": self.create_date,
            "path": self.path, "head": self.head, "merge": len(self.down_revisions) > 1,
            "applied": self.applied, "current": self.current,
            **({} if self.table_operations is None else {"table_operations": [
                {"operation": kind, "table": table, "new_name": new}
                for kind, table, new in self.table_operations]}),
        }

    @property
    def tables(self) -> str:
        """``+created -dropped old>new``, for the human table."""
        marks = {"create_table": "+", "drop_table": "-"}
        return " ".join(f"{table}>{new}" if kind == "rename_table" else f"{marks[kind]}{table}"
                        for kind, table, new in self.table_operations or ())



@dataclass(frozen=True)
class History:
    database: dict
    entries: list[HistoryEntry]

    def to_dict(self) -> dict:
        return {"database": self.database, "revisions": [e.to_dict() for e in self.entries]}


async def read_history(orch: Orchestration, service: str | None = None,
                       operations: bool = False) -> History:
    """The revisions of ``service`` (default: every service), in order, with their state
    (and, with ``operations``, the tables each creates, drops and renames)."""
    from orchestrator.runtime.database import describe_database
    from orchestrator.runtime.sequencer import Sequencer

    ws = orch.workspace
    graph = orch.revision_graph
    if service is not None:
        ws.service(service)
        history = ws.histories[service]
        nodes: list[Node] = [(service, rev) for rev in history.order]
    else:
        nodes = graph.order
    state = await orch.state()
    applied = Sequencer(graph, state).applied
    entries = []
    for node in nodes:
        rev = graph.revision(node)
        history = ws.histories[node[0]]
        entries.append(HistoryEntry(
            service=node[0], revision=node[1], message=rev.message,
            down_revisions=rev.down_revisions, depends_on=rev.depends_on,
            requires=tuple(f"{s}:{r}" for s, r in graph.requirements(node)),
            create_date=rev.create_date, path=display_path(rev.path, orch.workspace.root),
            head=node[1] in history.heads, applied=node in applied,
            current=node[1] in state.heads_of(node[0]),
            table_operations=history.table_operations(node[1]) if operations else None,
        ))
    database = describe_database(orch.url, state.exists)
    return History(database, entries)


_STATUS_COLOUR = {"current": "green", "applied": None, "pending": "yellow"}


def render_history(result: History) -> RenderableType:
    db = result.database
    operations = any(e.table_operations is not None for e in result.entries)
    return stack(
        f"database: {db['url']}" + ("" if db["exists"] else " (not created yet)"),
        table(
            ["service", "revision", "down_revision", "requires", "status", "message"]
            + (["tables"] if operations else []),
            [[e.service, e.revision + (" (head)" if e.head else ""),
              ", ".join(e.down_revisions) or "(base)", ", ".join(e.requires),
              styled(e.status, _STATUS_COLOUR[e.status]), e.message]
             + ([e.tables] if operations else []) for e in result.entries],
        ),
    )


@main.command()
@click.argument("service", required=False, shell_complete=completion.services)
@click.option("--operations", is_flag=True,
              help="Also show the tables each revision creates (+), drops (-) and renames (>).")
def history(orch: Orchestration, service: str | None, operations: bool) -> Output:
    """Revisions in order (one service's, or all in global order), marking what is applied."""
    result = run(read_history, orch, service, operations)
    return Output(result.to_dict(), human=lambda: render_history(result))
