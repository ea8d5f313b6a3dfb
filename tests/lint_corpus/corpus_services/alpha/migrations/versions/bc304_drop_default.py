"""drops a default that inserts rely on

Revision ID: bc304_drop_default
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'bc304_drop_default'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("accounts", "status", existing_type=sa.String(length=16),  # <- BC304
                    server_default=None)
    op.execute("ALTER TABLE accounts ALTER COLUMN balance DROP DEFAULT")  # <- BC304, PF502


def downgrade() -> None:
    op.alter_column("accounts", "status", existing_type=sa.String(length=16),
                    server_default="active")
