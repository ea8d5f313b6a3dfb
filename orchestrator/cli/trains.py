"""``orchestrate train plan|run|resume|resolve|status``: the command group and its human rendering."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from orchestrator.cli import completion
from orchestrator.cli.app import Output, main, run, sql_stream, wait_option
from orchestrator.cli.render import stack, styled, table, text

if TYPE_CHECKING:
    from rich.console import RenderableType

    from orchestrator.runtime.orchestration import Orchestration
    from orchestrator.trains import TrainPlan, TrainRun, TrainStatus


def render_train_plan(result: TrainPlan) -> RenderableType:
    manifest = result.manifest
    items: list[RenderableType] = [
        f"train {manifest.name} ({manifest.path})"
        + (f": {manifest.description}" if manifest.description else ""),
        f"database: {result.database['url']}"]
    if not result.steps:
        items.append(styled("nothing to do: every target is already applied", "green"))
        return stack(*items)
    items.append(f"{len(result.steps)} step(s), in order:")
    for index, step in enumerate(result.steps, 1):
        items.append(f"  {index:>4}. {step.service:<16} {step.revision:<14} {step.message}")
        for finding in result.findings[step.node]:
            items.append(text("        ", (f"{finding.severity.value} {finding.code}: ",
                                           "red" if finding.is_error else "yellow"),
                              f"line {finding.line}: {finding.detail}"))
    return stack(*items)


def render_train_run(result: TrainRun, dry_run: bool) -> RenderableType:
    """The run's SQL with --sql; else the steps it would apply (dry run) or applied."""
    if result.sql is not None:
        return result.sql
    first = result.first_position
    if dry_run:
        return stack(f"train {result.manifest.name}: would apply {len(result.steps)} step(s)",
                     *(f"  {index:>4}/{result.total} {step.service:<16} {step.revision:<14} "
                       f"{step.message}" for index, step in enumerate(result.steps, first)))
    items: list[RenderableType] = []
    for index, applied in enumerate(result.applied, first):
        step = applied.step
        items.append(f"applied {index:>4}/{result.total} {step.service:<16} {step.revision:<14} "
                     f"{applied.seconds * 1000:8.1f} ms  {step.message}")
    if not result.steps:
        items.append(styled(f"train {result.manifest.name}: nothing to do, every target is "
                            "already applied", "green"))
    else:
        items.append(styled(f"train {result.manifest.name}: {len(result.applied)} step(s) "
                            f"applied (run #{result.run_id})", "green"))
    return stack(*items)


def render_train_status(result: TrainStatus) -> RenderableType:
    from orchestrator.runtime.ledger import first_line

    colour = {"succeeded": "green", "running": "yellow"}.get(result.state, "red")
    items: list[RenderableType | None] = [
        text(f"train {result.train}: ", (result.state, f"bold {colour}"))]
    if result.holder:
        items.append(f"lock held by {result.holder.describe()}")
    if result.runs:
        items.append(table(
            ["run", "kind", "status", "steps", "started", "seconds", "runner", "error"],
            [[f"#{r.id}", r.kind, r.status, r.steps, _moment(r.started_at),
              f"{(r.ended_at - r.started_at).total_seconds():.1f}" if r.ended_at else "",
              f"{r.runner.pid}@{r.runner.host}", first_line(r.error)] for r in result.runs],
        ))
    if result.steps:
        items += ["", table(
            ["step", "run", "service", "revision", "status", "seconds", "error"],
            [[s.position, f"#{s.run_id}", s.service, s.revision, s.status,
              "" if s.seconds is None else f"{s.seconds:.3f}", first_line(s.error)]
             for s in result.steps],
        )]
    for step in result.steps:
        if step.status == "partial" or step.statements:
            items += ["", f"step {step.position} ({step.service} {step.revision}) {step.status}: "
                      + ("these statements had committed:" if step.statements
                         else "which statements committed is unknown")]
            items += [f"  line {line}: {' '.join(sql.split())}" if line else f"  {sql}"
                      for line, sql in step.statements]
    if result.state == "partial":
        items += ["", f"fix the database by hand, then `orchestrate train resolve "
                  f"{result.train} --applied` (you finished the step) or `--reverted` (you "
                  f"undid it), then `orchestrate train resume {result.train}`"]
    elif result.state == "failed":
        items += ["", f"fix the failed step, then `orchestrate train resume {result.train}`"]
    elif result.state == "interrupted":
        items += ["", f"its runner is gone: `orchestrate train resume {result.train}` "
                  "reconciles the ledger with the version tables and continues"]
    return stack(*items)


def _moment(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}"


@main.group()
def train() -> None:
    """Release trains: trains/NAME.toml names a target per service; run, record, resume."""


@train.command("plan")
@click.argument("name", shell_complete=completion.trains)
def train_plan(orch: Orchestration, name: str) -> Output:
    """The train's ordered steps on this database, with each step's lint findings."""
    from orchestrator.trains import plan_train

    result = run(plan_train, orch, name)
    return Output(result.to_dict(), human=lambda: render_train_plan(result),
                  exit_code=0 if result.clean else 1)


def _train_run_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = wait_option(func)
    func = click.option("--dry-run", is_flag=True,
                        help="Check and show the steps; touch nothing.")(func)
    return click.argument("name", shell_complete=completion.trains)(func)


def _run_output(orch: Orchestration, name: str, dry_run: bool, **options: Any) -> Output:
    from orchestrator.core.errors import DatabaseError
    from orchestrator.runtime.database import describe_database
    from orchestrator.trains import run_train
    from orchestrator.trains.progress import Progress
    from orchestrator.trains.run import TrainRun

    out = sql_stream() if options.get("sql") else None
    error: DatabaseError | None = None
    try:
        result = run(run_train, orch, name, dry_run=dry_run, progress=Progress.for_terminal(),
                     sql_out=out, **options)
    except DatabaseError as stopped:  # --sql stopped at a revision: the SQL before it stands
        if not isinstance(stopped.result, TrainRun):
            raise
        result, error = stopped.result, stopped
    payload = result.to_dict()
    if result.sql is not None:
        payload["sql"] = result.sql
        verdict = "sql"
    elif dry_run:
        verdict = "dry-run"
    else:
        verdict = "applied" if result.applied else "nothing-to-do"
    human = None if out is not None else (lambda: render_train_run(result, dry_run))
    return Output(payload, human=human, verdict="error" if error else verdict, error=error,
                  exit_code=error.exit_code if error else 0,
                  database=describe_database(orch.url))


@train.command("run")
@_train_run_options
@click.option("--sql", is_flag=True,
              help="Print the SQL of the steps from the database's current state; apply nothing.")
def train_run(orch: Orchestration, name: str, dry_run: bool, wait: float, sql: bool) -> Output:
    """Apply the train's steps in order, one transaction each, recorded in the ledger."""
    return _run_output(orch, name, dry_run, sql=sql, wait=wait)


@train.command("resume")
@_train_run_options
def train_resume(orch: Orchestration, name: str, dry_run: bool, wait: float) -> Output:
    """Continue a train that stopped (failed step, killed runner) from where it stopped."""
    return _run_output(orch, name, dry_run, resume=True, wait=wait)


@train.command("resolve")
@click.argument("name")
@click.option("--applied", "resolution", flag_value="applied",
              help="You finished the partly applied step by hand: record it as applied.")
@click.option("--reverted", "resolution", flag_value="reverted",
              help="You undid what of it had committed: `train resume` applies it again.")
@wait_option
def train_resolve(orch: Orchestration, name: str, resolution: str | None,
                  wait: float) -> Output:
    """Record what you did about a step left partly applied (MySQL/MariaDB DDL commits)."""
    from orchestrator.core.errors import ConfigError
    from orchestrator.runtime.database import describe_database
    from orchestrator.trains import resolve_train

    if resolution is None:
        raise ConfigError("say what you did about the partly applied step: --applied (you "
                          "finished it) or --reverted (you undid it)")
    result = run(resolve_train, orch, name, resolution, wait)
    step = result.step
    return Output(result.to_dict(), verdict=resolution, database=describe_database(orch.url),
                  human=lambda: styled(
                      f"train {name}: step {step.position} ({step.service} {step.revision}) "
                      f"recorded as {resolution}; `orchestrate train resume {name}` goes on",
                      "green"))


@train.command("status")
@click.argument("name", shell_complete=completion.trains)
def train_status(orch: Orchestration, name: str) -> Output:
    """The train's runs and steps as the ledger records them; exit 1 when it stopped."""
    from orchestrator.runtime.database import describe_database
    from orchestrator.trains import train_status as read_status

    result = run(read_status, orch, name)
    return Output(result.to_dict(), human=lambda: render_train_status(result),
                  exit_code=1 if result.stopped else 0, verdict=result.state,
                  database=describe_database(orch.url))
