"""``orchestrate train plan|run|resume|status``: the command group and its human rendering."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from orchestrator import trains
from orchestrator.cli.app import common_options, json_option, main, run, wait_option
from orchestrator.cli.render import emit_json, style, table
from orchestrator.runtime.ledger import first_line
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.trains import TrainPlan, TrainRun, TrainStatus
from orchestrator.trains.progress import Progress


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


@main.group()
def train() -> None:
    """Release trains: trains/NAME.toml names a target per service; run, record, resume."""


@train.command("plan")
@click.argument("name")
@json_option
@common_options
def train_plan(orch: Orchestration, name: str, as_json: bool) -> int:
    """The train's ordered steps on this database, with each step's lint findings."""
    result = run(trains.plan_train, orch, name)
    if as_json:
        emit_json(result.to_dict())
        return 0 if result.clean else 1
    click.echo(render_train_plan(result))
    return 0 if result.clean else 1


def _train_run_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = wait_option(func)
    func = click.option("--dry-run", is_flag=True,
                        help="Check and show the steps; touch nothing.")(func)
    return click.argument("name")(func)


@train.command("run")
@_train_run_options
@click.option("--sql", is_flag=True,
              help="Print the SQL of the steps from the database's current state; apply nothing.")
@common_options
def train_run(orch: Orchestration, name: str, dry_run: bool, wait: float, sql: bool) -> int:
    """Apply the train's steps in order, one transaction each, recorded in the ledger."""
    result = run(trains.run_train, orch, name, dry_run=dry_run, sql=sql, wait=wait,
                 progress=Progress.for_terminal())
    click.echo(render_train_run(result, dry_run))
    return 0


@train.command("resume")
@_train_run_options
@common_options
def train_resume(orch: Orchestration, name: str, dry_run: bool, wait: float) -> int:
    """Continue a train that stopped (failed step, killed runner) from where it stopped."""
    result = run(trains.run_train, orch, name, resume=True, dry_run=dry_run, wait=wait,
                 progress=Progress.for_terminal())
    click.echo(render_train_run(result, dry_run))
    return 0


@train.command("status")
@click.argument("name")
@json_option
@common_options
def train_status(orch: Orchestration, name: str, as_json: bool) -> int:
    """The train's runs and steps as the ledger records them; exit 1 when it stopped."""
    result = run(trains.train_status, orch, name)
    if as_json:
        emit_json(result.to_dict())
        return 1 if result.stopped else 0
    click.echo(render_train_status(result))
    return 1 if result.stopped else 0
