"""Everything a rule may ask about one revision: its recorded reading and its source text.

The reading (:mod:`orchestrator.history.reading`) says what the revision does: every call of
its ``upgrade()`` with the Alembic operation behind it, and every statement the dialect renders
for it or that it runs, parsed. The source text is only for what is about how the revision is
written (its imports, how it builds SQL strings, suppression comments).

Table names are compared as the ownership registry spells them: ``public.accounts`` is
``accounts`` when the registry knows the table unqualified (PostgreSQL's default schema), and
the other way round (:func:`canonical_table`).

"Existing table" means a table this revision does not create itself: created earlier in the
service's history, or owned by another service. Only an existing table can hold rows, so only
an existing table can lose data, be locked for long, or fail on its rows.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from orchestrator.core.errors import RevisionError
from orchestrator.history.reading import Call, Column, RevisionReading
from orchestrator.history.revisions import Revision
from orchestrator.history.sql import Statement
from orchestrator.lint.column_history import ColumnHistory
from orchestrator.lint.finding import LintFinding
from orchestrator.lint.rule import Rule
from orchestrator.workspace.ownership import OwnershipRegistry, table_key
from orchestrator.workspace.workspace import Workspace

#: The schema a table name without one lives in (PostgreSQL's; other dialects name none).
DEFAULT_SCHEMA = "public"
#: The PostgreSQL major version rules assume when none is given or connected.
DEFAULT_PG_VERSION = 13


def canonical_table(table: str, ownership: OwnershipRegistry) -> str:
    """``table`` as the registry spells it: ``public.x`` is ``x`` unless the registry knows
    the table qualified, ``x`` is ``public.x`` when only the qualified name is known."""
    schema, dot, name = table.rpartition(".")
    if dot and schema == DEFAULT_SCHEMA:
        return table if ownership.owner(table) else name
    if not dot and ownership.owner(table) is None:
        qualified = f"{DEFAULT_SCHEMA}.{table}"
        if ownership.owner(qualified):
            return qualified
    return table


@dataclass
class RevisionSource:
    """A revision file's text, and its syntax tree when a rule asks for it."""

    path: Path
    text: str

    @classmethod
    def read(cls, path: Path) -> RevisionSource:
        try:
            return cls(path, path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise RevisionError(f"{path}: cannot be read: {error}") from None

    @cached_property
    def tree(self) -> ast.Module:
        try:
            return ast.parse(self.text, filename=str(self.path))
        except SyntaxError as error:
            raise RevisionError(f"{self.path}:{error.lineno}: not valid Python: "
                                f"{error.msg}") from None


@dataclass
class RevisionContext:
    workspace: Workspace
    revision: Revision
    reading: RevisionReading
    source: RevisionSource
    dialect: str
    #: Tables the service's own revisions create, anywhere in its history (this one included).
    own_history_tables: frozenset[str]
    #: Every service's models package -> that service.
    models_packages: dict[str, str]
    #: The PostgreSQL major version the revision will run on (``--pg-version``).
    pg_version: int = DEFAULT_PG_VERSION
    #: The service's columns through its history (None: not known, e.g. a lone revision).
    columns: ColumnHistory | None = None

    def nullable_before(self, table: str, column: str) -> bool | None:
        """Whether the column accepted NULL before this revision, as the history says."""
        if self.columns is None:
            return None
        return self.columns.nullable_before(self.revision.revision, table, column)

    @property
    def service(self) -> str:
        return self.revision.service

    @property
    def ownership(self) -> OwnershipRegistry:
        return self.workspace.ownership

    @cached_property
    def upgrade(self) -> list[Call]:
        return self.reading.calls("upgrade")

    @cached_property
    def statements(self) -> list[Statement]:
        upgrade = self.reading.upgrade
        return upgrade.sql() if upgrade is not None else []

    @cached_property
    def _owners(self) -> dict[int, Call]:
        upgrade = self.reading.upgrade
        if upgrade is None:
            return {}
        return {id(statement): upgrade.calls[index] for index, statement in upgrade.statements
                if index is not None}

    def table_of(self, call: Call) -> str | None:
        """The table ``call`` acts on, schema-qualified like ownership keys (``schema.table``)."""
        if call.table is None:
            return None
        return self.canonical(table_key(call.table, call.schema))

    def canonical(self, table: str) -> str:
        return canonical_table(table, self.ownership)

    @cached_property
    def created(self) -> frozenset[str]:
        """Tables this revision's upgrade creates (``op.create_table`` or raw SQL)."""
        tables = {self.table_of(c) for c in self.upgrade if c.name == "create_table"}
        tables |= {s.table for s in self.statements if s.verb == "create table"}
        return frozenset(self.canonical(t) for t in tables if t)

    @cached_property
    def dropped(self) -> frozenset[str]:
        tables = {self.table_of(c) for c in self.upgrade if c.name == "drop_table"}
        tables |= {t for s in self.statements if s.verb == "drop table" for t in s.tables}
        return frozenset(self.canonical(t) for t in tables if t)

    def changes_to_existing_tables(self) -> Iterator[tuple[Call, str]]:
        """(call, table) for every upgrade operation on a table this revision has not created
        by then (a table dropped and created again under its name is an existing table at
        the drop)."""
        for call in self.upgrade:
            table = self.table_of(call)
            if table is not None and not self.is_new(table, call):
                yield call, table

    def is_new(self, table: str | None, at: Call | Statement | None = None) -> bool:
        """Whether this revision creates ``table`` (so it holds no rows yet): at all, or by
        the time of the call or statement ``at``."""
        if table is None:
            return False
        table = self.canonical(table)
        if table not in self.created:
            return False
        if at is None:
            return True
        position = self._position(at)
        return position is None or any(p <= position for p in self._creations.get(table, ()))

    def _position(self, at: Call | Statement) -> int | None:
        call = at if isinstance(at, Call) else self.operation_for(at)
        return next((i for i, c in enumerate(self.upgrade) if c is call), None)

    @cached_property
    def _creations(self) -> dict[str, list[int]]:
        """Table -> positions (call indices) of the calls creating it."""
        found: dict[str, list[int]] = {}
        for position, call in enumerate(self.upgrade):
            tables = [self.table_of(call)] if call.name == "create_table" else []
            tables += [s.table for s in call.sql if s.verb == "create table"]
            for table in tables:
                if table:
                    found.setdefault(self.canonical(table), []).append(position)
        return found

    @cached_property
    def added_columns(self) -> dict[tuple[str, str], Column]:
        """``(table, column) -> Column`` for every column this revision's upgrade adds."""
        added: dict[tuple[str, str], Column] = {}
        for call in self.upgrade:
            table = self.table_of(call)
            if call.name == "add_column" and table:
                for column in call.columns:
                    added[(table, column.name)] = column
        return added

    def operation_for(self, statement: Statement) -> Call | None:
        """The call whose rendering (or run) wrote ``statement``."""
        return self._owners.get(id(statement))

    def line_of(self, statement: Statement) -> int:
        call = self.operation_for(statement)
        return call.line if call else statement.line or 1

    def finding(self, rule: Rule, line: int, detail: str, obj: str | None = None
                ) -> LintFinding:
        return LintFinding(
            code=rule.code, severity=rule.severity, service=self.service,
            revision=self.revision.revision, path=self.revision.path, line=line, object=obj,
            detail=detail, fix=rule.fix,
        )
