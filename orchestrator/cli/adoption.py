"""``orchestrate current``, ``stamp``, ``adopt``: where each service stands, version rows written
without running revisions, a database migrated by plain Alembic taken over; with their human
rendering."""
from __future__ import annotations

from typing import TYPE_CHECKING

import click

from orchestrator.cli import completion
from orchestrator.cli.app import Output, main, run, wait_option
from orchestrator.cli.render import stack, styled, table, text

if TYPE_CHECKING:
    from rich.console import RenderableType

    from orchestrator.runtime.adopt import Adoption
    from orchestrator.runtime.current import ServiceCurrent
    from orchestrator.runtime.orchestration import Orchestration
    from orchestrator.runtime.stamp import StampRun


def render_current(database: dict, services: list[ServiceCurrent],
                   legacy: dict[str, list[str]]) -> RenderableType:
    rows = []
    for service in services:
        if not service.current:
            rows.append([service.service, "(base)", ""])
        for rev, message in service.current:
            if message is None:
                rows.append([service.service, rev, styled("unknown to the code", "red")])
            else:
                rows.append([service.service, rev + (" (head)" if rev in service.heads else ""),
                             message])
    notes = [styled(f"{name}: a version table of no service ({', '.join(revs) or 'empty'}); "
                    "take it over with `orchestrate adopt`", "red")
             for name, revs in legacy.items()]
    return stack(text(f"database: {database['url']}",
                      "" if database.get("exists", True) else " (not created yet)"), "",
                 table(["service", "revision", "message"], rows), *notes)


@main.command()
def current(orch: Orchestration) -> Output:
    """Each service's database revision(s), like `alembic current`."""
    from orchestrator.runtime.current import current as read_current

    database, services, legacy = run(read_current, orch)
    return Output({"services": [s.to_dict() for s in services],
                   "legacy_tables": [{"table": t, "rows": rows} for t, rows in legacy.items()]},
                  human=lambda: render_current(database, services, legacy), verdict="ok",
                  database=database)


def render_stamp(result: StampRun) -> RenderableType:
    if result.sql is not None:
        return result.sql
    warnings = [styled(f"warning: {w}", "yellow") for w in result.warnings]
    if not result.changed:
        return stack("nothing to do: every service already holds its target", *warnings)
    return stack(*(f"stamped {s.service:<16} {', '.join(s.before) or '(base)'} -> "
                   f"{', '.join(s.after) or '(base)'}" for s in result.changed), *warnings,
                 styled(f"{len(result.changed)} service(s) stamped; no revision ran", "green"))


@main.command()
@click.argument("targets", nargs=-1, metavar="SERVICE@REV...", shell_complete=completion.services)
@click.option("--all-heads", is_flag=True, help="Stamp every service at all its heads.")
@click.option("--sql", is_flag=True, help="Print the SQL instead of writing it.")
@wait_option
def stamp(orch: Orchestration, targets: tuple[str, ...], all_heads: bool, sql: bool,
          wait: float) -> Output:
    """Write version rows without running revisions: each named service's version table then
    holds exactly REV (head, heads, base, an id or prefix, +N/-N). Recorded in the ledger."""
    from orchestrator.core.errors import ConfigError
    from orchestrator.runtime.database import describe_database
    from orchestrator.runtime.sequencer import parse_targets
    from orchestrator.runtime.stamp import stamp as write_stamp

    if all_heads == bool(targets):
        raise ConfigError("stamp takes SERVICE@REV targets or --all-heads (one of the two)")
    names = orch.workspace.names
    parsed = parse_targets(["heads"] if all_heads else targets, names)
    result = run(write_stamp, orch, parsed, sql=sql, wait=wait)
    payload = result.to_dict()
    if sql:
        payload["sql"] = result.sql
    verdict = "sql" if sql else ("stamped" if result.changed else "nothing-to-do")
    return Output(payload, human=lambda: render_stamp(result), verdict=verdict,
                  database=describe_database(orch.url))


def render_adoption(result: Adoption, dry_run: bool) -> RenderableType:
    if result.sql is not None:
        return result.sql
    if not result.legacy:
        return "nothing to adopt: the database holds no version table of no service"
    lines: list[RenderableType] = [
        f"{'would move' if dry_run else 'moved'} {table} ({', '.join(rows) or 'no rows'})"
        f" -> kept as {result.renames[table]}" for table, rows in result.legacy.items()]
    lines += [f"  {name:<16} {', '.join(revs)}" for name, revs in result.assignments.items()]
    lines += [styled(f"problem: {p}", "red") for p in result.problems]
    if dry_run:
        lines.append(styled("dry run: nothing was changed", "yellow"))
    else:
        lines.append(styled(f"adopted: {len(result.assignments)} service(s) stamped", "green"))
    return stack(*lines)


@main.command()
@click.option("--sql", is_flag=True, help="Print the SQL instead of writing it.")
@click.option("--dry-run", is_flag=True, help="Show the mapping and any problem; change nothing.")
@wait_option
def adopt(orch: Orchestration, sql: bool, dry_run: bool, wait: float) -> Output:
    """Take over a database migrated by plain Alembic: move its legacy version table's rows to
    the services' own version tables (one transaction), keeping the legacy table renamed."""
    from orchestrator.runtime.adopt import adopt as take_over
    from orchestrator.runtime.database import describe_database

    result = run(take_over, orch, sql=sql, dry_run=dry_run, wait=wait)
    payload = result.to_dict()
    if sql:
        payload["sql"] = result.sql
    if not result.legacy:
        verdict = "nothing-to-do"
    elif result.problems:
        verdict = "problems"
    else:
        verdict = "sql" if sql else "dry-run" if dry_run else "adopted"
    return Output(payload, human=lambda: render_adoption(result, dry_run), verdict=verdict,
                  exit_code=1 if result.problems else 0, database=describe_database(orch.url))
