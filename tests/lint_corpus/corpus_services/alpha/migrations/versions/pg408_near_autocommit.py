"""the same value added outside the transaction, and on PostgreSQL 12+

Revision ID: pg408_near_autocommit
Revises: alpha_base
"""
# near-miss: PG408, PG409
# pg-version: 11
from alembic import op
import sqlalchemy as sa

revision = 'pg408_near_autocommit'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE account_status ADD VALUE IF NOT EXISTS 'frozen'")
    op.execute("UPDATE accounts SET status = 'frozen' WHERE balance < -1000")


def downgrade() -> None:
    raise NotImplementedError("PostgreSQL cannot drop an enum value")
