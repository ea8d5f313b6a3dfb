"""irreversible

Revision ID: 0033irrevers
Revises:
Create Date: 2023-07-13 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0033irrevers'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("tmp_import")


def downgrade():
    raise NotImplementedError("the import table is gone for good")
