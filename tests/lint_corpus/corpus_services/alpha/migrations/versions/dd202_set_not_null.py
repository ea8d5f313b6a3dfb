"""sets NOT NULL without a back-fill

Revision ID: dd202_set_not_null
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'dd202_set_not_null'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column(  # <- DD202
        "accounts", "name", existing_type=sa.String(length=100), nullable=False
    )
    op.add_column("sessions", sa.Column("agent", sa.String(length=200), nullable=True))
    op.alter_column("sessions", "agent", nullable=False)  # <- DD202


def downgrade() -> None:
    op.drop_column("sessions", "agent")
    op.alter_column("accounts", "name", existing_type=sa.String(length=100), nullable=True)
