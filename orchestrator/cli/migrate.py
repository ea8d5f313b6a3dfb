"""``orchestrate upgrade`` and ``orchestrate downgrade``: the commands and their human rendering
(the SQL script with --sql, else one line per applied step)."""
from __future__ import annotations

import click

from orchestrator.cli.app import common_options, json_option, main, run, wait_option
from orchestrator.cli.render import emit_json, style
from orchestrator.core.errors import ConfigError
from orchestrator.runtime import migrate
from orchestrator.runtime.migrate import MigrationRun
from orchestrator.runtime.orchestration import Orchestration
from orchestrator.runtime.sequencer import parse_targets


def render_migration(result: MigrationRun, done_word: str) -> str:
    """``done_word`` ("upgraded", "downgraded") starts each applied step's line."""
    if result.sql is not None:
        return result.sql
    if not result.applied:
        return "nothing to do: every target is already there"
    lines = [f"{done_word} {a.step.service:<16} {a.step.revision:<14} "
             f"{a.seconds * 1000:7.1f} ms  {a.step.message}" for a in result.applied]
    lines.append(style(f"{len(result.applied)} step(s) applied", fg="green"))
    return "\n".join(lines)


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
