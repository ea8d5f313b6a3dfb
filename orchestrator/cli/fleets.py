"""``orchestrate fleet plan|run|status``: the command group and its human rendering."""
from __future__ import annotations

from typing import TYPE_CHECKING

import click

from orchestrator.cli import completion
from orchestrator.cli.app import Output, main, run, wait_option
from orchestrator.cli.render import short, stack, styled, table
from orchestrator.core.errors import ConfigError, DatabaseError, OrchestrateError

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from orchestrator.runtime.orchestration import Orchestration
    from orchestrator.trains.fleets.plan import FleetPlan
    from orchestrator.trains.fleets.run import FleetRun, Wave
    from orchestrator.trains.fleets.status import FleetStatus

_NAMES_SHOWN = 4
concurrency_option = click.option(
    "--concurrency", type=click.IntRange(min=1), default=None, metavar="N",
    help="Databases worked on at once (default: the fleet's concurrency, else the workspace's).")


def _names(names: list[str]) -> str:
    more = len(names) - _NAMES_SHOWN
    return ", ".join(names[:_NAMES_SHOWN]) + (f", ... (+{more})" if more > 0 else "")


def render_fleet_plan(plan: FleetPlan) -> RenderableType:
    rows = []
    for group in plan.groups:
        position = group.position
        if position.problem:
            where: Text | str = styled(position.problem, "red")
        elif not position.steps:
            where = styled("every service at head", "green")
        elif not any(heads for _, heads in position.heads):
            where = f"nothing applied yet: {len(position.steps)} step(s) to apply"
        else:
            behind = sorted({step.service for step in position.steps})
            where = (f"{len(position.steps)} step(s) to apply; behind: " + ", ".join(
                f"{name} at {short(dict(position.heads)[name])}" for name in behind))
        rows.append([len(group.databases), where, _names(group.databases)])
    return stack(f"fleet {plan.manifest.name}: {plan.databases} database(s) in "
                 f"{len(plan.groups)} state(s)", table(["databases", "state", "which"], rows))


def render_wave(wave: Wave, result: FleetRun) -> str:
    outcomes = [result.outcomes[name] for name in wave.databases]
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return (f"wave {wave.number} ({wave.label}): {len(outcomes)} database(s) in "
            f"{wave.seconds:.1f} s: {summary}")


def render_fleet_run(result: FleetRun) -> RenderableType:
    from orchestrator.runtime.ledger import first_line

    rows = [[o.name, o.wave, o.status, o.steps, f"{o.seconds:.2f}",
             first_line(o.error) if o.error else ""] for o in result.outcomes.values()]
    failed = result.count("failed", "error")
    verdict = (styled(result.stopped, "red") if result.stopped else
               styled(f"fleet {result.manifest.name}: {failed} database(s) failed", "red")
               if failed else
               styled(f"fleet {result.manifest.name}: train {result.train} done", "green"))
    busy = result.count("busy")
    return stack(table(["database", "wave", "status", "steps", "seconds", "error"], rows),
                 verdict,
                 f"{busy} database(s) are being applied by another runner" if busy else None)


def render_fleet_status(status: FleetStatus) -> RenderableType:
    counts = ", ".join(f"{n} {state}" for state, n in status.counts().items())
    rows = [[d.database, d.state, d.detail or ""] for d in status.databases]
    return stack(f"fleet {status.manifest.name}, train {status.train}: {counts}",
                 table(["database", "state", "detail"], rows))


@main.group()
def fleet() -> None:
    """Fleets: the same release over many databases (fleets/NAME.toml)."""


def _failure(exit_code: int, summary: str, problems: list[str]) -> OrchestrateError | None:
    """What ``errors`` says when some databases of the fleet failed (exit 2 or 3)."""
    if exit_code < 2:
        return None
    kind = DatabaseError if exit_code == 3 else ConfigError
    return kind("\n".join([summary, *problems]))


@fleet.command("plan")
@click.argument("name", shell_complete=completion.fleets)
@concurrency_option
def plan_command(orch: Orchestration, name: str, concurrency: int | None) -> Output:
    """Where every database of the fleet stands, grouped by identical state."""
    from orchestrator.trains.fleets.plan import fleet_plan

    result = run(fleet_plan, orch, name, concurrency)
    problems = [f"{', '.join(g.databases)}: {g.position.problem}" for g in result.groups
                if g.position.problem]
    return Output(result.to_dict(), human=lambda: render_fleet_plan(result),
                  exit_code=result.exit_code, verdict="problems" if problems else "clean",
                  error=_failure(result.exit_code, f"{len(problems)} state(s) of fleet "
                                 f"{result.manifest.name} have a problem", problems))


@fleet.command("run")
@click.argument("name", shell_complete=completion.fleets)
@click.argument("train", shell_complete=completion.trains)
@concurrency_option
@click.option("--canary", default="1", show_default=True, metavar="N|P%",
              help="The first wave: a number of databases or a percentage; any failure in it "
                   "stops the fleet. 0: no canary.")
@click.option("--max-failures", type=click.IntRange(min=0), default=0, show_default=True,
              metavar="K", help="After the canary, stop starting databases once more than K "
                                "have failed.")
@wait_option
def run_command(orch: Orchestration, name: str, train: str, concurrency: int | None,
                canary: str, max_failures: int, wait: float) -> Output:
    """Apply release train TRAIN to every database of fleet NAME, canary first."""
    from orchestrator.trains.fleets.run import FAILED, fleet_run

    def on_wave(wave: Wave, result: FleetRun) -> None:
        click.echo(render_wave(wave, result), err=True)

    result = fleet_run(orch, name, train, concurrency=concurrency, canary=canary,
                       max_failures=max_failures, wait=wait, on_wave=on_wave)
    failed = [f"{o.name}: {o.error}" for o in result.outcomes.values() if o.status in FAILED]
    verdict = "stopped" if result.stopped else "failed" if failed else "applied"
    return Output(result.to_dict(), human=lambda: render_fleet_run(result),
                  exit_code=result.exit_code, verdict=verdict,
                  error=_failure(result.exit_code, f"{len(failed)} database(s) of fleet "
                                 f"{result.manifest.name} failed", failed))


@fleet.command("status")
@click.argument("name", shell_complete=completion.fleets)
@click.argument("train", shell_complete=completion.trains)
@concurrency_option
def status_command(orch: Orchestration, name: str, train: str, concurrency: int | None
                   ) -> Output:
    """What each database's ledger says about TRAIN; exit 1 when one stopped."""
    from orchestrator.trains.fleets.status import fleet_status

    result = run(fleet_status, orch, name, train, concurrency)
    return Output(result.to_dict(), human=lambda: render_fleet_status(result),
                  exit_code=1 if result.stopped else 0,
                  verdict="stopped" if result.stopped else "ok")
