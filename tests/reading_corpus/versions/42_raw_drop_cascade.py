"""raw drop cascade

Revision ID: 0042rawxdrop
Revises:
Create Date: 2023-07-12 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0042rawxdrop'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE products DROP COLUMN legacy_price CASCADE")


def downgrade():
    op.add_column("products", sa.Column("legacy_price", sa.Numeric(10, 2), nullable=True))
