"""drop index no table

Revision ID: 0031dropxind
Revises:
Create Date: 2023-05-11 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0031dropxind'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_old_lookup")


def downgrade():
    op.create_index("ix_old_lookup", "lookups", ["key"])
