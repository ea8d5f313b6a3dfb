"""a suppression without a reason silences nothing

Revision ID: ds102_no_reason
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'ds102_no_reason'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # orchestrate: allow DS102
    # ^ LN901
    op.drop_column("accounts", "legacy_code")  # <- DS102


def downgrade() -> None:
    op.add_column("accounts", sa.Column("legacy_code", sa.String(length=20), nullable=True))
