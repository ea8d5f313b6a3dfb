"""adds NOT NULL columns without a default to a table with rows

Revision ID: dd201_not_null_column
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'dd201_not_null_column'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("tier", sa.String(length=16), nullable=False))  # <- DD201
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("ip", sa.String(length=45), nullable=False))  # <- DD201


def downgrade() -> None:
    op.drop_column("sessions", "ip")
    op.drop_column("accounts", "tier")
