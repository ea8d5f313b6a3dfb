"""Identity and computed columns: compared without tripping the server-default hook, and
their changes rendered so that they apply.

Alembic compares ``Identity`` options (start, increment, cycle, ...) and reports computed
columns it cannot change, but it asks a callable ``compare_server_default`` first, and reading
the database's default for that call assumes a plain default: an identity or computed column
crashes it (``'Identity' object has no attribute 'arg'``). orchestrate always configures such a
callable (:mod:`orchestrator.runtime.server_defaults`), so this comparator runs before it, for
the dialects that reflect identity columns, and when either side of a column is an identity or
computed column it runs Alembic's own identity and computed comparisons and stops there.

Alembic renders an ``alter_column`` that changes an identity's options without its
``existing_server_default``; PostgreSQL's implementation then takes it for a new identity
(``ADD GENERATED ...``: "column is already an identity column") or a plain default (``DROP
DEFAULT``). The renderer of ``alter_column`` is wrapped to write that argument whenever the
column was an identity.
"""
from __future__ import annotations

from typing import Any

from alembic.autogenerate import renderers
from alembic.autogenerate.compare.server_defaults import (
    _compare_computed_default,
    _compare_identity_default,
)
from alembic.autogenerate.render import _alter_column, _render_server_default
from alembic.operations import ops
from alembic.runtime.plugins import Plugin
from alembic.util import DispatchPriority, PriorityDispatchResult
from sqlalchemy import Computed, Identity

PLUGIN = "orchestrate.identity_columns"
#: The dialects whose reflection yields ``Identity``/``Computed`` server defaults.
DIALECTS = ("postgresql", "mssql", "oracle")


def compare_identity_and_computed(autogen_context: Any, alter_column_op: Any,
                                  schema: str | None, table_name: str, column_name: str,
                                  conn_col: Any, metadata_col: Any) -> PriorityDispatchResult:
    defaults = (conn_col.server_default, metadata_col.server_default)
    if not any(isinstance(default, (Identity, Computed)) for default in defaults):
        return PriorityDispatchResult.CONTINUE
    alter_column_op.existing_server_default = conn_col.server_default
    arguments = (autogen_context, alter_column_op, schema, table_name, column_name, conn_col,
                 metadata_col)
    if _compare_computed_default(*arguments) is not PriorityDispatchResult.STOP:
        _compare_identity_default(*arguments)
    return PriorityDispatchResult.STOP


@renderers.dispatch_for(ops.AlterColumnOp, replace=True)
def render_alter_column(autogen_context: Any, op: ops.AlterColumnOp) -> str:
    """Alembic's rendering, plus ``existing_server_default`` for an identity changed or
    dropped (``DROP IDENTITY``, not ``DROP DEFAULT``)."""
    text = _alter_column(autogen_context, op)
    if op.modify_server_default is False or not isinstance(op.existing_server_default,
                                                            Identity):
        return text
    existing = _render_server_default(op.existing_server_default, autogen_context)
    return f"{text[:-1]},\n{' ' * 11}existing_server_default={existing})"  # before its ")"


def setup(plugin: Plugin) -> None:
    for dialect in DIALECTS:
        plugin.add_autogenerate_comparator(compare_identity_and_computed, "column",
                                           "server_default", qualifier=dialect,
                                           priority=DispatchPriority.FIRST)


setup(Plugin(PLUGIN))
