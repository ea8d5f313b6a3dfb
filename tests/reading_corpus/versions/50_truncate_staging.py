"""truncate staging

Revision ID: 0050truncate
Revises:
Create Date: 2023-06-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0050truncate'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("TRUNCATE TABLE staging_rows, staging_batches")


def downgrade():
    pass
