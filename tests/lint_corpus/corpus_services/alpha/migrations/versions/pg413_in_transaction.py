"""CONCURRENTLY without leaving the transaction

Revision ID: pg413_in_transaction
Revises: alpha_base
"""
# near-miss: PG401, PG402
from alembic import op
import sqlalchemy as sa

revision = 'pg413_in_transaction'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_sessions_created_at", "sessions", ["created_at"],  # <- PG413
                    postgresql_concurrently=True)
    op.execute("DROP INDEX CONCURRENTLY ix_sessions_account_id")  # <- PG413, PF502


def downgrade() -> None:
    op.drop_index("ix_sessions_created_at", table_name="sessions")
