"""``orchestrate heads`` and ``orchestrate merge``: the commands and their human rendering
(every service's heads, the forked ones explained; what each merge wrote)."""
from __future__ import annotations

from pathlib import Path

import click

from orchestrator import branches
from orchestrator.branches import HEADS_SCHEMA_VERSION, MergeResult, ServiceHeads
from orchestrator.cli.app import common_options, json_option, main
from orchestrator.cli.render import emit_json, short, style, table
from orchestrator.core.errors import ConfigError
from orchestrator.runtime.orchestration import Orchestration


def heads_to_dict(reports: list[ServiceHeads]) -> dict:
    forked = any(r.forked for r in reports)
    return {"schema_version": HEADS_SCHEMA_VERSION,
            "services": [r.to_dict() for r in reports],
            "verdict": "forked" if forked else "clean"}


def render_heads(reports: list[ServiceHeads]) -> str:
    rows = []
    for report in reports:
        rows += [[report.service, short([h.revision]), h.create_date or "", h.message]
                 for h in report.heads] or [[report.service, "(no revisions)", "", ""]]
    lines = [table(["service", "head", "created", "message"], rows)]
    forked = [r for r in reports if r.forked]
    for report in forked:
        since = short(report.branch_points) if report.branch_points else "base"
        lines.append(style("\nerror: ", fg="red", bold=True)
                     + f"service {report.service!r} has {len(report.heads)} heads, "
                     f"branched from {since}:")
        for head in report.heads:
            dates = f"created {head.create_date or '?'}" + (
                f", committed {head.git_author_date}" if head.git_author_date else "")
            lines.append(f"  {head.revision}  {head.message!r}  {dates}  {head.path}  "
                         f"({len(head.branch)} revision(s) on this branch)")
        lines.append(f"  merge them with `orchestrate merge {report.service}`")
    if not forked:
        lines.append(style("\nclean: no service has several heads", fg="green"))
    return "\n".join(lines)


def render_merge(results: list[MergeResult], root: Path) -> str:
    lines = []
    for result in results:
        if result.revision is None:
            lines.append(f"nothing to merge: service {result.service!r} has "
                         f"{'one head' if result.heads else 'no revisions'}")
            continue
        lines.append(f"merged {result.service}: wrote {result.to_dict(root)['path']} "
                     f"(revision {result.revision}, merging {', '.join(result.heads)})")
        lines += [style("warning: ", fg="yellow") + w.message for w in result.warnings]
    return "\n".join(lines)


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
