"""two schema changes in one revision on MariaDB

Revision ID: nt601_several_ddl
Revises: alpha_base
"""
# dialect: mariadb
from alembic import op
import sqlalchemy as sa

revision = 'nt601_several_ddl'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("region", sa.String(length=16), nullable=True))
    op.drop_column("accounts", "legacy_code")  # <- NT601, DS102


def downgrade() -> None:
    op.add_column("accounts", sa.Column("legacy_code", sa.String(length=16), nullable=True))
    op.drop_column("accounts", "region")
