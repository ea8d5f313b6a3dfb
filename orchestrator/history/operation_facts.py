"""The facts consumers ask about, taken from the Alembic operation objects a revision dispatched.

Every value comes from the object Alembic itself built (``ops.AddColumnOp.column`` is the real
``sa.Column``), so a name computed in a loop, a module constant, ``op.f("...")`` or a
``u"..."`` string reads exactly as Alembic runs it.
"""
from __future__ import annotations

from typing import Any

from alembic.operations import ops
from sqlalchemy import (
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from sqlalchemy import Column as SAColumn
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ClauseElement, ColumnClause, TextClause

from orchestrator.history import sequence_operations
from orchestrator.history.reading import Call, Column, Constraint
from orchestrator.history.sql import expression_columns


def describe(call: Call, operation: Any, dialect: Dialect) -> None:
    """Fill ``call`` from ``operation`` (the first one its directive dispatched)."""
    call.kind = type(operation).__name__
    reader = _READERS.get(type(operation))
    if reader is None:
        for kind, candidate in _READERS.items():
            if isinstance(operation, kind):
                reader = candidate
                break
    if reader is not None:
        reader(call, operation, dialect)
    else:
        _generic(call, operation)
    if call.table is not None:
        call.table = str(call.table)


def _name(value: object) -> str | None:
    """A name as a plain string (``op.f()`` gives a ``conv``, a str subclass)."""
    return str(value) if isinstance(value, str) else None


def _schema(call: Call, operation: Any) -> None:
    schema = getattr(operation, "schema", None)
    call.schema = _name(schema)


def _table(call: Call, operation: Any, attr: str = "table_name") -> None:
    if not call.batch:  # a batch operation's table is the block's
        call.table = _name(getattr(operation, attr, None))
        _schema(call, operation)


def _flags(call: Call, operation: Any, kw: dict | None = None) -> None:
    for flag in ("if_exists", "if_not_exists"):
        if getattr(operation, flag, None):
            call.options[flag] = True
    for key, value in (kw or {}).items():
        if key.endswith("_concurrently") and value:
            call.options["concurrently"] = True
        elif key.endswith("_where") and value is not None:
            call.options["where"] = True
        elif key.endswith("_not_valid") and value:
            call.options["not_valid"] = True


def column_facts(column: SAColumn) -> Column:
    references = []
    for fk in column.foreign_keys:
        target = _target(fk)
        if target:
            references.append(target)
    check = any(isinstance(c, CheckConstraint) for c in column.constraints) or bool(
        getattr(column.type, "create_constraint", False))
    return Column(
        name=str(column.name), nullable=bool(column.nullable),
        primary_key=bool(column.primary_key), server_default=column.server_default is not None,
        generated=column.identity is not None or column.computed is not None,
        index=bool(column.index), unique=bool(column.unique), references=tuple(references),
        check=check, use_alter=any(fk.use_alter for fk in column.foreign_keys),
    )


def _target(fk: Any) -> str | None:
    """``table.column`` a ForeignKey points at, without resolving it."""
    try:
        spec = fk._get_colspec()  # the spec as written: "users.id" or "auth.users.id"
    except Exception:  # a Column object not attached to a table yet
        return None
    return str(spec) if spec else None


def _check_columns(condition: Any, dialect: Dialect) -> tuple[str, ...] | None:
    """The columns a check constraint's condition names, read by the SQL parser."""
    if isinstance(condition, str):
        return expression_columns(condition, dialect.name)
    if isinstance(condition, TextClause):
        return expression_columns(condition.text, dialect.name)
    if isinstance(condition, ClauseElement):
        return tuple(dict.fromkeys(
            str(c.name) for c in visitors.iterate(condition) if isinstance(c, ColumnClause)))
    return None


def _columns(items: Any) -> tuple[str, ...] | None:
    names = []
    for item in items or ():
        if isinstance(item, str):
            names.append(str(item))
        elif isinstance(item, SAColumn) or hasattr(item, "name") and isinstance(
                getattr(item, "name", None), str) and not isinstance(item, TextClause):
            names.append(str(item.name))
        else:
            return None  # an expression
    return tuple(names)


def constraint_facts(item: Any, dialect: Dialect) -> Constraint | None:
    name = _name(getattr(item, "name", None))
    if isinstance(item, PrimaryKeyConstraint):
        return Constraint("primary key", name, _columns(item._pending_colargs or item.columns))
    if isinstance(item, UniqueConstraint):
        return Constraint("unique constraint", name,
                          _columns(item._pending_colargs or item.columns))
    if isinstance(item, ForeignKeyConstraint):
        refs = tuple(t for t in (_target(e) for e in item.elements) if t)
        return Constraint("foreign key", name, _columns(item.column_keys), refs,
                          use_alter=bool(item.use_alter))
    if isinstance(item, CheckConstraint):
        return Constraint("check constraint", name, _check_columns(item.sqltext, dialect))
    if isinstance(item, Index):
        expressions = getattr(item, "expressions", None) or item._table_bound_expressions
        return Constraint("index", name, _columns(expressions), unique=bool(item.unique))
    return None


def _create_table(call: Call, op: ops.CreateTableOp, dialect: Dialect) -> None:
    _table(call, op)
    columns, constraints = [], []
    for item in op.columns:
        if isinstance(item, SAColumn):
            columns.append(column_facts(item))
        else:
            found = constraint_facts(item, dialect)
            if found is not None:
                constraints.append(found)
    call.columns, call.constraints = tuple(columns), tuple(constraints)
    _flags(call, op, op.kw)


def _drop_table(call: Call, op: ops.DropTableOp, dialect: Dialect) -> None:
    _table(call, op)
    _flags(call, op)


def _rename_table(call: Call, op: ops.RenameTableOp, dialect: Dialect) -> None:
    _table(call, op)
    call.new_name = _name(op.new_table_name)


def _add_column(call: Call, op: ops.AddColumnOp, dialect: Dialect) -> None:
    _table(call, op)
    call.columns = (column_facts(op.column),)
    call.target = str(op.column.name)
    _flags(call, op, op.kw)


def _naming(attr: str):  # noqa: ANN202 - a reader factory
    """A reader for an operation that names one object (``drop_column``: ``column_name``)."""
    def read(call: Call, op: Any, dialect: Dialect) -> None:
        _table(call, op)
        call.target = _name(getattr(op, attr))
        _flags(call, op, getattr(op, "kw", None))
    return read


def _alter_column(call: Call, op: ops.AlterColumnOp, dialect: Dialect) -> None:
    _table(call, op)
    call.target = _name(op.column_name)
    call.new_name = _name(op.modify_name)
    if op.modify_nullable is not None:
        call.options["nullable"] = bool(op.modify_nullable)
    if op.existing_nullable is not None:
        call.options["existing_nullable"] = bool(op.existing_nullable)
    for key, value in (("type", op.modify_type), ("existing_type", op.existing_type)):
        compiled = _compile_type(value, dialect)
        if compiled is not None:
            call.options[key] = compiled
    if op.modify_server_default is not False:
        call.options["server_default"] = op.modify_server_default is not None
    if op.kw.get("postgresql_using"):
        call.options["using"] = True


def _compile_type(value: Any, dialect: Dialect) -> str | None:
    """A type as the dialect spells it (``VARCHAR(50)``); None when not given."""
    if value is None or value is False:
        return None
    try:
        type_ = value() if isinstance(value, type) else value
        return str(type_.compile(dialect=dialect)).upper()
    except Exception:  # a custom type that does not compile on its own: its repr
        return repr(value).upper()


def _create_index(call: Call, op: ops.CreateIndexOp, dialect: Dialect) -> None:
    _table(call, op)
    call.target = _name(op.index_name)
    columns = _columns(op.columns)
    call.constraints = (Constraint("index", call.target, columns, unique=bool(op.unique)),)
    if op.unique:
        call.options["unique"] = True
    _flags(call, op, op.kw)


def _create_unique(call: Call, op: ops.CreateUniqueConstraintOp, dialect: Dialect) -> None:
    _table(call, op)
    call.target = _name(op.constraint_name)
    call.constraints = (Constraint("unique constraint", call.target, _columns(op.columns)),)
    _flags(call, op, op.kw)


def _create_primary_key(call: Call, op: ops.CreatePrimaryKeyOp, dialect: Dialect) -> None:
    _table(call, op)
    call.target = _name(op.constraint_name)
    call.constraints = (Constraint("primary key", call.target, _columns(op.columns)),)


def _create_foreign_key(call: Call, op: ops.CreateForeignKeyOp, dialect: Dialect) -> None:
    if not call.batch:
        call.table = _name(op.source_table)
        call.schema = _name(op.kw.get("source_schema"))
    call.target = _name(op.constraint_name)
    referent = _name(op.referent_table)
    referent_schema = _name(op.kw.get("referent_schema"))
    if referent_schema:
        referent = f"{referent_schema}.{referent}"
    refs = tuple(f"{referent}.{column}" for column in op.remote_cols or ()) or (
        (f"{referent}.",) if referent else ())
    call.constraints = (Constraint("foreign key", call.target, _columns(op.local_cols), refs),)
    call.options["referent_table"] = referent
    _flags(call, op, op.kw)


def _create_check(call: Call, op: ops.CreateCheckConstraintOp, dialect: Dialect) -> None:
    _table(call, op)
    call.target = _name(op.constraint_name)
    call.constraints = (
        Constraint("check constraint", call.target, _check_columns(op.condition, dialect)),)
    _flags(call, op, op.kw)


def _drop_constraint(call: Call, op: ops.DropConstraintOp, dialect: Dialect) -> None:
    _table(call, op)
    call.target = _name(op.constraint_name)
    if op.constraint_type:
        call.options["type"] = str(op.constraint_type)
    _flags(call, op)


def _bulk_insert(call: Call, op: ops.BulkInsertOp, dialect: Dialect) -> None:
    table = op.table
    call.table = _name(getattr(table, "name", None))
    call.schema = _name(getattr(table, "schema", None))
    call.options["rows"] = len(op.rows)


def _execute(call: Call, op: ops.ExecuteSQLOp, dialect: Dialect) -> None:
    text = op.sqltext
    if isinstance(text, str):
        call.options["sql"] = text
    elif isinstance(text, TextClause):
        call.options["sql"] = text.text
    elif isinstance(text, ClauseElement):
        call.options["construct"] = type(text).__name__


def _table_comment(call: Call, op: Any, dialect: Dialect) -> None:
    _table(call, op)


def _generic(call: Call, op: Any) -> None:
    """A plugin's operation: whatever table it names the usual way; an alembic_utils
    operation (``op.create_entity(PGView(...))``) names its entity."""
    if type(op).__module__.startswith("alembic_utils."):
        entity = op.target
        call.target = str(entity.identity)
        call.options["entity"] = type(entity).__name__
        return
    if isinstance(op, sequence_operations._SequenceOp):  # op.create_sequence(...)
        call.target = op.key
        call.options["entity"] = "Sequence"
        return
    for attr in ("table_name", "source_table", "old_table_name"):
        value = _name(getattr(op, attr, None))
        if value:
            call.table = call.table or value
            break
    if not call.batch:
        _schema(call, op)


_READERS = {
    ops.CreateTableOp: _create_table, ops.DropTableOp: _drop_table,
    ops.RenameTableOp: _rename_table, ops.AddColumnOp: _add_column,
    ops.DropColumnOp: _naming("column_name"), ops.AlterColumnOp: _alter_column,
    ops.CreateIndexOp: _create_index, ops.DropIndexOp: _naming("index_name"),
    ops.CreateUniqueConstraintOp: _create_unique, ops.CreatePrimaryKeyOp: _create_primary_key,
    ops.CreateForeignKeyOp: _create_foreign_key, ops.CreateCheckConstraintOp: _create_check,
    ops.DropConstraintOp: _drop_constraint, ops.BulkInsertOp: _bulk_insert,
    ops.ExecuteSQLOp: _execute, ops.CreateTableCommentOp: _table_comment,
    ops.DropTableCommentOp: _table_comment,
}
