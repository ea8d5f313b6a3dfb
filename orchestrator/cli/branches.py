"""The human rendering of `heads` (every service's heads, the forked ones explained) and of
`merge` (what each merge wrote). Colour only on a terminal (``render.style``)."""
from __future__ import annotations

from pathlib import Path

from orchestrator.branches import HEADS_SCHEMA_VERSION, MergeResult, ServiceHeads
from orchestrator.cli.render import short, style, table


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
