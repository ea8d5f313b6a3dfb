"""How autogenerate writes types and server defaults: portable, and with their imports.

Alembic renders a revision for the dialect of the database it compared against. Three things
then break on the other backends, or do not import at all; Alembic's ``render_item`` hook
(:func:`render_item`) fixes each, and leaves everything else to Alembic's own rendering:

- a server default written as a SQLAlchemy construct is compiled to that dialect's SQL text:
  ``sa.false()`` becomes ``sa.text('0')`` on SQLite (``BOOLEAN DEFAULT 0`` fails on
  PostgreSQL), ``sa.func.now()`` becomes ``sa.text('now()')`` on PostgreSQL (no ``now()`` on
  SQLite). The portable constructs are written back as themselves, compiled by each database
  at upgrade time; a reflected boolean default (``0``, ``'f'``, ``false``) of a Boolean column
  is written as ``sa.false()``/``sa.true()`` too;
- a dialect's own type (``postgresql.JSONB()`` in a ``with_variant``) is rendered by that
  dialect's Alembic implementation, which writes its sub-types with their prefix
  (``astext_type=sa.Text()``), not by the compared database's, which leaves ``Text()``
  unimported;
- a PostgreSQL enum column whose type is created apart is written with ``create_type=False``
  exactly once;
- a custom type is written as ``shared_db.types.TenantId()`` but Alembic leaves importing
  ``shared_db.types`` to the user: the import is added.
"""
from __future__ import annotations

import functools
from typing import Any, Literal

from alembic.ddl.impl import DefaultImpl
from alembic.ddl.impl import _impls as alembic_impls
from sqlalchemy import Boolean
from sqlalchemy.dialects import postgresql, registry
from sqlalchemy.schema import DefaultClause
from sqlalchemy.sql import elements, functions

from orchestrator.runtime.server_defaults import normalize_default

#: Functions every supported backend compiles itself (SQLAlchemy's ANSI functions).
PORTABLE_FUNCTIONS = frozenset({"now", "current_timestamp", "current_date", "current_time",
                                "localtimestamp"})
_BOOLEANS = {"0": "false", "1": "true"}


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Alembic's ``render_item`` hook; ``False`` leaves an item to Alembic's rendering."""
    if type_ == "server_default":
        return render_server_default(obj, autogen_context)
    if type_ == "type":
        import_custom_type(obj, autogen_context)
        return render_enum_reference(obj, autogen_context) or render_dialect_type(
            obj, autogen_context)
    return False


def render_server_default(default: Any, autogen_context: Any) -> str | Literal[False]:
    """A portable server default as the SQLAlchemy expression that builds it, else False."""
    if not isinstance(default, DefaultClause):
        return False
    arg, prefix = default.arg, _prefix(autogen_context)
    if isinstance(arg, elements.True_):
        return f"{prefix}true()"
    if isinstance(arg, elements.False_):
        return f"{prefix}false()"
    if isinstance(arg, functions.FunctionElement) and not list(arg.clauses) and (
        arg.name.lower() in PORTABLE_FUNCTIONS
    ):
        return f"{prefix}func.{arg.name.lower()}()"
    column = getattr(default, "column", None)
    if column is not None and isinstance(column.type, Boolean) and not isinstance(arg, str):
        boolean = _BOOLEANS.get(normalize_default(str(getattr(arg, "text", arg))) or "")
        if boolean:
            return f"{prefix}{boolean}()"
    return False


def render_dialect_type(type_: Any, autogen_context: Any) -> str | Literal[False]:
    """A dialect's own type rendered by that dialect's Alembic implementation.

    Only when the context's dialect is another one (it would not know the type); the import
    of the dialect module is added as Alembic adds it.
    """
    module = type(type_).__module__
    if not module.startswith("sqlalchemy.dialects."):
        return False
    name = module.split(".")[2]
    context = autogen_context.migration_context
    if context is None or context.dialect.name == name:
        return False
    impl = _impl(name)
    rendered = impl.render_type(type_, autogen_context) if impl is not None else False
    if rendered and autogen_context.imports is not None:
        autogen_context.imports.add(f"from sqlalchemy.dialects import {name}")
    return rendered


def render_enum_reference(type_: Any, autogen_context: Any) -> str | Literal[False]:
    """A PostgreSQL enum column that does not create its type, ``create_type=False`` once.

    Columns whose enum type a revision creates by itself (alembic-postgresql-enum) or another
    service owns are written ``postgresql.ENUM(..., create_type=False)``; SQLAlchemy's repr may
    already say so, and the library's would then say it twice (a SyntaxError).
    """
    if not isinstance(type_, postgresql.ENUM) or type_.create_type:
        return False
    text = postgresql.ENUM.__repr__(type_).replace(type(type_).__name__ + "(", "ENUM(", 1)
    text = text.replace(", metadata=MetaData()", "")
    if "create_type=False" not in text:
        text = text[:-1] + ", create_type=False)"
    if autogen_context.imports is not None:
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
    return f"postgresql.{text}"


def import_custom_type(type_: Any, autogen_context: Any) -> None:
    """Add ``import <module>`` for a custom type that Alembic writes with its module path."""
    if autogen_context.opts.get("user_module_prefix") is not None:
        return
    module = type(type_).__module__
    if not module.startswith(("sqlalchemy.", "builtins")) and autogen_context.imports is not None:
        autogen_context.imports.add(f"import {module}")


@functools.cache
def _impl(dialect_name: str) -> DefaultImpl | None:
    """An offline Alembic implementation of ``dialect_name``, used for rendering only."""
    if dialect_name not in alembic_impls:
        return None
    dialect = registry.load(dialect_name)()
    return alembic_impls[dialect_name](dialect, None, True, None, None, {})


def _prefix(autogen_context: Any) -> str:
    return autogen_context.opts.get("sqlalchemy_module_prefix") or "sa."
