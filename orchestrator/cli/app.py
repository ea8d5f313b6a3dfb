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

from orchestrator import branches, planner, trains
from orchestrator.autogenerate.check import check as check_models
from orchestrator.autogenerate.generate import generate as generate_revisions
from orchestrator.cli import graph as graph_view
from orchestrator.cli import history as history_view
from orchestrator.cli import services as inventory
from orchestrator.cli.branches import heads_to_dict, render_heads, render_merge
from orchestrator.cli.generate import render_check, render_generate
from orchestrator.cli.lint import render_lint
from orchestrator.cli.migrate import render_migration
from orchestrator.cli.plan import render_plan
from orchestrator.cli.render import emit_json, style
from orchestrator.cli.services_view import render_services
from orchestrator.cli.trains import render_train_plan, render_train_run, render_train_status
from orchestrator.core.errors import ConfigError, OrchestrateError
from orchestrator.core.gc_tuning import paced_collections
from orchestrator.core.logs import configure_logging, redact_passwords
from orchestrator.lint import DEFAULT_DIALECT, DIALECTS
from orchestrator.lint import lint as lint_revisions_of
from orchestrator.runtime import migrate
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.sequencer import parse_targets
from orchestrator.trains.progress import Progress


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
            # One short-lived process: what it loads lives until it exits, so the collector
            # is paced for the whole command (gc_tuning), not per library call.
            with paced_collections():
                orch = Orchestration.open(root, database_url)
                code = func(orch, **kwargs)
        except OrchestrateError as error:
            _fail(error.message, error.exit_code)
        except DBAPIError as error:
            _fail(f"database error: {error.orig}", 3)
        except BrokenPipeError:  # `orchestrate plan | head`: the reader left, nothing to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
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
wait_option = click.option(
    "--wait", type=click.FloatRange(min=0), default=0.0, show_default=True, metavar="SECONDS",
    help="How long to wait for another runner (a train, an upgrade) to finish with the database.")


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
    click.echo(render_services(reports))
    return 0


@main.command()
@click.option("--sql", is_flag=True, help="Print the SQL of the pending steps instead.")
@json_option
@common_options
def plan(orch: Orchestration, sql: bool, as_json: bool) -> int:
    """The whole release at a glance: every service, then the ordered steps; exit 1 on problems."""
    result = run(planner.make_plan, orch, sql=sql)
    if sql:
        click.echo(result.sql)
    elif as_json:
        emit_json(result.to_dict())
    else:
        click.echo(render_plan(result))
    return 0 if result.clean else 1


def _emit_migration(result: migrate.MigrationRun, as_json: bool, done_word: str) -> None:
    if as_json and result.sql is None:
        emit_json(result.to_dict())
    else:
        click.echo(render_migration(result, done_word))


@main.command()
@click.argument("targets", nargs=-1, metavar="[SERVICE[@REV]]...")
@click.option("--sql", is_flag=True, help="Print the SQL script instead of applying (no DB).")
@click.option("--with-requirements", is_flag=True,
              help="Also apply other services' revisions that the targets require.")
@wait_option
@json_option
@common_options
def upgrade(orch: Orchestration, targets: tuple[str, ...], sql: bool, with_requirements: bool,
            wait: float, as_json: bool) -> int:
    """Upgrade services (default: all, to head), interleaved in dependency order."""
    parsed = parse_targets(targets) or None
    if parsed:
        orch.workspace.select(list(parsed))
    result = run(migrate.upgrade, orch, parsed, with_requirements=with_requirements, sql=sql,
                 wait=wait)
    _emit_migration(result, as_json, "upgraded")
    return 0


@main.command()
@click.argument("target", metavar="SERVICE@REV")
@click.option("--cascade", is_flag=True,
              help="First downgrade other services' revisions that require what is removed.")
@click.option("--sql", is_flag=True, help="Print the SQL script instead of applying.")
@wait_option
@json_option
@common_options
def downgrade(orch: Orchestration, target: str, cascade: bool, sql: bool, wait: float,
              as_json: bool) -> int:
    """Downgrade one service to a revision (or base), refusing to strand dependents."""
    parsed = parse_targets([target])
    (service, revision), = parsed.items()
    if revision is None:
        raise ConfigError(f"downgrade needs SERVICE@REV, got {target!r} (SERVICE@base removes all)")
    orch.workspace.service(service)
    result = run(migrate.downgrade, orch, service, revision, cascade=cascade, sql=sql,
                 wait=wait)
    _emit_migration(result, as_json, "downgraded")
    return 0


@main.command()
@click.argument("service_names", nargs=-1, metavar="[SERVICE]...")
@json_option
@common_options
def heads(orch: Orchestration, service_names: tuple[str, ...], as_json: bool) -> int:
    """Every service's heads; exit 1 when one has several (the CI gate)."""
    reports = branches.find_heads(orch, service_names)
    forked = any(r.forked for r in reports)
    if as_json:
        emit_json(heads_to_dict(reports))
    else:
        click.echo(render_heads(reports))
    return 1 if forked else 0


@main.command()
@click.argument("service_names", nargs=-1, metavar="SERVICE...")
@click.option("--all", "all_services", is_flag=True,
              help="Merge every service that has several heads.")
@click.option("-m", "--message", default=None, help="Message of the merge revision(s).")
@json_option
@common_options
def merge(orch: Orchestration, service_names: tuple[str, ...], all_services: bool,
          message: str | None, as_json: bool) -> int:
    """Merge a service's heads into one revision, after checking the branches do not collide."""
    if all_services == bool(service_names):
        raise ConfigError("name the SERVICE(s) to merge, or pass --all (not both)")
    root = orch.workspace.root
    try:
        results = branches.merge_services(orch, service_names or None, message)
    except branches.MergeConflict as refused:
        if not as_json:
            raise
        emit_json({"merged": [], "conflicts": [c.to_dict() for c in refused.conflicts]})
        return 1
    if as_json:
        emit_json({"merged": [r.to_dict(root) for r in results], "conflicts": []})
        return 0
    if results:
        click.echo(render_merge(results, root))
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
    click.echo(history_view.render_history(result))
    return 0


@main.command("lint")
@click.argument("services", nargs=-1, metavar="[SERVICE]...")
@click.option("--since", metavar="[SERVICE@]REV", default=None,
              help="Only that service's revisions after REV.")
@click.option("--dialect", type=click.Choice(DIALECTS), default=DEFAULT_DIALECT,
              show_default=True, help="Dialect the SQL is rendered and checked for.")
@json_option
@common_options
def lint_command(orch: Orchestration, services: tuple[str, ...], since: str | None,
                 dialect: str, as_json: bool) -> int:
    """Review revisions with stable rule codes; exit 1 on any error (docs/lint-rules.md)."""
    report = lint_revisions_of(orch, services, since=since, dialect=dialect)
    if as_json:
        emit_json(report.to_dict())
        return 0 if report.clean else 1
    click.echo(render_lint(report, orch.workspace.root))
    return 0 if report.clean else 1


@main.command()
@click.argument("services_", nargs=-1, metavar="[SERVICE]...")
@click.option("-m", "--message", required=True, help="The revisions' message.")
@click.option("--allow-empty", is_flag=True,
              help="Write a revision even for services whose models did not change.")
@json_option
@common_options
def generate(orch: Orchestration, services_: tuple[str, ...], message: str, allow_empty: bool,
             as_json: bool) -> int:
    """Autogenerate one revision per changed service (default: all), all compared at once."""
    orch.workspace.select(list(services_))
    result = run(generate_revisions, orch, list(services_) or None, message=message,
                 allow_empty=allow_empty)
    if as_json:
        emit_json(result.to_dict())
        return 1 if any(f.is_error for f in result.lint) else 0
    click.echo(render_generate(result))
    return 1 if any(f.is_error for f in result.lint) else 0


@main.command("check")
@click.argument("services_", nargs=-1, metavar="[SERVICE]...")
@click.option("--drift", is_flag=True,
              help="Also report what the database holds that no revision creates.")
@json_option
@common_options
def check_command(orch: Orchestration, services_: tuple[str, ...], drift: bool,
                  as_json: bool) -> int:
    """CI gate: exit 1 when any service's models differ from its migrations and database."""
    orch.workspace.select(list(services_))
    report = run(check_models, orch, list(services_) or None, drift=drift)
    if as_json:
        emit_json(report.to_dict())
        return 0 if report.clean else 1
    click.echo(render_check(report))
    return 0 if report.clean else 1


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
