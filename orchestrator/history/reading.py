"""What a revision does, as one recorded reading every consumer shares.

A :class:`RevisionReading` is what :mod:`orchestrator.history.recording` saw when it imported
a revision module the way Alembic does and ran its ``upgrade()`` and ``downgrade()`` under a
recording, offline Alembic context for one dialect: the module's identifiers and docstring,
and per function every :class:`Call` the revision made (the Alembic operation object, the line
of the revision file that issued it, whether a guard surrounds it, the facts consumers ask
about, the SQL the dialect renders for it) and every statement it ran. What could not be
read is said, with the line: :attr:`RevisionReading.failure` when the module does not import,
:attr:`FunctionReading.stop` when a function stopped early (it reads rows, say).

Consumers (ownership claims, drift, merge conflicts, lint, ``history``) read these records;
none reads the revision's text. Readings are cached by file content
(:mod:`orchestrator.history.reading_cache`), so the operation objects themselves are only
there on a fresh reading; the facts are always there.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from orchestrator.history.sql import Statement

#: ``("create_table" | "drop_table" | "rename_table", table, new name or None)``.
TableOperation = tuple[str, str, "str | None"]
#: ``(create_entity|drop_entity|replace_entity, identity)``: an alembic_utils operation, or
#: ``(create_sequence|alter_sequence|drop_sequence, "Sequence: name")``.
EntityOperation = tuple[str, str]


@dataclass(frozen=True)
class Column:
    """A ``sa.Column`` a revision creates (in ``create_table`` or ``add_column``)."""

    name: str
    nullable: bool = True
    primary_key: bool = False
    server_default: bool = False
    #: An ``Identity()`` or ``Computed()``: the database fills it.
    generated: bool = False
    index: bool = False
    unique: bool = False
    #: ``table.column`` (``schema.table.column``) of every foreign key on the column.
    references: tuple[str, ...] = ()
    #: A check constraint comes with it (``CheckConstraint`` argument, or a type such as
    #: ``Boolean(create_constraint=True)``).
    check: bool = False
    #: Its foreign keys are ``use_alter=True``: never created inline with the table.
    use_alter: bool = False


@dataclass(frozen=True)
class Constraint:
    """A constraint or index a revision creates.

    ``kind``: ``primary key``, ``unique constraint``, ``foreign key``, ``check constraint`` or
    ``index``. ``columns`` is None when they cannot be named (an expression index).
    """

    kind: str
    name: str | None
    columns: tuple[str, ...] | None = None
    references: tuple[str, ...] = ()
    unique: bool = False
    #: A foreign key with ``use_alter=True``: never created inline with the table.
    use_alter: bool = False


@dataclass
class Call:
    """One operation a revision's function called: ``op.drop_column(...)``, a batch operation,
    ``op.execute(...)``, a plugin's ``op.sync_enum_values(...)``, or SQL run on the connection
    ``op.get_bind()`` gives (``name`` ``connection``).

    ``name`` is the directive as the revision wrote it (``drop_column``); ``operation`` the
    Alembic operation object it dispatched (``ops.DropColumnOp``), on a fresh reading only, and
    ``kind`` that object's class name (None for a plugin directive that dispatches no operation
    object but runs SQL itself). ``table`` is the real table, a batch block's included.
    """

    function: str
    name: str
    line: int
    #: Every line of the revision file on the call stack, innermost first (a helper function
    #: called from ``upgrade()``: the line in the helper, then the line calling it).
    lines: tuple[int, ...]
    guarded: bool = False
    kind: str | None = None
    batch: bool = False
    table: str | None = None
    schema: str | None = None
    #: The column, index or constraint the operation names.
    target: str | None = None
    #: The new name of a renamed table (``rename_table``) or column (``alter_column``).
    new_name: str | None = None
    columns: tuple[Column, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    #: Options read from the operation: ``if_exists``, ``if_not_exists``, ``unique``,
    #: ``nullable`` (alter_column), ``type``/``existing_type`` (compiled for the dialect),
    #: ``server_default``, ``concurrently``, ``where`` (a partial index), ``sql`` (execute).
    options: dict[str, Any] = field(default_factory=dict)
    #: The statements the dialect renders for it (or that it ran), in order.
    sql: tuple[Statement, ...] = ()
    #: Why Alembic could not render it offline for the dialect (SQLite batch needing the
    #: live table, say); the operation itself was read.
    render_error: str | None = None
    operation: Any = field(default=None, compare=False, repr=False)

    def option(self, name: str) -> Any:
        return self.options.get(name)

    def without_operation(self) -> Call:
        return replace(self, operation=None) if self.operation is not None else self


@dataclass(frozen=True)
class Stop:
    """Where and why reading stopped: the rest of the function (or module) was not read."""

    line: int
    message: str
    #: It needs the live database: it reads rows (``op.get_bind()``) or inspects tables.
    needs_database: bool = False


@dataclass
class FunctionReading:
    """What ``upgrade()`` or ``downgrade()`` did, up to its end or to :attr:`stop`."""

    name: str
    line: int  # its ``def``
    calls: list[Call] = field(default_factory=list)
    #: Every statement it ran or had rendered, in order, as ``(call index, statement)``; None
    #: only for what a re-created batch table's block renders as a whole.
    statements: list[tuple[int | None, Statement]] = field(default_factory=list)
    stop: Stop | None = None
    #: Operations read but that Alembic cannot render offline for the dialect (line, why).
    unrendered: list[Stop] = field(default_factory=list)
    #: Where it went on without doing what it does online: it asked
    #: ``context.is_offline_mode()``, or caught the failure of reading from the database.
    skipped: list[Stop] = field(default_factory=list)
    #: It raised on purpose to refuse running (``raise NotImplementedError("irreversible")``).
    refused: bool = False

    @property
    def complete(self) -> bool:
        return self.stop is None

    @property
    def empty(self) -> bool:
        """It ran to its end and did nothing."""
        return self.complete and not self.refused and not self.calls and not self.statements

    def sql(self) -> list[Statement]:
        return [statement for _, statement in self.statements]

    def without_operations(self) -> FunctionReading:
        return replace(self, calls=[c.without_operation() for c in self.calls])


@dataclass(frozen=True)
class Metadata:
    """A revision's identifiers and docstring, as Alembic's ``Script`` reads them."""

    revision: object
    down_revision: object = None
    branch_labels: object = None
    depends_on: object = None
    requires: object = None
    message: str = ""
    create_date: str | None = None
    #: Whether these were read from the imported module (else: from its literals, because it
    #: does not import).
    imported: bool = True


@dataclass
class RevisionReading:
    path: Path
    dialect: str
    metadata: Metadata | None  # None: the file is no revision (no ``revision`` variable)
    upgrade: FunctionReading | None = None
    downgrade: FunctionReading | None = None
    #: The module could not be imported (or loaded): nothing of its functions was read.
    failure: Stop | None = None
    #: The SQL of every operation was rendered (else only raw SQL and plugin operations).
    rendered: bool = False

    def functions(self) -> Iterator[FunctionReading]:
        for function in (self.upgrade, self.downgrade):
            if function is not None:
                yield function

    def calls(self, function: str = "upgrade") -> list[Call]:
        reading = self.upgrade if function == "upgrade" else self.downgrade
        return reading.calls if reading is not None else []

    @property
    def unread(self) -> list[Stop]:
        """What could not be read: the module, or where a function stopped."""
        if self.failure is not None:
            return [self.failure]
        return [f.stop for f in self.functions() if f.stop is not None]

    def without_operations(self) -> RevisionReading:
        """This reading without the live operation objects (what the cache keeps)."""
        return replace(self, upgrade=self.upgrade and self.upgrade.without_operations(),
                       downgrade=self.downgrade and self.downgrade.without_operations())

    def table_operations(self) -> tuple[TableOperation, ...]:
        """``(create_table|drop_table|rename_table, table, new name)`` of the upgrade, in order:
        from its operations and from the SQL it runs (``CREATE TABLE`` in ``op.execute``)."""
        if self.upgrade is None:
            return ()
        return _table_operations(self.upgrade)


    def entity_operations(self) -> tuple[EntityOperation, ...]:
        """The alembic_utils entities (views, functions, ...) and sequences the upgrade
        creates, changes and drops, in order, by identity (``PGView: public.active_users``)."""
        if self.upgrade is None:
            return ()
        return tuple((call.name, call.target) for call in self.upgrade.calls
                     if call.option("entity") and call.target)


def _table_operations(upgrade: FunctionReading) -> tuple[TableOperation, ...]:
    found: list[TableOperation] = []
    for call in upgrade.calls:
        name = _schema_qualified(call.table, call.schema)
        if call.name in ("create_table", "drop_table") and name:
            found.append((call.name, name, None))
        elif call.name == "rename_table" and name and call.new_name:
            found.append(("rename_table", name, _schema_qualified(call.new_name, call.schema)))
        for statement in call.sql:
            if statement.raw:
                found += _sql_table_operations(statement)
    return tuple(found)


def _schema_qualified(table: str | None, schema: str | None) -> str | None:
    if table is None:
        return None
    return f"{schema}.{table}" if schema else table


def _sql_table_operations(statement: Statement) -> list[TableOperation]:
    if statement.verb == "create table" and statement.table:
        return [("create_table", statement.table, None)]
    if statement.verb == "drop table":
        return [("drop_table", table, None) for table in statement.tables]
    renamed = [c for c in statement.clauses if c.kind == "rename table"]
    if renamed and statement.table and renamed[0].new_name:
        return [("rename_table", statement.table, renamed[0].new_name)]
    return []


