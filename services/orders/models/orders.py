"""The ``orders`` table: one row per order a user places."""
import sqlalchemy as sa

from services.orders.models import metadata
from shared_db import TenantId

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", TenantId(), nullable=False, index=True),
    # users.id belongs to the users service (stub in references.py).
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("number", sa.String(32), nullable=False, unique=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="draft"),
    sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"),
    sa.Column("total_amount", sa.Numeric(12, 2), nullable=False),
    sa.Column("notes", sa.Text, nullable=True),
    sa.Column("placed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.text("CURRENT_TIMESTAMP"),
    ),
    sa.CheckConstraint("total_amount >= 0", name="total_non_negative"),
    sa.Index("ix_orders_tenant_id_status", "tenant_id", "status"),
)
