"""Everything a rule may ask about one revision, read two ways: its source and its SQL.

"Existing table" means a table this revision does not create itself: created earlier in the
service's history, or owned by another service. Only an existing table can hold rows, so only
an existing table can lose data, be locked for long, or fail on its rows.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from orchestrator.history.operations import Operation, RevisionSource, column_name, literal
from orchestrator.history.revisions import Revision
from orchestrator.lint.finding import LintFinding
from orchestrator.lint.rendering import Rendered
from orchestrator.lint.rule import Rule
from orchestrator.lint.statements import Statement
from orchestrator.workspace.ownership import OwnershipRegistry, table_key
from orchestrator.workspace.workspace import Workspace


@dataclass
class RevisionContext:
    workspace: Workspace
    revision: Revision
    source: RevisionSource
    dialect: str
    rendered: Rendered
    #: Tables the service's own revisions create, anywhere in its history (this one included).
    own_history_tables: frozenset[str]
    #: Every service's models package -> that service.
    models_packages: dict[str, str]

    @property
    def service(self) -> str:
        return self.revision.service

    @property
    def ownership(self) -> OwnershipRegistry:
        return self.workspace.ownership

    @property
    def statements(self) -> list[Statement]:
        return self.rendered.statements

    @cached_property
    def upgrade(self) -> list[Operation]:
        return self.source.in_function("upgrade")

    def table_of(self, op: Operation) -> str | None:
        """The table ``op`` acts on, schema-qualified like ownership keys (``schema.table``)."""
        if op.table is None:
            return None
        schema = op.literal("schema")
        return table_key(op.table, schema if isinstance(schema, str) else None)

    @cached_property
    def created(self) -> frozenset[str]:
        """Tables this revision's upgrade creates (``op.create_table`` or raw SQL)."""
        tables = {self.table_of(op) for op in self.upgrade if op.name == "create_table"}
        tables |= {s.table for s in self.statements if s.verb == "create table"}
        return frozenset(t for t in tables if t)

    @cached_property
    def dropped(self) -> frozenset[str]:
        tables = {self.table_of(op) for op in self.upgrade if op.name == "drop_table"}
        tables |= {s.table for s in self.statements if s.verb == "drop table"}
        return frozenset(t for t in tables if t)

    def changes_to_existing_tables(self) -> Iterator[tuple[Operation, str]]:
        """(op, table) for every upgrade operation on a table this revision does not create."""
        for op in self.upgrade:
            table = self.table_of(op)
            if table is not None and not self.is_new(table):
                yield op, table

    def is_new(self, table: str | None) -> bool:
        """Whether this revision creates ``table`` (so it holds no rows yet)."""
        return table is not None and table in self.created

    @cached_property
    def added_columns(self) -> dict[tuple[str, str], ast.Call]:
        """``(table, column) -> Column(...)`` for every column this revision's upgrade adds."""
        added: dict[tuple[str, str], ast.Call] = {}
        for op in self.upgrade:
            column = op.args.get("column")
            name = column_name(column)
            table = self.table_of(op)
            if op.name == "add_column" and name and table and isinstance(column, ast.Call):
                added[(table, name)] = column
        return added

    @cached_property
    def _spans(self) -> list[ast.stmt]:
        function = self.source.functions().get("upgrade")
        if function is None:
            return []
        return [node for node in ast.walk(function) if isinstance(node, ast.stmt)
                and node is not function]

    def operation_for(self, statement: Statement) -> Operation | None:
        """The ``op`` call that wrote ``statement``, when the source shows one."""
        if statement.line is None:
            return None
        enclosing = [s for s in self._spans
                     if s.lineno <= statement.line <= (s.end_lineno or s.lineno)]
        if not enclosing:
            return None
        innermost = min(enclosing, key=lambda s: (s.end_lineno or s.lineno) - s.lineno)
        first, last = innermost.lineno, innermost.end_lineno or innermost.lineno
        candidates = [op for op in self.upgrade if first <= op.line <= last]
        if len(candidates) > 1:  # a batch block or a loop: match by the object it names
            named = [op for op in candidates
                     if statement.name and op.target and op.target == statement.name]
            candidates = named or [op for op in candidates if self.table_of(op) == statement.table]
        return candidates[0] if candidates else None

    def line_of(self, statement: Statement) -> int:
        op = self.operation_for(statement)
        return op.line if op else statement.line or 1

    def evaluate(self, node: ast.expr | None) -> object | None:
        """``node`` evaluated in the revision module's namespace (a type, a default); or None."""
        module = self.rendered.module
        if node is None or module is None:
            return None
        try:
            code = compile(ast.Expression(body=node), str(self.revision.path), "eval")
            return eval(code, module.__dict__)  # noqa: S307 - the revision's own expression
        except Exception:  # not evaluable on its own: the rule says it cannot tell
            return None

    def finding(self, rule: Rule, line: int, detail: str, obj: str | None = None
                ) -> LintFinding:
        return LintFinding(
            code=rule.code, severity=rule.severity, service=self.service,
            revision=self.revision.revision, path=self.revision.path, line=line, object=obj,
            detail=detail, fix=rule.fix,
        )


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """The ``name=`` keyword argument of a call, if given."""
    return next((k.value for k in call.keywords if k.arg == name), None)


def is_false(node: ast.expr | None) -> bool:
    return node is not None and literal(node) is False


def callee(node: ast.expr) -> str | None:
    """``sa.ForeignKey`` -> ``ForeignKey``; ``text`` -> ``text``."""
    func = node.func if isinstance(node, ast.Call) else node
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None
