"""The ``invoices`` table: one invoice per billed order.

Cross-service foreign key, pattern B: ``invoices.order_id`` is declared with the real
``orders`` Table object of the orders service (``services.orders.models.orders``), so no stub
table is needed and the invoices MetaData holds only the invoices service's own tables.
"""
import sqlalchemy as sa

from services.invoices.models import metadata
from services.orders.models.orders import orders as orders_table
from shared_db import TenantId

invoices = sa.Table(
    "invoices",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", TenantId(), nullable=False, index=True),
    sa.Column(
        "order_id", sa.Integer, sa.ForeignKey(orders_table.c.id), nullable=False, index=True
    ),
    sa.Column("number", sa.String(32), nullable=False, unique=True),
    sa.Column(
        "status_code",
        sa.String(8),
        sa.ForeignKey("invoice_statuses.code"),
        nullable=False,
        index=True,
        server_default="DRAFT",
    ),
    sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"),
    sa.Column("amount_due", sa.Numeric(12, 2), nullable=False),
    sa.Column("amount_paid", sa.Numeric(12, 2), nullable=True),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.text("CURRENT_TIMESTAMP"),
    ),
    sa.CheckConstraint("amount_due >= 0", name="amount_due_non_negative"),
)
