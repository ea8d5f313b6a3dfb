"""``orchestrate generate`` and ``orchestrate check``: the commands and their human rendering
(what was written, per service, with the lint findings; what check found)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import click

from orchestrator.cli import completion
from orchestrator.cli.app import Output, comparison_options, main, run
from orchestrator.cli.render import short, stack, styled, table, text
from orchestrator.lint.rule import DIALECTS

if TYPE_CHECKING:
    from rich.console import RenderableType

    from orchestrator.autogenerate.autodetect import ChangeReport
    from orchestrator.autogenerate.generate import GenerateResult
    from orchestrator.runtime.orchestration import Orchestration


def render_generate(result: GenerateResult) -> RenderableType:
    items: list[RenderableType] = []
    for entry in result.report.services:
        written = result.written_for(entry.service)
        if written is None:
            items.append(f"{entry.service:<16} no changes")
            continue
        data = written.to_dict(result.root)
        needs = f"  requires {', '.join(data['requires'])}" if data["requires"] else ""
        items.append(text(f"{entry.service:<16} ", ("wrote", "green"), f" {data['path']}{needs}"))
        items += [f"{'':<18}{change}" for change in entry.changes]
    for finding in result.lint:
        items.append(text((f"{finding.severity.value} {finding.code}",
                           "red" if finding.is_error else "yellow"), f" {finding.message}"))
        items.append(f"{'':<18}fix: {finding.fix}")
    count = len(result.written)
    items.append(styled(f"{count} revision(s) written", "green") if count
                 else "nothing to generate: the models match the migrations")
    if any(f.is_error for f in result.lint):
        items.append(styled("the revisions are written, but a lint error makes this exit 1: fix "
                            "or suppress it before committing (orchestrate lint)", "red"))
    elif result.lint:
        items.append("review the lint findings above before committing (orchestrate lint)")
    return stack(*items)


def render_check(report: ChangeReport) -> RenderableType:
    rows = []
    for entry in report.services:
        found = [f"{len(entry.changes)} change(s)"] if entry.changes else []
        found += [f"{len(entry.problems)} problem(s)"] if entry.problems else []
        rows.append([entry.service, short(entry.db_heads),
                     styled(", ".join(found), "red") if found else styled("clean", "green")])
    items: list[RenderableType] = [table(["service", "revision", "verdict"], rows)]
    for entry in report.services:
        items += [f"{entry.service}: {change}" for change in entry.changes]
        items += [text(("error: ", "red"), problem) for problem in entry.problems]
        items += [text(("note: ", "yellow"), note) for note in entry.unverified]
    items += [text((f"{p.severity}: ", "red" if p.severity == "error" else "yellow"), p.message)
              for p in report.layout]
    differ = any(s.changes or s.problems or s.blocker for s in report.services)
    items += ["", styled("clean: the models match the migrations", "green") if report.clean
              else styled("the models and the migrations differ" if differ
                          else "the workspace's layout has errors (above)", "bold red")]
    return stack(*items)


@main.command()
@click.argument("services_", nargs=-1, metavar="[SERVICE]...",
                shell_complete=completion.services)
@click.option("-m", "--message", help="The revisions' message (required, but with --baseline).")
@click.option("--baseline", is_flag=True,
              help="Write each service's first revision from its models (all the tables it "
                   "owns), and stamp it where the database has those tables already.")
@click.option("--allow-empty", is_flag=True,
              help="Write a revision even for services whose models did not change.")
@click.option("--dialect", type=click.Choice(DIALECTS), default=None,
              help="Render the revisions for this database (default: the compared one's).")
def generate(orch: Orchestration, services_: tuple[str, ...], message: str | None,
             baseline: bool, allow_empty: bool, dialect: str | None) -> Output:
    """Autogenerate one revision per changed service (default: all), all compared at once.

    Exit 1 when a revision it wrote has a lint error: the files stay written, for review.
    """
    from orchestrator.autogenerate.generate import generate as generate_revisions

    orch.workspace.select(list(services_))
    if baseline:
        return _baseline(orch, list(services_) or None, message or "baseline", dialect)
    if not message:
        raise click.UsageError("Missing option '-m' / '--message'.")
    result = run(generate_revisions, orch, list(services_) or None, message=message,
                 allow_empty=allow_empty, dialect=dialect)
    lint_errors = any(f.is_error for f in result.lint)
    return Output(result.to_dict(), human=lambda: render_generate(result),
                  exit_code=1 if lint_errors else 0,
                  verdict="lint-errors" if lint_errors else
                  "written" if result.written else "no-changes")


def _baseline(orch: Orchestration, services: list[str] | None, message: str,
              dialect: str | None) -> Output:
    from orchestrator.autogenerate.baseline import generate_baseline

    result = run(generate_baseline, orch, services, message=message, dialect=dialect)

    def human() -> RenderableType:
        items: list[RenderableType] = [
            text(f"{b.service:<16} ", ("wrote", "green"), f" {b.path.name}  baseline: "
                 f"{len(b.changes)} operation(s)"
                 + ("; stamped: the database has its tables" if b.stamped else ""))
            for b in result.baselines]
        items += [text((f"{f.severity.value} {f.code}", "red" if f.is_error else "yellow"),
                       f" {f.message}") for f in result.lint]
        return stack(*items, styled(f"{len(result.baselines)} baseline(s) written", "green"))

    lint_errors = any(f.is_error for f in result.lint)
    return Output(result.to_dict(), human=human, exit_code=1 if lint_errors else 0,
                  verdict="lint-errors" if lint_errors else "written")


@main.command("check")
@click.argument("services_", nargs=-1, metavar="[SERVICE]...",
                shell_complete=completion.services)
@click.option("--drift", is_flag=True,
              help="Also report what the database holds that no revision creates.")
@comparison_options
def check_command(orch: Orchestration, services_: tuple[str, ...], drift: bool) -> Output:
    """CI gate: exit 1 when any service's models differ from its migrations and database."""
    from orchestrator.autogenerate.check import check as check_models

    orch.workspace.select(list(services_))
    report = run(check_models, orch, list(services_) or None, drift=drift)
    return Output(report.to_dict(), human=lambda: render_check(report),
                  exit_code=0 if report.clean else 1)
