"""indexes built and dropped concurrently

Revision ID: pg401_near_concurrently
Revises: alpha_base
"""
# near-miss: PG401, PG402, PG413
from alembic import op
import sqlalchemy as sa

revision = 'pg401_near_concurrently'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.create_index("ix_accounts_name", "accounts", ["name"], postgresql_concurrently=True)
        op.drop_index("ix_sessions_account_id", table_name="sessions",
                      postgresql_concurrently=True)


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.create_index("ix_sessions_account_id", "sessions", ["account_id"],
                        postgresql_concurrently=True)
        op.drop_index("ix_accounts_name", table_name="accounts", postgresql_concurrently=True)
