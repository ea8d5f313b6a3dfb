"""check constraint

Revision ID: 0030checkxco
Revises:
Create Date: 2023-04-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0030checkxco'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_check_constraint("ck_prices_positive", "prices", "amount >= 0")


def downgrade():
    op.drop_constraint("ck_prices_positive", "prices", type_="check")
