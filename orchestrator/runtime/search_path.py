"""Running a per-tenant service's migrations in its tenant's schema: ``search_path``.

What a revision creates unqualified (``op.create_table("contacts", ...)``, and raw SQL alike)
lands in the first schema of the session's ``search_path``; reflection with no schema sees the
tables visible through it. Setting it to the tenant's schema is Alembic's cookbook recipe for
schema-per-tenant; ``schema_translate_map`` would reach what SQLAlchemy compiles only, never
the text of ``op.execute("...")``.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError


@contextmanager
def tenant_search_path(connection: Connection, tenant: str | None) -> Iterator[None]:
    """Run with ``search_path`` set to ``tenant``'s schema (nothing to do for no tenant); the
    session's own search_path is set back afterwards."""
    if tenant is None:
        yield
        return
    saved = connection.exec_driver_sql("SHOW search_path").scalar()
    connection.exec_driver_sql(set_search_path(connection.dialect, tenant))
    try:
        yield
    finally:
        try:
            connection.exec_driver_sql(f"SET search_path TO {saved}")
        except DBAPIError:  # the step failed: rolling its transaction back restores it
            pass


def set_search_path(dialect: Dialect, tenant: str) -> str:
    """``SET search_path TO "tenant"`` (the name quoted as an identifier)."""
    return f"SET search_path TO {dialect.identifier_preparer.quote_identifier(tenant)}"
