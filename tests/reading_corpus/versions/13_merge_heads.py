"""merge heads

Revision ID: 0013mergexhe
Revises:
Create Date: 2023-05-13 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0013mergexhe'
down_revision = ('aaaa00000001', 'bbbb00000002')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
