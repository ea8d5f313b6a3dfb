"""a revision that imports something that is not there

Revision ID: ln903_cannot_load
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa
import corpus_no_such_module  # <- LN903

revision = 'ln903_cannot_load'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("tier", sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.drop_column("accounts", "tier")
