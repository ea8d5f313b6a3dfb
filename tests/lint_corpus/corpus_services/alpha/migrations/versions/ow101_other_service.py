"""alpha changes beta's payments table

Revision ID: ow101_other_service
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'ow101_other_service'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("payments", sa.Column("memo", sa.Text(), nullable=True))  # <- OW101
    op.execute("UPDATE payments SET amount = 0 WHERE amount < 0")  # <- OW101


def downgrade() -> None:
    op.drop_column("payments", "memo")  # <- OW101
