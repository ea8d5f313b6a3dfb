"""The command line: each command parses, calls one library function, renders."""
from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import click
from sqlalchemy.exc import DBAPIError

from orchestrator import inventory, migrate, planner
from orchestrator import graph_view, history_view
from orchestrator.errors import OrchestrateError
from orchestrator.logs import configure_logging, redact_passwords
from orchestrator.orchestration import Orchestration
from orchestrator.render import emit_json, short, style, table
from orchestrator.sequencer import parse_targets

def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--root, --database-url and --log-format on every command; errors mapped to exit codes."""

    @click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="Workspace folder (default: nearest upward with [tool.orchestrate]).")
    @click.option("--database-url", default=None, metavar="URL",
                  help="Database URL (overrides ORCHESTRATE_DATABASE_URL and pyproject).")
    @click.option("--log-format", type=click.Choice(["auto", "pretty", "json", "plain"]),
                  default="auto", show_default=True, help="Format of log lines on stderr.")
    @click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
    @functools.wraps(func)
    def wrapper(root: Path | None, database_url: str | None, log_format: str, verbose: int,
                **kwargs: Any) -> None:
        configure_logging(log_format, verbose)
        try:
            orch = Orchestration.open(root, database_url)
            code = func(orch, **kwargs)
        except OrchestrateError as error:
            _fail(error.message, error.exit_code)
        except DBAPIError as error:
            _fail(f"database error: {error.orig}", 3)
        except (KeyboardInterrupt, click.exceptions.Exit, click.ClickException):
            raise
        except Exception as error:  # a bug: say so plainly, traceback only on request
            if os.environ.get("ORCHESTRATE_DEBUG"):
                traceback.print_exc()
            _fail(f"internal error: {type(error).__name__}: {error} "
                  "(set ORCHESTRATE_DEBUG=1 for the traceback)", 3)
        sys.exit(code or 0)

    return wrapper


def _fail(message: str, code: int) -> None:
    click.echo(style("error: ", fg="red", bold=True) + redact_passwords(message), err=True)
    sys.exit(code)


def run(coroutine_function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return anyio.run(functools.partial(coroutine_function, *args, **kwargs))


json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="orchestrate")
def main() -> None:
    """Run Alembic migrations for a monorepo of services sharing one database."""


@main.command()
@json_option
@common_options
def services(orch: Orchestration, as_json: bool) -> int:
    """Services, their tables, version table, current and head revisions."""
    reports = run(inventory.list_services, orch)
    if as_json:
        emit_json({"services": [r.to_dict() for r in reports]})
        return 0
    click.echo(table(
        ["service", "tables", "version table", "current", "head", "needs"],
        [[r.name, len(r.tables), r.version_table, short(r.current), short(r.heads),
          ", ".join(r.depends_on)] for r in reports],
    ))
    return 0


@main.command()
@json_option
@common_options
def plan(orch: Orchestration, as_json: bool) -> int:
    """For every service: DB revision, heads, pending revisions; then the global steps."""
    result = run(planner.make_plan, orch)
    if as_json:
        emit_json(result.to_dict())
        return 0 if result.clean else 1
    db = result.database
    click.echo(f"database: {db['url']}" + ("" if db["exists"] else " (not created yet)"))
    click.echo(table(
        ["service", "current", "head", "pending"],
        [[s.name, short(s.current), style(short(s.heads), fg="red") if len(s.heads) > 1
          else short(s.heads), len(s.pending) or style("up to date", fg="green")]
         for s in result.services],
    ))
    if result.steps:
        click.echo(f"\n{len(result.steps)} step(s), in order:")
        for index, step in enumerate(result.steps, 1):
            click.echo(f"  {index:>3}. {step.service:<16} {step.revision:<14} {step.message}")
    for finding in result.findings:
        colour = "red" if finding.severity == "error" else "yellow"
        click.echo(style(f"{finding.severity}: ", fg=colour) + finding.message)
    if not result.clean:
        verdict = style("problems found", fg="red", bold=True)
    elif result.steps:
        verdict = style(f"ready: {len(result.steps)} step(s) to apply", fg="yellow")
    else:
        verdict = style("clean: every service is at head", fg="green")
    click.echo(f"\n{verdict}")
    return 0 if result.clean else 1


def _render_run(result: migrate.MigrationRun, as_json: bool, done_word: str) -> None:
    if result.sql is not None:
        click.echo(result.sql)
        return
    if as_json:
        emit_json(result.to_dict())
        return
    if not result.applied:
        click.echo("nothing to do: every target is already there")
        return
    for applied in result.applied:
        step = applied.step
        click.echo(f"{done_word} {step.service:<16} {step.revision:<14} "
                   f"{applied.seconds * 1000:7.1f} ms  {step.message}")
    click.echo(style(f"{len(result.applied)} step(s) applied", fg="green"))


@main.command()
@click.argument("targets", nargs=-1, metavar="[SERVICE[@REV]]...")
@click.option("--sql", is_flag=True, help="Print the SQL script instead of applying (no DB).")
@click.option("--with-requirements", is_flag=True,
              help="Also apply other services' revisions that the targets require.")
@json_option
@common_options
def upgrade(orch: Orchestration, targets: tuple[str, ...], sql: bool, with_requirements: bool,
            as_json: bool) -> int:
    """Upgrade services (default: all, to head), interleaved in dependency order."""
    parsed = parse_targets(targets) or None
    if parsed:
        orch.workspace.select(list(parsed))
    result = run(migrate.upgrade, orch, parsed, with_requirements=with_requirements, sql=sql)
    _render_run(result, as_json, "upgraded")
    return 0


@main.command()
@click.argument("target", metavar="SERVICE@REV")
@click.option("--cascade", is_flag=True,
              help="First downgrade other services' revisions that require what is removed.")
@click.option("--sql", is_flag=True, help="Print the SQL script instead of applying.")
@json_option
@common_options
def downgrade(orch: Orchestration, target: str, cascade: bool, sql: bool, as_json: bool) -> int:
    """Downgrade one service to a revision (or base), refusing to strand dependents."""
    parsed = parse_targets([target])
    (service, revision), = parsed.items()
    if revision is None:
        raise click.UsageError("downgrade needs SERVICE@REV (use SERVICE@base for everything)")
    orch.workspace.service(service)
    result = run(migrate.downgrade, orch, service, revision, cascade=cascade, sql=sql)
    _render_run(result, as_json, "downgraded")
    return 0


@main.command()
@click.option("--revisions", is_flag=True,
              help="The global revision DAG instead of the service graph.")
@click.option("--format", "fmt", type=click.Choice(graph_view.FORMATS), default="text",
              show_default=True, help="Output format.")
@json_option
@common_options
def graph(orch: Orchestration, revisions: bool, fmt: str, as_json: bool) -> int:
    """The service graph, or with --revisions the revision DAG; A -> B reads "A needs B".

    Service edges name the foreign keys and depends_on declarations behind them; revision
    edges are down_revision, depends_on or (across services) requires.
    """
    view = (graph_view.revision_graph_view(orch) if revisions
            else graph_view.service_graph_view(orch))
    click.echo(view.render("json" if as_json else fmt))
    return 0


@main.command()
@click.argument("service", required=False)
@json_option
@common_options
def history(orch: Orchestration, service: str | None, as_json: bool) -> int:
    """Revisions in order (one service's, or all in global order), marking what is applied."""
    result = run(history_view.read_history, orch, service)
    if as_json:
        emit_json(result.to_dict())
        return 0
    db = result.database
    click.echo(f"database: {db['url']}" + ("" if db["exists"] else " (not created yet)"))
    colours = {"current": "green", "applied": None, "pending": "yellow"}
    click.echo(table(
        ["service", "revision", "down_revision", "requires", "status", "message"],
        [[e.service, e.revision + (" (head)" if e.head else ""),
          ", ".join(e.down_revisions) or "(base)", ", ".join(e.requires),
          style(e.status, fg=colours[e.status]), e.message] for e in result.entries],
    ))
    return 0
