"""The ``tenants`` table: one row per customer organisation of the platform."""
import sqlalchemy as sa

from services.tenants.models import metadata
from shared_db import TenantId

tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # For this table the tenant's own public UUID, referenced by every other table's tenant_id.
    sa.Column("tenant_id", TenantId(), nullable=False, index=True, unique=True),
    sa.Column("slug", sa.String(63), nullable=False, unique=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("plan", sa.String(32), nullable=False, server_default="free"),
    sa.Column("is_active", sa.Boolean, nullable=False),
    sa.Column("contact_email", sa.String(320), nullable=True),
    sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.text("CURRENT_TIMESTAMP"),
    ),
    sa.CheckConstraint("plan IN ('free', 'team', 'enterprise')", name="plan_known"),
)
