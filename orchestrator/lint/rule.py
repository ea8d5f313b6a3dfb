"""A lint rule's identity: stable code, severity, what it catches, how to fix it."""
from __future__ import annotations

from dataclasses import dataclass

from orchestrator.lint.finding import Severity

#: Target dialects lint renders SQL for; PostgreSQL, the production target, is the default.
DIALECTS = ("postgresql", "sqlite", "mysql", "mariadb")
DEFAULT_DIALECT = "postgresql"
MYSQL_DIALECTS = frozenset({"mysql", "mariadb"})


def dialect_of(backend: str) -> str:
    """The lint dialect for a database backend (``URL.get_backend_name()``)."""
    return backend if backend in DIALECTS else DEFAULT_DIALECT


@dataclass(frozen=True)
class Rule:
    """``code`` never changes once released: suppressions and CI scripts name it."""

    code: str
    severity: Severity
    title: str
    fix: str
    #: The dialects the rule applies to; None for every dialect.
    dialects: frozenset[str] | None = None
    #: Whether ``# orchestrate: allow <code>`` may silence it.
    suppressible: bool = True

    def applies_to(self, dialect: str) -> bool:
        return self.dialects is None or dialect in self.dialects


def error(code: str, title: str, fix: str, **kw: object) -> Rule:
    return Rule(code, Severity.ERROR, title, fix, **kw)  # type: ignore[arg-type]


def warning(code: str, title: str, fix: str, **kw: object) -> Rule:
    return Rule(code, Severity.WARNING, title, fix, **kw)  # type: ignore[arg-type]
