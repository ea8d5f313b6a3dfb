"""``orchestrate services``: each service, its tables, version table, current and head revisions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from orchestrator.cli.app import Output, main, run
from orchestrator.cli.render import short, table

if TYPE_CHECKING:
    from rich.table import Table

    from orchestrator.runtime.orchestration import Orchestration


@dataclass(frozen=True)
class ServiceReport:
    name: str
    models: str
    version_table: str
    tables: list[str]
    depends_on: list[str]
    current: list[str]
    heads: list[str]

    def to_dict(self) -> dict:
        return {
            "service": self.name,
            "models": self.models,
            "version_table": self.version_table,
            "tables": self.tables,
            "depends_on": self.depends_on,
            "current": self.current,
            "heads": self.heads,
        }


async def list_services(orch: Orchestration) -> tuple[dict, list[ServiceReport]]:
    """The database as described in reports, and every service in service-graph order."""
    from orchestrator.runtime.database import describe_database

    ws = orch.workspace
    graph = orch.service_graph
    state = await orch.state()
    return describe_database(orch.url, state.exists), [
        ServiceReport(
            name=name,
            models=ws.services[name].models,
            version_table=ws.services[name].version_table,
            tables=sorted(ws.ownership.tables_of(name)),
            depends_on=graph.needs(name),
            current=state.heads_of(name),
            heads=ws.histories[name].heads,
        )
        for name in graph.order
    ]


def render_services(reports: list[ServiceReport]) -> Table:
    return table(
        ["service", "tables", "version table", "current", "head", "needs"],
        [[r.name, len(r.tables), r.version_table, short(r.current), short(r.heads),
          ", ".join(r.depends_on)] for r in reports],
    )


@main.command()
def services(orch: Orchestration) -> Output:
    """Services, their tables, version table, current and head revisions."""
    database, reports = run(list_services, orch)
    return Output({"database": database, "services": [r.to_dict() for r in reports]},
                  human=lambda: render_services(reports))
