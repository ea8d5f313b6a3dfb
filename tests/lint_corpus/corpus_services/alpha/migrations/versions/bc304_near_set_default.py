"""changes a default, and drops one of a column it adds

Revision ID: bc304_near_set_default
Revises: alpha_base
"""
# near-miss: BC304
from alembic import op
import sqlalchemy as sa

revision = 'bc304_near_set_default'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("accounts", "status", existing_type=sa.String(length=16),
                    server_default="pending")
    op.add_column("sessions", sa.Column("client", sa.String(length=16), server_default="web",
                                        nullable=True))
    op.alter_column("sessions", "client", existing_type=sa.String(length=16),
                    server_default=None)


def downgrade() -> None:
    op.drop_column("sessions", "client")
