"""The human rendering of `services`: one row per service, its tables, version table, current
and head revisions and the services it needs."""
from __future__ import annotations

from orchestrator.cli.render import short, table
from orchestrator.cli.services import ServiceReport


def render_services(reports: list[ServiceReport]) -> str:
    return table(
        ["service", "tables", "version table", "current", "head", "needs"],
        [[r.name, len(r.tables), r.version_table, short(r.current), short(r.heads),
          ", ".join(r.depends_on)] for r in reports],
    )
