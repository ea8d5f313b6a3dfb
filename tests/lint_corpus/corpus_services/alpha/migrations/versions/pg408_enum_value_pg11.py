"""a new status value, written for a PostgreSQL 11 server

Revision ID: pg408_enum_value_pg11
Revises: alpha_base
"""
# pg-version: 11
from alembic import op
import sqlalchemy as sa

revision = 'pg408_enum_value_pg11'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TYPE account_status ADD VALUE 'frozen' AFTER 'active'")  # <- PG408


def downgrade() -> None:
    raise NotImplementedError("PostgreSQL cannot drop an enum value")
