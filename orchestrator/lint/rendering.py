"""What lint could not read of a revision: a module that does not import (LN903), an
``upgrade()`` that cannot run offline past some line or that Alembic cannot render offline for
the dialect (LN904). The reading itself is :mod:`orchestrator.history.recording`'s: every rule
saw what was read up to that point, and nothing after it.
"""
from __future__ import annotations

from collections.abc import Iterator

from orchestrator.lint.context import RevisionContext
from orchestrator.lint.finding import LintFinding
from orchestrator.lint.rule import error, warning

CANNOT_LOAD = error(
    "LN903", "the revision module cannot be loaded",
    "Make the module importable on its own: only `alembic`, `sqlalchemy` and stable shared "
    "helpers, no application code that may change or fail to import.",
)
CANNOT_RENDER = warning(
    "LN904", "upgrade() cannot be rendered offline for the dialect",
    "Make the revision work with `--sql` (guard online-only data work with "
    "`if not context.is_offline_mode():`, give batch operations on SQLite a `copy_from` "
    "table), or suppress with the reason it is online-only; SQL-based rules did not see "
    "the rest of the revision.",
)
RULES = (CANNOT_LOAD, CANNOT_RENDER)


def check(ctx: RevisionContext) -> Iterator[LintFinding]:
    reading = ctx.reading
    if reading.failure is not None:
        yield ctx.finding(CANNOT_LOAD, reading.failure.line, reading.failure.message,
                          "upgrade()")
        return
    upgrade = reading.upgrade
    if upgrade is None:
        return
    for unrendered in upgrade.unrendered:
        yield ctx.finding(CANNOT_RENDER, unrendered.line, unrendered.message, "upgrade()")
    if upgrade.stop is not None:
        yield ctx.finding(
            CANNOT_RENDER, upgrade.stop.line,
            f"reading it offline for {ctx.dialect}: {upgrade.stop.message}; nothing after "
            f"line {upgrade.stop.line} was checked", "upgrade()")
