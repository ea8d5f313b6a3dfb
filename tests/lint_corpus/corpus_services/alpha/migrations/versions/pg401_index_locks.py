"""builds an index on a live table inside the transaction

Revision ID: pg401_index_locks
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'pg401_index_locks'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_accounts_name", "accounts", ["name"])  # <- PG401


def downgrade() -> None:
    op.drop_index("ix_accounts_name", table_name="accounts")
