"""``orchestrate lint``: review revisions with stable rule codes (docs/lint-rules.md).

Each revision is read two ways, its Python source (AST) and the SQL it renders offline for the
target dialect, one revision at a time, and checked with knowledge no SQL-only linter has:
which service owns which table.
"""
from orchestrator.lint.catalog import RULES
from orchestrator.lint.finding import LintFinding, Severity
from orchestrator.lint.rule import DEFAULT_DIALECT, DIALECTS, Rule, dialect_of
from orchestrator.lint.runner import LintReport, lint, lint_revisions

__all__ = ["DEFAULT_DIALECT", "DIALECTS", "RULES", "LintFinding", "LintReport", "Rule",
           "Severity", "dialect_of", "lint", "lint_revisions"]
