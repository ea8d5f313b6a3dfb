"""constant defaults, and a volatile default set afterwards

Revision ID: pg406_near_constant_default
Revises: alpha_base
"""
# near-miss: PG406, DD201
from alembic import op
import sqlalchemy as sa

revision = 'pg406_near_constant_default'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("region", sa.String(length=8), server_default="eu"))
    op.add_column(
        "accounts",
        sa.Column("joined_at", sa.DateTime(timezone=True), server_default=sa.text("now()")),
    )
    op.add_column("accounts", sa.Column("public_id", sa.String(length=36), nullable=True))
    op.alter_column("accounts", "public_id", server_default=sa.text("gen_random_uuid()"))


def downgrade() -> None:
    op.drop_column("accounts", "public_id")
    op.drop_column("accounts", "joined_at")
    op.drop_column("accounts", "region")
