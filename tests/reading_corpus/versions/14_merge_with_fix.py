"""merge with fix

Revision ID: 0014mergexwi
Revises:
Create Date: 2023-06-14 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0014mergexwi'
down_revision = ('cccc00000003', 'dddd00000004')
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE feature_flags SET enabled = false WHERE name = 'beta'")


def downgrade():
    pass
