"""a unique constraint on a column added in the same revision

Revision ID: dd203_near_new_column
Revises: alpha_base
"""
# near-miss: DD203, DD201
from alembic import op
import sqlalchemy as sa

revision = 'dd203_near_new_column'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("external_id", sa.String(length=36), nullable=True))
    op.create_unique_constraint("uq_accounts_external_id", "accounts", ["external_id"])  # <- PG407


def downgrade() -> None:
    op.drop_constraint("uq_accounts_external_id", "accounts", type_="unique")
    op.drop_column("accounts", "external_id")
