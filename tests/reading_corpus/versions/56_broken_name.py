"""broken name

Revision ID: 0056brokenxn
Revises:
Create Date: 2023-03-16 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0056brokenxn'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("gadgets", sa.Column("size", sa.Integer(), nullable=True))
    op.drop_column("gadgets", UNDEFINED_COLUMN)


def downgrade():
    op.drop_column("gadgets", "size")
