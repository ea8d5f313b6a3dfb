"""``orchestrate plan``: the command and its human rendering (a table of services, the details
that need a look, the steps, a one-line verdict; colour only on a terminal)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import click

from orchestrator.cli.app import Output, main, run
from orchestrator.cli.render import short, style, table

if TYPE_CHECKING:
    from orchestrator.planner import Finding, Plan
    from orchestrator.runtime.orchestration import Orchestration

_SEVERITY_COLOUR = {"error": "red", "warning": "yellow"}


def render_plan(plan: Plan) -> str:
    db = plan.database
    lines = [f"database: {db['url']}" + ("" if db["exists"] else " (not created yet: planning "
                                                                  "from base)"), ""]
    lines.append(table(
        ["service", "database", "head", "pending", "model changes", "findings"],
        [[s.name, short(s.current),
          style(short(s.heads), fg="red") if len(s.heads) > 1 else short(s.heads),
          len(s.pending) if s.pending else style("up to date", fg="green"),
          _changes(s.model_changes), _count(s.findings)]
         for s in plan.services],
    ))
    for service in plan.services:
        if service.findings:
            lines.append(f"\n{style(service.name, bold=True)}")
            lines += [f"  {_finding(f)}" for f in service.findings]
    requires = {(s.name, p["revision"]): p["requires"] for s in plan.services for p in s.pending}
    if plan.steps:
        lines.append(f"\n{len(plan.steps)} step(s), in the order `orchestrate upgrade` applies:")
        for n, step in enumerate(plan.steps, 1):
            needs = requires.get(step.node)
            lines.append(f"  {n:>3}. {step.service:<16} {step.revision:<14} {step.message}"
                         + (f"  (requires {', '.join(needs)})" if needs else ""))
    if plan.findings:
        lines.append("")
        lines += [_finding(f) for f in plan.findings]
    lines.append("\n" + _verdict(plan))
    return "\n".join(lines)


def _finding(finding: Finding) -> str:
    label = style(f"{finding.severity}", fg=_SEVERITY_COLOUR[finding.severity], bold=True)
    return f"{label} [{finding.code}] {finding.message}"


def _changes(changes: list[dict] | None) -> str:
    if changes is None:
        return "not compared"
    return style(str(len(changes)), fg="red") if changes else "none"


def _count(findings: list[Finding]) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    parts = [style(f"{errors} error(s)", fg="red")] if errors else []
    parts += [style(f"{warnings} warning(s)", fg="yellow")] if warnings else []
    return ", ".join(parts) or "-"


def _verdict(plan: Plan) -> str:
    summary = plan.summary()
    if not plan.clean:
        return style(f"problems: {summary['errors']} error(s), {summary['warnings']} warning(s)"
                     f"; {summary['pending_revisions']} step(s) pending", fg="red", bold=True)
    if plan.steps:
        return style(f"ready: {len(plan.steps)} step(s) to apply"
                     + (f", {summary['warnings']} warning(s)" if summary["warnings"] else ""),
                     fg="yellow", bold=True)
    return style("clean: every service is at head" + (
        f", {summary['warnings']} warning(s)" if summary["warnings"] else ""), fg="green",
        bold=True)


@main.command()
@click.option("--sql", is_flag=True,
              help="Print the SQL of the pending steps instead (with --json: in the \"sql\" field).")
def plan(orch: Orchestration, sql: bool) -> Output:
    """The whole release at a glance: every service, then the ordered steps; exit 1 on problems."""
    from orchestrator.planner import make_plan

    result = run(make_plan, orch, sql=sql)
    payload = result.to_dict()
    if sql:
        payload["sql"] = result.sql
    return Output(payload, human=lambda: result.sql if sql else render_plan(result),
                  exit_code=0 if result.clean else 1)
