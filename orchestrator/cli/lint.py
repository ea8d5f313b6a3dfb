"""The human rendering of `lint`: one located line and one fix per finding, then the counts and
a verdict. Colour only on a terminal (``render.style``)."""
from __future__ import annotations

from pathlib import Path

from orchestrator.cli.render import style
from orchestrator.lint import LintReport


def render_lint(report: LintReport, root: Path) -> str:
    lines = []
    for finding in report.findings:
        try:
            where = finding.path.relative_to(root)
        except ValueError:
            where = finding.path
        colour = "red" if finding.is_error else "yellow"
        lines.append(f"{where}:{finding.line}: "
                     + style(f"{finding.code} {finding.severity.value}", fg=colour, bold=True)
                     + f" {finding.message}")
        lines.append(f"    fix: {finding.fix}")
    counts = (f"{len(report.revisions)} revision(s) linted for {report.dialect}: "
              f"{len(report.errors)} error(s), {len(report.warnings)} warning(s), "
              f"{len(report.suppressed)} suppressed")
    if report.errors:
        verdict = style("errors found", fg="red", bold=True)
    elif report.warnings:
        verdict = style("warnings only", fg="yellow")
    else:
        verdict = style("clean", fg="green")
    lines.append(("\n" if report.findings else "") + f"{counts}; {verdict}")
    return "\n".join(lines)
