"""a new value in the transaction is fine from PostgreSQL 12 on

Revision ID: pg408_near_pg12
Revises: alpha_base
"""
# near-miss: PG408, PG409
# pg-version: 12
from alembic import op
import sqlalchemy as sa

revision = 'pg408_near_pg12'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TYPE account_status ADD VALUE 'frozen' BEFORE 'closed'")


def downgrade() -> None:
    raise NotImplementedError("PostgreSQL cannot drop an enum value")
