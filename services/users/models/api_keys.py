"""The ``api_keys`` table: hashed API keys a user authenticates machines with."""
import sqlalchemy as sa

from services.users.models import metadata
from shared_db import TenantId

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", TenantId(), nullable=False, index=True),
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("prefix", sa.String(12), nullable=False, unique=True),
    sa.Column("key_hash", sa.String(128), nullable=False),
    sa.Column("label", sa.String(64), nullable=True),
    sa.Column("usage_count", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("revoked", sa.Boolean, nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.text("CURRENT_TIMESTAMP"),
    ),
)
