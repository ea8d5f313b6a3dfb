"""deletes only expired sessions

Revision ID: ds104_near_delete_where
Revises: alpha_base
"""
# near-miss: DS104, PF502, PF505
from alembic import op
import sqlalchemy as sa

revision = 'ds104_near_delete_where'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM sessions WHERE created_at < '2020-01-01'")


def downgrade() -> None:
    raise NotImplementedError("deleted sessions cannot come back")
