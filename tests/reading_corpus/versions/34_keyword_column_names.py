"""keyword column names

Revision ID: 0034keywordx
Revises:
Create Date: 2023-08-14 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0034keywordx'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("assets", sa.Column("type", sa.String(20), nullable=True))
    op.add_column("assets", sa.Column("order", sa.Integer(), nullable=True))
    op.alter_column("assets", "type", nullable=False, existing_type=sa.String(20))


def downgrade():
    op.drop_column("assets", "order")
    op.drop_column("assets", "type")
