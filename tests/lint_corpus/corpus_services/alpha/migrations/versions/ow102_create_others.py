"""alpha creates beta's table

Revision ID: ow102_create_others
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'ow102_create_others'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(  # <- OW102
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("payments")  # <- OW101
