"""no downgrade at all

Revision ID: pf505_missing_downgrade
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'pf505_missing_downgrade'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:  # <- PF505
    op.add_column("accounts", sa.Column("tier", sa.String(length=16), nullable=True))
