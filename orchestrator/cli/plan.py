"""``orchestrate plan``: the command and its human rendering (a table of services, the details
that need a look, the steps, a one-line verdict; colour only on a terminal)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import click

from orchestrator.cli.app import (
    Output,
    comparison_options,
    main,
    run,
    sql_stream,
    tenant_option,
)
from orchestrator.cli.render import Part, short, stack, styled, table, text

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from orchestrator.planner import Finding, Plan, ServicePlan
    from orchestrator.runtime.orchestration import Orchestration

_SEVERITY_COLOUR = {"error": "red", "warning": "yellow"}


def render_plan(plan: Plan) -> RenderableType:
    db = plan.database
    items: list[RenderableType | None] = [
        text(f"database: {db['url']}", "" if db["exists"] else
             " (not created yet: planning from base)"), "",
        table(["service", "database", "head", "status", "model changes", "findings"],
              [[s.name, short(s.current),
                styled(short(s.heads), "red" if len(s.heads) > 1 else None),
                _status(s), _changes(s.model_changes), _count(s.findings)]
               for s in plan.services]),
    ]
    for service in plan.services:
        if service.findings:
            items += ["", styled(service.name, "bold")]
            items += [text("  ", _finding(f)) for f in service.findings]
    requires = {(s.name, p["revision"]): p["requires"] for s in plan.services for p in s.pending}
    if plan.steps:
        items += ["", f"{len(plan.steps)} step(s), in the order `orchestrate upgrade` applies:"]
        for n, step in enumerate(plan.steps, 1):
            needs = requires.get(step.node)
            items.append(f"  {n:>3}. {step.service:<16} {step.revision:<14} {step.message}"
                         + (f"  (requires {', '.join(needs)})" if needs else ""))
    if plan.findings:
        items += ["", *(_finding(f) for f in plan.findings)]
    items += ["", _verdict(plan)]
    return stack(*items)


def _finding(finding: Finding) -> Text:
    return text((finding.severity, f"bold {_SEVERITY_COLOUR[finding.severity]}"),
                f" [{finding.code}] {finding.message}")


def status_words(status: str, pending: int) -> str:
    """The ``status`` column: ``services[].status`` of the JSON, in words."""
    count = f"{pending} pending"
    return {"up-to-date": "up to date", "pending": count,
            "several-heads": f"several heads, {count}", "unknown-revision": "unknown revision",
            "no-revisions": "no revisions"}[status]


def _status(service: ServicePlan) -> Text:
    colour = {"up-to-date": "green", "pending": None, "no-revisions": None}.get(
        service.status, "red")
    return styled(status_words(service.status, len(service.pending)), colour)


def _changes(changes: list[dict] | None) -> Text | str:
    if changes is None:
        return "not compared"
    return styled(str(len(changes)), "red") if changes else "none"


def _count(findings: list[Finding]) -> Text:
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    parts: list[Part] = [(f"{errors} error(s)", "red")] if errors else []
    if warnings:
        parts += [", "] if parts else []
        parts.append((f"{warnings} warning(s)", "yellow"))
    return text(*parts) if parts else text("-")


def _verdict(plan: Plan) -> Text:
    summary = plan.summary()
    warnings = f", {summary['warnings']} warning(s)" if summary["warnings"] else ""
    if not plan.clean:
        return styled(f"problems: {summary['errors']} error(s), {summary['warnings']} "
                      f"warning(s); {summary['pending_revisions']} step(s) pending", "bold red")
    if plan.steps:
        return styled(f"ready: {len(plan.steps)} step(s) to apply{warnings}", "bold yellow")
    return styled(f"clean: every service is at head{warnings}", "bold green")


@main.command()
@click.option("--sql", is_flag=True,
              help="Print the SQL of the pending steps instead (with --json: in the \"sql\" field).")
@tenant_option
@comparison_options
def plan(orch: Orchestration, sql: bool, tenant: str | None) -> Output:
    """The whole release at a glance: every service, then the ordered steps; exit 1 on problems."""
    from orchestrator.core.errors import DatabaseError
    from orchestrator.planner import Plan, make_plan

    out = sql_stream() if sql else None
    error: DatabaseError | None = None
    try:
        result = run(make_plan, orch, sql=sql, sql_out=out, tenant=tenant)
    except DatabaseError as stopped:  # --sql stopped at a revision: the SQL before it stands
        if not isinstance(stopped.result, Plan):
            raise
        result, error = stopped.result, stopped
    payload = result.to_dict()
    if sql:
        payload["sql"] = result.sql
    if error is not None:
        payload["verdict"] = "error"
    if out is not None:
        human = None  # streamed step by step
    else:
        human = (lambda: result.sql) if sql else (lambda: render_plan(result))
    return Output(payload, human=human, error=error,
                  exit_code=error.exit_code if error else 0 if result.clean else 1)
