"""The ``invoice_statuses`` reference table, seeded by the initial migration.

``tenant_id`` is NULL for the global statuses every tenant shares; a tenant may add its own.
"""
import sqlalchemy as sa

from services.invoices.models import metadata
from shared_db import TenantId

invoice_statuses = sa.Table(
    "invoice_statuses",
    metadata,
    sa.Column("code", sa.String(8), primary_key=True),
    sa.Column("label", sa.String(64), nullable=False),
    sa.Column("sort_order", sa.Integer, nullable=False, server_default="0"),
    sa.Column("tenant_id", TenantId(), nullable=True, index=True),
)
