"""unique constraints on columns that already hold data

Revision ID: dd203_unique_existing
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'dd203_unique_existing'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_unique_constraint("uq_accounts_name", "accounts", ["name"])  # <- DD203, PG407
    op.create_index(  # <- DD203, PG401
        "ix_accounts_legacy_code", "accounts", ["legacy_code"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ix_accounts_legacy_code", table_name="accounts")
    op.drop_constraint("uq_accounts_name", "accounts", type_="unique")
