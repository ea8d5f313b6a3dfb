"""``orchestrate lint``: the command and its human rendering (one located line and one fix per
finding, then the counts and a verdict; colour only on a terminal)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from orchestrator.cli.app import Output, main
from orchestrator.cli.render import display_path, stack, text

if TYPE_CHECKING:
    from rich.console import RenderableType

    from orchestrator.lint import LintReport
    from orchestrator.runtime.orchestration import Orchestration


def render_lint(report: LintReport, root: Path) -> RenderableType:
    items: list[RenderableType] = []
    for finding in report.findings:
        colour = "bold red" if finding.is_error else "bold yellow"
        items.append(text(f"{display_path(finding.path, root)}:{finding.line}: ",
                          (f"{finding.code} {finding.severity.value}", colour),
                          f" {finding.message}"))
        items.append(f"    fix: {finding.fix}")
    counts = (f"{len(report.revisions)} revision(s) linted for {report.dialect}: "
              f"{len(report.errors)} error(s), {len(report.warnings)} warning(s), "
              f"{len(report.suppressed)} suppressed; ")
    if report.errors:
        verdict = ("errors found", "bold red")
    elif report.warnings:
        verdict = ("warnings only", "yellow")
    else:
        verdict = ("clean", "green")
    if report.findings:
        items.append("")
    items.append(text(counts, verdict))
    return stack(*items)


@main.command("lint")
@click.argument("services", nargs=-1, metavar="[SERVICE]...")
@click.option("--since", metavar="[SERVICE@]REV", default=None,
              help="Only that service's revisions after REV.")
@click.option("--dialect", default=None, metavar="DIALECT",
              help="Dialect the SQL is rendered and checked for: postgresql (the default), "
                   "sqlite, mysql or mariadb.")
def lint_command(orch: Orchestration, services: tuple[str, ...], since: str | None,
                 dialect: str | None) -> Output:
    """Review revisions with stable rule codes; exit 1 on any error (docs/lint-rules.md)."""
    from orchestrator.lint import lint as lint_revisions_of

    report = lint_revisions_of(orch, services, since=since, dialect=dialect)
    return Output(report.to_dict(), human=lambda: render_lint(report, orch.workspace.root),
                  exit_code=0 if report.clean else 1)
