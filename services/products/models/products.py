"""The ``products`` table: what a tenant sells."""
import sqlalchemy as sa

from services.products.models import metadata
from shared_db import TenantId

products = sa.Table(
    "products",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", TenantId(), nullable=False, index=True),
    sa.Column(
        "category_id",
        sa.Integer,
        sa.ForeignKey("product_categories.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
    sa.Column("sku", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("price", sa.Numeric(12, 2), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"),
    sa.Column("stock_quantity", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("weight_grams", sa.Integer, nullable=True),
    sa.Column("is_active", sa.Boolean, nullable=False),
    sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.text("CURRENT_TIMESTAMP"),
    ),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("price >= 0", name="price_non_negative"),
    sa.Index("ix_products_tenant_id_name", "tenant_id", "name"),
)
