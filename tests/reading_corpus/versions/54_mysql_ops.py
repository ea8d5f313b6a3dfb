"""mysql ops

Revision ID: 0054mysqlxop
Revises:
Create Date: 2023-01-14 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0054mysqlxop'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("orders", sa.Column("weight_g", sa.Integer(), nullable=True))
    op.drop_index("ix_orders_old", table_name="orders")


def downgrade():
    op.create_index("ix_orders_old", "orders", ["placed_at"])
    op.drop_column("orders", "weight_g")
