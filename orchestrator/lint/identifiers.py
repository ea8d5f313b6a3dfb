"""Identifiers PostgreSQL cuts short: it keeps the first 63 bytes of a name, silently.

Two names alike in their first 63 bytes become one (the second ``CREATE INDEX`` fails), and
the name in the database is no longer the one in the models: every autogenerate proposes to
drop and re-create the object. Read from what PostgreSQL's scanner reads in the SQL, and from
the names of an operation SQLAlchemy refused to render for being too long (an ``op.f()``
name).
"""
from __future__ import annotations

from collections.abc import Iterator

from orchestrator.history.reading import Call
from orchestrator.history.sql import PG_MAX_IDENTIFIER
from orchestrator.lint.context import RevisionContext
from orchestrator.lint.finding import LintFinding
from orchestrator.lint.rule import warning

LONG_IDENTIFIER = warning(
    "PG412", "names an identifier longer than 63 bytes",
    "Shorten the name to 63 bytes or less (a naming convention with shorter tokens, or an "
    "explicit name=); PostgreSQL truncates it silently otherwise.",
    dialects=frozenset({"postgresql"}),
)
RULES = (LONG_IDENTIFIER,)


def check(ctx: RevisionContext) -> Iterator[LintFinding]:
    seen: set[tuple[int, str]] = set()
    # what PostgreSQL receives; a call's own names only when nothing of it could be rendered
    # (SQLAlchemy shortens names a naming convention makes, so rendered SQL is the truth)
    sites = [(call.line, name) for call in ctx.upgrade if call.render_error
             for name in _names(call)]
    sites += [(ctx.line_of(s), name) for s in ctx.statements for name in s.long_names]
    for line, name in sites:
        size = len(name.encode())
        if size <= PG_MAX_IDENTIFIER or (line, name) in seen:
            continue
        seen.add((line, name))
        kept = name.encode()[:PG_MAX_IDENTIFIER].decode(errors="ignore")
        yield ctx.finding(
            LONG_IDENTIFIER, line,
            f"names {name!r} ({size} bytes): PostgreSQL keeps only {kept!r}", f"name {name}")


def _names(call: Call) -> Iterator[str]:
    for name in (call.table, call.target, call.new_name):
        if name:
            yield name
    for column in call.columns:
        yield column.name
    for constraint in call.constraints:
        if constraint.name:
            yield constraint.name
