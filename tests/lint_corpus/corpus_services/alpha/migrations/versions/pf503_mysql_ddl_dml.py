"""DDL and DML together on MySQL

Revision ID: pf503_mysql_ddl_dml
Revises: alpha_base
"""
# dialect: mysql
from alembic import op
import sqlalchemy as sa

revision = 'pf503_mysql_ddl_dml'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("tier", sa.String(length=16), nullable=True))
    op.execute("UPDATE accounts SET tier = 'basic'")  # <- PF503, DD204


def downgrade() -> None:
    op.drop_column("accounts", "tier")
