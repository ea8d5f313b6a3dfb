"""an upgrade that cannot be undone by accident

Revision ID: pf505_empty_downgrade
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'pf505_empty_downgrade'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("tier", sa.String(length=16), nullable=True))


def downgrade() -> None:  # <- PF505
    """Nothing."""
    pass
