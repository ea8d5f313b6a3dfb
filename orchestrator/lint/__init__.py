"""``orchestrate lint``: review revisions with stable rule codes (docs/lint-rules.md).

Each revision is read two ways, its Python source (AST) and the SQL it renders offline for the
target dialect, one revision at a time, and checked with knowledge no SQL-only linter has:
which service owns which table.

The names below are imported on first use, so that ``orchestrator.lint.rule`` (the dialects,
for the command line's options) loads none of the rules' machinery.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

#: Public name -> module holding it.
_API: dict[str, str] = {
    "RULES": "orchestrator.lint.catalog",
    "LintFinding": "orchestrator.lint.finding",
    "Severity": "orchestrator.lint.finding",
    "DEFAULT_DIALECT": "orchestrator.lint.rule",
    "DIALECTS": "orchestrator.lint.rule",
    "Rule": "orchestrator.lint.rule",
    "dialect_of": "orchestrator.lint.rule",
    "LintReport": "orchestrator.lint.runner",
    "lint": "orchestrator.lint.runner",
    "lint_revisions": "orchestrator.lint.runner",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    try:
        module = _API[name]
    except KeyError:
        raise AttributeError(f"module 'orchestrator.lint' has no attribute {name!r}") from None
    value = getattr(import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
