"""no downgrade

Revision ID: 0063noxdowng
Revises:
Create Date: 2023-01-13 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0063noxdowng'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("badges", sa.Column("rarity", sa.SmallInteger(), nullable=True))
