"""The human rendering of `generate` (what was written, per service, and the lint findings) and
of `check` (a verdict per service, then the differences). Colour only on a terminal."""
from __future__ import annotations

from orchestrator.autogenerate.autodetect import ChangeReport
from orchestrator.autogenerate.generate import GenerateResult
from orchestrator.cli.render import short, style, table


def render_generate(result: GenerateResult) -> str:
    lines = []
    for entry in result.report.services:
        written = result.written_for(entry.service)
        if written is None:
            lines.append(f"{entry.service:<16} no changes")
            continue
        data = written.to_dict(result.root)
        needs = f"  requires {', '.join(data['requires'])}" if data["requires"] else ""
        lines.append(f"{entry.service:<16} {style('wrote', fg='green')} {data['path']}{needs}")
        lines += [f"{'':<18}{change}" for change in entry.changes]
    for finding in result.lint:
        colour = "red" if finding.is_error else "yellow"
        lines.append(style(f"{finding.severity.value} {finding.code}", fg=colour)
                     + f" {finding.message}\n{'':<18}fix: {finding.fix}")
    count = len(result.written)
    lines.append(style(f"{count} revision(s) written", fg="green") if count
                 else "nothing to generate: the models match the migrations")
    if result.lint:
        lines.append("review the lint findings above before committing (orchestrate lint)")
    return "\n".join(lines)


def render_check(report: ChangeReport) -> str:
    rows = []
    for entry in report.services:
        found = [f"{len(entry.changes)} change(s)"] if entry.changes else []
        found += [f"{len(entry.problems)} problem(s)"] if entry.problems else []
        rows.append([entry.service, short(entry.db_heads),
                     style(", ".join(found), fg="red") if found else style("clean", fg="green")])
    lines = [table(["service", "revision", "verdict"], rows)]
    for entry in report.services:
        lines += [f"{entry.service}: {change}" for change in entry.changes]
        lines += [style("error: ", fg="red") + problem for problem in entry.problems]
        lines += [style("note: ", fg="yellow") + note for note in entry.unverified]
    lines.append("\n" + (style("clean: the models match the migrations", fg="green")
                         if report.clean else
                         style("the models and the migrations differ", fg="red", bold=True)))
    return "\n".join(lines)
