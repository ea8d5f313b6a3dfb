"""validates a new foreign key against every row at once

Revision ID: pg403_foreign_key
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'pg403_foreign_key'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("device_account_id", sa.Integer(), nullable=True))
    op.create_foreign_key(  # <- PG403
        "fk_sessions_device_account_id_accounts", "sessions", "accounts",
        ["device_account_id"], ["id"],
    )


def downgrade() -> None:
    op.drop_constraint("fk_sessions_device_account_id_accounts", "sessions", type_="foreignkey")
    op.drop_column("sessions", "device_account_id")
