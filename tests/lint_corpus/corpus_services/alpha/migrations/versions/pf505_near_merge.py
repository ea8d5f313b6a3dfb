"""a merge revision: nothing to do either way

Revision ID: pf505_near_merge
Revises: ds102_suppressed, pf503_near_postgresql
"""
# near-miss: PF505
from alembic import op
import sqlalchemy as sa

revision = 'pf505_near_merge'
down_revision = ('ds102_suppressed', 'pf503_near_postgresql')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
