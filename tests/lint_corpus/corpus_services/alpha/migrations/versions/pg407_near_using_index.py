"""the unique index built concurrently first, then attached with USING INDEX

Revision ID: pg407_near_using_index
Revises: alpha_base
"""
# near-miss: PG407, PF502, PG413
from alembic import op
import sqlalchemy as sa

revision = 'pg407_near_using_index'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.create_index("ix_sessions_account_token", "sessions", ["account_id", "token"],  # <- DD203
                        unique=True, postgresql_concurrently=True)
    op.execute("SET LOCAL lock_timeout = '3s'")
    op.execute("ALTER TABLE sessions ADD CONSTRAINT uq_sessions_account_token "
               "UNIQUE USING INDEX ix_sessions_account_token")


def downgrade() -> None:
    op.drop_constraint("uq_sessions_account_token", "sessions", type_="unique")
