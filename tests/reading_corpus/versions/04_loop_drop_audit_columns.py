"""loop drop audit columns

Revision ID: 0004loopxdro
Revises:
Create Date: 2023-05-14 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0004loopxdro'
down_revision = None
branch_labels = None
depends_on = None

AUDITED = ["accounts", "contacts", "deals"]


def upgrade():
    for table in AUDITED:
        op.drop_column(table, "modified_by")


def downgrade():
    for table in reversed(AUDITED):
        op.add_column(table, sa.Column("modified_by", sa.Integer(), nullable=True))
