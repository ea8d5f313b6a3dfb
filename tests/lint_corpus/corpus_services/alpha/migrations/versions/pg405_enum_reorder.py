"""re-orders an enum's values: the plugin re-creates the type and casts every column

Revision ID: pg405_enum_reorder
Revises: alpha_base
"""
# near-miss: LN904, DS105
from alembic import op
import sqlalchemy as sa
from alembic_postgresql_enum import TableReference

revision = 'pg405_enum_reorder'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.sync_enum_values(  # <- PG405
        "public", "account_status", ["active", "suspended", "closed"],
        [TableReference(table_schema="public", table_name="accounts", column_name="status")],
        enum_values_to_rename=[],
    )


def downgrade() -> None:
    op.sync_enum_values(
        "public", "account_status", ["active", "closed"],
        [TableReference(table_schema="public", table_name="accounts", column_name="status")],
        enum_values_to_rename=[],
    )
