"""validates a new check constraint against every row at once

Revision ID: pg404_check
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'pg404_check'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_check_constraint("balance_positive", "accounts", "balance >= 0")  # <- PG404


def downgrade() -> None:
    op.drop_constraint("ck_accounts_balance_positive", "accounts", type_="check")
