"""The ``invoice_lines`` table: the billed items of an invoice."""
import sqlalchemy as sa

from services.invoices.models import metadata
from shared_db import TenantId

invoice_lines = sa.Table(
    "invoice_lines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", TenantId(), nullable=False, index=True),
    sa.Column(
        "invoice_id",
        sa.Integer,
        sa.ForeignKey("invoices.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.Column("description", sa.String(255), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price", sa.Numeric(12, 2), nullable=False),
    sa.CheckConstraint("quantity > 0", name="quantity_positive"),
)
