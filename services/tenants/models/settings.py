"""The ``tenant_settings`` table: per-tenant key/value configuration."""
import sqlalchemy as sa

from services.tenants.models import metadata
from shared_db import TenantId

tenant_settings = sa.Table(
    "tenant_settings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", TenantId(), nullable=False, index=True),
    sa.Column(
        "tenant_pk",
        sa.Integer,
        sa.ForeignKey("tenants.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("value", sa.Text, nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("tenant_pk", "key"),
)
