"""drops an index without CONCURRENTLY

Revision ID: pg402_drop_index
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'pg402_drop_index'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_sessions_account_id", table_name="sessions")  # <- PG402


def downgrade() -> None:
    op.create_index("ix_sessions_account_id", "sessions", ["account_id"])
