"""the same index build, checked for SQLite

Revision ID: pg_near_on_sqlite
Revises: alpha_base
"""
# near-miss: PG401, PG404
# dialect: sqlite
from alembic import op
import sqlalchemy as sa

revision = 'pg_near_on_sqlite'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_accounts_name", "accounts", ["name"])
    op.create_check_constraint("balance_positive", "accounts", "balance >= 0")  # <- LN904


def downgrade() -> None:
    op.drop_index("ix_accounts_name", table_name="accounts")
