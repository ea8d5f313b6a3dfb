"""The human rendering of release trains: `train plan` (the ordered steps and their lint
findings), `train run`/`resume` (what was, or would be, applied) and `train status` (the
ledger's runs and steps). Colour only on a terminal (``render.style``)."""
from __future__ import annotations

from datetime import datetime

from orchestrator.cli.render import style, table
from orchestrator.trains import TrainPlan, TrainRun, TrainStatus
from orchestrator.trains.ledger import first_line


def render_train_plan(result: TrainPlan) -> str:
    manifest = result.manifest
    lines = [f"train {manifest.name} ({manifest.path})"
             + (f": {manifest.description}" if manifest.description else ""),
             f"database: {result.database['url']}"]
    if not result.steps:
        lines.append(style("nothing to do: every target is already applied", fg="green"))
        return "\n".join(lines)
    lines.append(f"{len(result.steps)} step(s), in order:")
    for index, step in enumerate(result.steps, 1):
        lines.append(f"  {index:>4}. {step.service:<16} {step.revision:<14} {step.message}")
        for finding in result.findings[step.node]:
            colour = "red" if finding.is_error else "yellow"
            lines.append("        " + style(f"{finding.severity.value} {finding.code}: ",
                                             fg=colour) + f"line {finding.line}: {finding.detail}")
    return "\n".join(lines)


def render_train_run(result: TrainRun, dry_run: bool) -> str:
    """The run's SQL with --sql; else the steps it would apply (dry run) or applied."""
    if result.sql is not None:
        return result.sql
    first = result.first_position
    if dry_run:
        lines = [f"train {result.manifest.name}: would apply {len(result.steps)} step(s)"]
        lines += [f"  {index:>4}/{result.total} {step.service:<16} {step.revision:<14} "
                  f"{step.message}" for index, step in enumerate(result.steps, first)]
        return "\n".join(lines)
    lines = []
    for index, applied in enumerate(result.applied, first):
        step = applied.step
        lines.append(f"applied {index:>4}/{result.total} {step.service:<16} {step.revision:<14} "
                     f"{applied.seconds * 1000:8.1f} ms  {step.message}")
    if not result.steps:
        lines.append(style(f"train {result.manifest.name}: nothing to do, every target is "
                           "already applied", fg="green"))
    else:
        lines.append(style(f"train {result.manifest.name}: {len(result.applied)} step(s) "
                           f"applied (run #{result.run_id})", fg="green"))
    return "\n".join(lines)


def render_train_status(result: TrainStatus) -> str:
    colour = {"succeeded": "green", "running": "yellow"}.get(result.state, "red")
    lines = [f"train {result.train}: " + style(result.state, fg=colour, bold=True)]
    if result.holder:
        lines.append(f"lock held by {result.holder.describe()}")
    if result.runs:
        lines.append(table(
            ["run", "kind", "status", "steps", "started", "seconds", "runner", "error"],
            [[f"#{r.id}", r.kind, r.status, r.steps, _moment(r.started_at),
              f"{(r.ended_at - r.started_at).total_seconds():.1f}" if r.ended_at else "",
              f"{r.runner.pid}@{r.runner.host}", first_line(r.error)] for r in result.runs],
        ))
    if result.steps:
        lines.append("")
        lines.append(table(
            ["step", "run", "service", "revision", "status", "seconds", "error"],
            [[s.position, f"#{s.run_id}", s.service, s.revision, s.status,
              "" if s.seconds is None else f"{s.seconds:.3f}", first_line(s.error)]
             for s in result.steps],
        ))
    if result.state == "failed":
        lines.append(f"\nfix the failed step, then `orchestrate train resume {result.train}`")
    elif result.state == "interrupted":
        lines.append(f"\nits runner is gone: `orchestrate train resume {result.train}` "
                     "reconciles the ledger with the version tables and continues")
    return "\n".join(lines)


def _moment(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}"
