"""``orchestrate heads`` and ``orchestrate merge``: the commands and their human rendering
(every service's heads, the forked ones explained; what each merge wrote)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from orchestrator.cli import completion
from orchestrator.cli.app import Output, main
from orchestrator.cli.render import short, stack, styled, table, text
from orchestrator.core.errors import ConfigError

if TYPE_CHECKING:
    from rich.console import RenderableType

    from orchestrator.branches import MergeResult, ServiceHeads
    from orchestrator.runtime.orchestration import Orchestration


def render_heads(reports: list[ServiceHeads]) -> RenderableType:
    rows = []
    for report in reports:
        rows += [[report.service, short([h.revision]), h.create_date or "", h.message]
                 for h in report.heads] or [[report.service, "(no revisions)", "", ""]]
    items: list[RenderableType] = [table(["service", "head", "created", "message"], rows)]
    forked = [r for r in reports if r.forked]
    for report in forked:
        since = short(report.branch_points) if report.branch_points else "base"
        items += ["", text(("error: ", "bold red"), f"service {report.service!r} has "
                           f"{len(report.heads)} heads, branched from {since}:")]
        for head in report.heads:
            dates = f"created {head.create_date or '?'}" + (
                f", committed {head.git_author_date}" if head.git_author_date else "")
            items.append(f"  {head.revision}  {head.message!r}  {dates}  {head.path}  "
                         f"({len(head.branch)} revision(s) on this branch)")
        items.append(f"  merge them with `orchestrate merge {report.service}`")
    if not forked:
        items += ["", styled("clean: no service has several heads", "green")]
    return stack(*items)


def render_merge(results: list[MergeResult], root: Path) -> RenderableType:
    items: list[RenderableType] = []
    for result in results:
        if result.revision is None:
            items.append(f"nothing to merge: service {result.service!r} has "
                         f"{'one head' if result.heads else 'no revisions'}")
            continue
        items.append(f"merged {result.service}: wrote {result.to_dict(root)['path']} "
                     f"(revision {result.revision}, merging {', '.join(result.heads)})")
        items += [text(("warning: ", "yellow"), w.message) for w in result.warnings]
    return stack(*items)


@main.command()
@click.argument("service_names", nargs=-1, metavar="[SERVICE]...",
                shell_complete=completion.services)
def heads(orch: Orchestration, service_names: tuple[str, ...]) -> Output:
    """Every service's heads; exit 1 when one has several (the CI gate)."""
    from orchestrator.branches import find_heads

    reports = find_heads(orch, service_names)
    forked = any(r.forked for r in reports)
    return Output({"services": [r.to_dict() for r in reports]},
                  human=lambda: render_heads(reports), exit_code=1 if forked else 0,
                  verdict="forked" if forked else "clean")


@main.command()
@click.argument("service_names", nargs=-1, metavar="SERVICE...",
                shell_complete=completion.services)
@click.option("--all", "all_services", is_flag=True,
              help="Merge every service that has several heads.")
@click.option("-m", "--message", default=None, help="Message of the merge revision(s).")
def merge(orch: Orchestration, service_names: tuple[str, ...], all_services: bool,
          message: str | None) -> Output:
    """Merge a service's heads into one revision, after checking the branches do not collide."""
    from orchestrator.branches import MergeConflict, merge_services

    if all_services == bool(service_names):
        raise ConfigError("name the SERVICE(s) to merge, or pass --all (not both)")
    root = orch.workspace.root
    try:
        results = merge_services(orch, service_names or None, message)
    except MergeConflict as refused:
        return Output({"merged": [], "conflicts": [c.to_dict() for c in refused.conflicts]},
                      exit_code=1, verdict="conflicts", error=refused)
    merged = any(r.revision for r in results)
    return Output({"merged": [r.to_dict(root) for r in results], "conflicts": []},
                  human=lambda: render_merge(results, root),
                  verdict="merged" if merged else "nothing-to-merge")
