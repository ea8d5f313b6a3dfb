"""raw drop tables

Revision ID: 0051rawxdrop
Revises:
Create Date: 2023-07-11 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0051rawxdrop'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DROP TABLE IF EXISTS old_a, old_b CASCADE")


def downgrade():
    pass
