"""one new table with its index on MySQL, and several changes on PostgreSQL

Revision ID: nt601_near_new_table
Revises: alpha_base
"""
# near-miss: NT601
# dialect: mysql
from alembic import op
import sqlalchemy as sa

revision = 'nt601_near_new_table'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("regions", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("code", sa.String(length=8), nullable=False))
    op.create_index("ix_regions_code", "regions", ["code"], unique=True)


def downgrade() -> None:
    op.drop_table("regions")
