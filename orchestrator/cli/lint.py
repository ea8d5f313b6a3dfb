"""``orchestrate lint``: the command and its human rendering (one located line and one fix per
finding, then the counts and a verdict; colour only on a terminal)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from orchestrator.cli import completion
from orchestrator.cli.app import Output, global_options, main
from orchestrator.cli.render import display_path, stack, text
from orchestrator.core.errors import ConfigError

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
    target = report.dialect + (f" {report.pg_version}" if report.pg_version else "")
    counts = (f"{len(report.revisions)} revision(s) linted for {target}: "
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
    if report.since is not None and not report.revisions:
        service, after = report.since
        items.append(f"service {service!r} has no revision after {after or 'base'}: "
                     "nothing to lint (--since lints the revisions after REV, not REV itself)")
    items.append(text(counts, verdict))
    return stack(*items)


FORMATS = ("text", "json", "sarif", "github")


@main.command("lint")
@click.argument("services", nargs=-1, metavar="[SERVICE]...",
                shell_complete=completion.services)
@click.option("--since", metavar="[SERVICE@]REV", default=None,
              help="Only that service's revisions after REV.")
@click.option("--dialect", default=None, metavar="DIALECT",
              help="Dialect the SQL is rendered and checked for: postgresql (the default), "
                   "sqlite, mysql or mariadb.")
@click.option("--pg-version", type=int, default=None, metavar="N",
              help="PostgreSQL major version the revisions run on (default: the connected "
                   "server's, else 13).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, json (as --json), sarif (SARIF 2.1.0, for code "
                   "scanning) or github (workflow annotations).")
def lint_command(orch: Orchestration, services: tuple[str, ...], since: str | None,
                 dialect: str | None, pg_version: int | None, fmt: str) -> Output:
    """Review revisions with stable rule codes; exit 1 on any error (docs/lint-rules.md)."""
    if global_options().json and fmt not in ("text", "json"):
        raise ConfigError(f"--json and --format {fmt} ask for two outputs: choose one")
    from orchestrator.lint import lint as lint_revisions_of

    report = lint_revisions_of(orch, services, since=since, dialect=dialect,
                               pg_version=pg_version)
    root = orch.workspace.root
    human = {
        "text": lambda: render_lint(report, root),
        "sarif": lambda: _sarif(report, root),
        "github": lambda: _github(report, root),
    }.get(fmt)
    return Output(report.to_dict(), human=human, exit_code=0 if report.clean else 1,
                  force_json=fmt == "json")


def _sarif(report: LintReport, root: Path) -> str:
    from importlib.metadata import version

    from orchestrator.lint.formats import sarif_text

    return sarif_text(report, root, version("orchestrate"))


def _github(report: LintReport, root: Path) -> str:
    from orchestrator.lint.formats import to_github

    return to_github(report, root)
