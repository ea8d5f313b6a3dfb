"""raw rename table

Revision ID: 0052rawxrena
Revises:
Create Date: 2023-08-12 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0052rawxrena'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute('ALTER TABLE "Customer" RENAME TO customers')


def downgrade():
    op.execute('ALTER TABLE customers RENAME TO "Customer"')
