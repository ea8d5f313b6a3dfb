"""``op.create_sequence``, ``op.alter_sequence``, ``op.drop_sequence``: Alembic has none.

Alembic's operations cover tables, columns, indexes and constraints, and ``op.create_table``
does not create the ``Sequence`` a column names. These are the operations autogenerate writes
for standalone sequences (:mod:`orchestrator.runtime.sequence_comparison`), registered on
Alembic's ``Operations`` the documented way (``register_operation``, ``implementation_for``
and a renderer), each with its reverse for ``downgrade()``. Importing this module registers
them: orchestrate's contexts and the recorded reading import it, so revisions using them run
and read under ``orchestrate`` and plain ``alembic -c`` alike.
"""
from __future__ import annotations

from typing import Any

from alembic.autogenerate import renderers
from alembic.operations import MigrateOperation, Operations
from sqlalchemy import Sequence
from sqlalchemy.schema import CreateSequence, DropSequence

#: The sequence options compared and written (SQLAlchemy's ``Sequence`` keywords).
OPTIONS = ("start", "increment", "minvalue", "maxvalue", "cycle", "cache")


def sequence_key(name: str, schema: str | None) -> str:
    """How a sequence is named in the ownership registry: ``Sequence: billing.numbers``."""
    return f"Sequence: {schema}.{name}" if schema else f"Sequence: {name}"


class _SequenceOp(MigrateOperation):
    def __init__(self, sequence_name: str, schema: str | None = None, **options: Any) -> None:
        self.sequence_name = sequence_name
        self.schema = schema
        self.options = {k: v for k, v in options.items() if k in OPTIONS and v is not None}

    def to_sequence(self) -> Sequence:
        return Sequence(self.sequence_name, schema=self.schema, **self.options)

    @property
    def key(self) -> str:
        return sequence_key(self.sequence_name, self.schema)


@Operations.register_operation("create_sequence")
class CreateSequenceOp(_SequenceOp):
    """Create a sequence: ``op.create_sequence("numbers", start=1000)``."""

    @classmethod
    def create_sequence(cls, operations: Operations, sequence_name: str, **kw: Any) -> Any:
        return operations.invoke(cls(sequence_name, **kw))

    def reverse(self) -> DropSequenceOp:
        return DropSequenceOp(self.sequence_name, schema=self.schema, **self.options)


@Operations.register_operation("drop_sequence")
class DropSequenceOp(_SequenceOp):
    """Drop a sequence; its options are what ``downgrade()`` creates it again with."""

    @classmethod
    def drop_sequence(cls, operations: Operations, sequence_name: str, **kw: Any) -> Any:
        return operations.invoke(cls(sequence_name, **kw))

    def reverse(self) -> CreateSequenceOp:
        return CreateSequenceOp(self.sequence_name, schema=self.schema, **self.options)


@Operations.register_operation("alter_sequence")
class AlterSequenceOp(_SequenceOp):
    """Change a sequence's options in place (its current value is kept):
    ``op.alter_sequence("numbers", increment=10, existing={"increment": 1})``."""

    def __init__(self, sequence_name: str, schema: str | None = None,
                 existing: dict[str, Any] | None = None, **options: Any) -> None:
        super().__init__(sequence_name, schema, **options)
        self.existing = {k: v for k, v in (existing or {}).items() if k in OPTIONS}

    @classmethod
    def alter_sequence(cls, operations: Operations, sequence_name: str, **kw: Any) -> Any:
        return operations.invoke(cls(sequence_name, **kw))

    def reverse(self) -> AlterSequenceOp:
        return AlterSequenceOp(self.sequence_name, schema=self.schema, existing=self.options,
                               **self.existing)


@Operations.implementation_for(CreateSequenceOp)
def _create(operations: Operations, operation: CreateSequenceOp) -> None:
    operations.execute(CreateSequence(operation.to_sequence()))


@Operations.implementation_for(DropSequenceOp)
def _drop(operations: Operations, operation: DropSequenceOp) -> None:
    operations.execute(DropSequence(operation.to_sequence()))


@Operations.implementation_for(AlterSequenceOp)
def _alter(operations: Operations, operation: AlterSequenceOp) -> None:
    context = operations.get_context()
    dialect = context.dialect
    compiler = dialect.ddl_compiler(dialect, None)
    sequence = operation.to_sequence()
    name = compiler.preparer.format_sequence(sequence)
    operations.execute(f"ALTER SEQUENCE {name} {compiler.get_identity_options(sequence)}")


def _arguments(operation: _SequenceOp) -> str:
    parts = [repr(operation.sequence_name)]
    if operation.schema:
        parts.append(f"schema={operation.schema!r}")
    parts += [f"{key}={value!r}" for key, value in operation.options.items()]
    return ", ".join(parts)


@renderers.dispatch_for(CreateSequenceOp)
def _render_create(autogen_context: Any, operation: CreateSequenceOp) -> str:
    return f"op.create_sequence({_arguments(operation)})"


@renderers.dispatch_for(DropSequenceOp)
def _render_drop(autogen_context: Any, operation: DropSequenceOp) -> str:
    return f"op.drop_sequence({_arguments(operation)})"


@renderers.dispatch_for(AlterSequenceOp)
def _render_alter(autogen_context: Any, operation: AlterSequenceOp) -> str:
    return f"op.alter_sequence({_arguments(operation)}, existing={operation.existing!r})"
