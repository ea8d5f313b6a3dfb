"""``orchestrate upgrade`` and ``orchestrate downgrade``: the commands and their human rendering
(the SQL script with --sql, else one line per applied step)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from orchestrator.cli import completion
from orchestrator.cli.app import Output, main, run, sql_stream, tenant_option, wait_option
from orchestrator.cli.render import stack, styled
from orchestrator.core.errors import ConfigError, DatabaseError

if TYPE_CHECKING:
    from rich.console import RenderableType

    from orchestrator.runtime.migrate import MigrationRun
    from orchestrator.runtime.orchestration import Orchestration


def render_migration(result: MigrationRun, done_word: str) -> RenderableType:
    """``done_word`` ("upgraded", "downgraded") starts each applied step's line; with --sql,
    the script."""
    if result.sql is not None:
        return result.sql
    lines = [f"{done_word} {a.step.service:<16} {a.step.revision:<14} "
             f"{a.seconds * 1000:7.1f} ms  {a.step.message}" for a in result.applied]
    failed = result.failed
    if failed is not None:
        return stack(*lines, styled(
            f"{len(result.applied)} step(s) applied and committed before step "
            f"{result.failed_at} of {len(result.steps)} ({failed.service} {failed.revision}) "
            "failed; the steps after it were not run", "red"))
    if not result.applied:
        return "nothing to do: every target is already there"
    return stack(*lines, styled(f"{len(result.applied)} step(s) applied", "green"))


def migration_output(orch: Orchestration, result: MigrationRun, done_word: str,
                     error: DatabaseError | None = None, streamed: bool = False) -> Output:
    """The run as JSON (the SQL in ``sql`` with --sql), or as lines for a person; a run that
    stopped (``error``) shows what it did before, and the error on stderr (exit 3)."""
    from orchestrator.runtime.database import describe_database

    payload = result.to_dict()
    if result.sql is not None:
        payload["sql"] = result.sql
        verdict = "sql"
    else:
        verdict = "applied" if result.applied else "nothing-to-do"
    human = None if streamed else (lambda: render_migration(result, done_word))
    return Output(payload, human=human,
                  verdict="error" if error is not None else verdict,
                  exit_code=error.exit_code if error is not None else 0, error=error,
                  database=describe_database(orch.url))


def _migrate(orch: Orchestration, sql: bool, done_word: str,
             call: Callable[[Callable[[str], None] | None], MigrationRun]) -> Output:
    """Run ``call`` (given where --sql streams each step's SQL); a run that stopped part way
    is reported with what it did before."""
    from orchestrator.runtime.migrate import MigrationRun

    out = sql_stream() if sql else None
    try:
        result = call(out)
    except DatabaseError as error:
        if not isinstance(error.result, MigrationRun):
            raise
        return migration_output(orch, error.result, done_word, error, streamed=out is not None)
    return migration_output(orch, result, done_word, streamed=out is not None)


@main.command()
@click.argument("targets", nargs=-1, metavar="[head|heads|SERVICE[@REV]]...",
                shell_complete=completion.targets)
@click.option("--sql", is_flag=True, help="Print the SQL script instead of applying (no DB).")
@click.option("--with-requirements", is_flag=True,
              help="Also apply other services' revisions that the targets require.")
@tenant_option
@wait_option
def upgrade(orch: Orchestration, targets: tuple[str, ...], sql: bool, with_requirements: bool,
            tenant: str | None, wait: float) -> Output:
    """Upgrade services (default: all, to head), interleaved in dependency order.

    REV is a revision id or prefix, head, heads, +N (from where the database is), head-N or
    REV+N; a bare head or heads stands for every service.
    """
    from orchestrator.runtime import tenants
    from orchestrator.runtime.sequencer import parse_targets

    parsed = parse_targets(targets, orch.workspace.names) or None
    if parsed:
        orch.workspace.select(list(parsed))
    return _migrate(orch, sql, "upgraded", lambda out: run(
        tenants.upgrade, orch, parsed, tenant=tenant, with_requirements=with_requirements,
        sql=sql, wait=wait, sql_out=out))


@main.command()
@click.argument("target", metavar="SERVICE@REV", shell_complete=completion.services)
@click.option("--cascade", is_flag=True,
              help="First downgrade other services' revisions that require what is removed.")
@click.option("--sql", is_flag=True, help="Print the SQL script instead of applying.")
@tenant_option
@wait_option
def downgrade(orch: Orchestration, target: str, cascade: bool, sql: bool, tenant: str | None,
              wait: float) -> Output:
    """Downgrade one service to a revision, base or -N, refusing to strand dependents."""
    from orchestrator.runtime import tenants
    from orchestrator.runtime.sequencer import parse_targets

    parsed = parse_targets([target])
    (service, revision), = parsed.items()
    if revision is None:
        raise ConfigError(f"downgrade needs SERVICE@REV, got {target!r}\n"
                          "SERVICE@base removes all of the service's revisions")
    orch.workspace.service(service)
    return _migrate(orch, sql, "downgraded", lambda out: run(
        tenants.downgrade, orch, service, revision, tenant=tenant, cascade=cascade, sql=sql,
        wait=wait, sql_out=out))
