"""The ``product_categories`` table: a per-tenant tree of categories."""
import sqlalchemy as sa

from services.products.models import metadata
from shared_db import TenantId

product_categories = sa.Table(
    "product_categories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", TenantId(), nullable=False, index=True),
    sa.Column(
        "parent_id",
        sa.Integer,
        sa.ForeignKey("product_categories.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("slug", sa.String(128), nullable=False),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("tenant_id", "slug"),
)
