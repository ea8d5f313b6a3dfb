"""the same revision on PostgreSQL, where DDL is transactional

Revision ID: pf503_near_postgresql
Revises: alpha_base
"""
# near-miss: PF503
from alembic import op
import sqlalchemy as sa

revision = 'pf503_near_postgresql'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("tier", sa.String(length=16), nullable=True))
    op.execute("UPDATE accounts SET tier = 'basic'")  # <- DD204


def downgrade() -> None:
    op.drop_column("accounts", "tier")
