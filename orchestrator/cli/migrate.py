"""The human rendering of `upgrade` and `downgrade`: the SQL script with --sql, else one line
per applied step and a count. Colour only on a terminal (``render.style``)."""
from __future__ import annotations

from orchestrator.cli.render import style
from orchestrator.runtime.migrate import MigrationRun


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
