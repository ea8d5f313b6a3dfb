"""plugin sync enum values

Revision ID: 0015pluginxs
Revises:
Create Date: 2023-07-15 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0015pluginxs'
down_revision = None
branch_labels = None
depends_on = None

from alembic_postgresql_enum import TableReference


def upgrade():
    op.sync_enum_values(
        enum_schema="public",
        enum_name="order_status",
        new_values=["new", "paid", "shipped", "refunded"],
        affected_columns=[TableReference(table_schema="public", table_name="orders", column_name="status")],
        enum_values_to_rename=[],
    )


def downgrade():
    op.sync_enum_values(
        enum_schema="public",
        enum_name="order_status",
        new_values=["new", "paid", "shipped"],
        affected_columns=[TableReference(table_schema="public", table_name="orders", column_name="status")],
        enum_values_to_rename=[],
    )
