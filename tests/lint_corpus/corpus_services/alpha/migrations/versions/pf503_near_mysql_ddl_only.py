"""only DDL on MySQL

Revision ID: pf503_near_mysql_ddl_only
Revises: alpha_base
"""
# near-miss: PF503, PG401
# dialect: mysql
from alembic import op
import sqlalchemy as sa

revision = 'pf503_near_mysql_ddl_only'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("tier", sa.String(length=16), nullable=True))
    op.create_index("ix_accounts_tier", "accounts", ["tier"])  # <- NT601


def downgrade() -> None:
    op.drop_index("ix_accounts_tier", table_name="accounts")
    op.drop_column("accounts", "tier")
