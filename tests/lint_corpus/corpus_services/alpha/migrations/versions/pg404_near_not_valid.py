"""constraints added NOT VALID, validated separately

Revision ID: pg404_near_not_valid
Revises: alpha_base
"""
# near-miss: PG404, PF502
from alembic import op
import sqlalchemy as sa

revision = 'pg404_near_not_valid'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_check_constraint(
        "balance_positive", "accounts", "balance >= 0", postgresql_not_valid=True
    )
    op.execute("ALTER TABLE accounts VALIDATE CONSTRAINT ck_accounts_balance_positive")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def downgrade() -> None:
    op.drop_constraint("ck_accounts_balance_positive", "accounts", type_="check")
