"""The ``order_lines`` table: the products and quantities of an order."""
import sqlalchemy as sa

from services.orders.models import metadata
from shared_db import TenantId

order_lines = sa.Table(
    "order_lines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", TenantId(), nullable=False, index=True),
    sa.Column(
        "order_id",
        sa.Integer,
        sa.ForeignKey("orders.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # products.id belongs to the products service (stub in references.py).
    sa.Column("product_id", sa.Integer, sa.ForeignKey("products.id"), nullable=False, index=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price", sa.Numeric(12, 2), nullable=False),
    sa.Column("discount_percent", sa.Numeric(5, 2), nullable=True),
    sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    sa.UniqueConstraint("order_id", "product_id"),
)
