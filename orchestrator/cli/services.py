"""``orchestrate services``: each service, its tables, version table, current and head revisions."""
from __future__ import annotations

from dataclasses import dataclass

import click

from orchestrator.cli.app import common_options, json_option, main, run
from orchestrator.cli.render import emit_json, short, table
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
            "name": self.name,
            "models": self.models,
            "version_table": self.version_table,
            "tables": self.tables,
            "depends_on": self.depends_on,
            "current": self.current,
            "heads": self.heads,
        }


async def list_services(orch: Orchestration) -> list[ServiceReport]:
    ws = orch.workspace
    graph = orch.service_graph
    state = await orch.state()
    return [
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


def render_services(reports: list[ServiceReport]) -> str:
    return table(
        ["service", "tables", "version table", "current", "head", "needs"],
        [[r.name, len(r.tables), r.version_table, short(r.current), short(r.heads),
          ", ".join(r.depends_on)] for r in reports],
    )


@main.command()
@json_option
@common_options
def services(orch: Orchestration, as_json: bool) -> int:
    """Services, their tables, version table, current and head revisions."""
    reports = run(list_services, orch)
    if as_json:
        emit_json({"services": [r.to_dict() for r in reports]})
        return 0
    click.echo(render_services(reports))
    return 0
