"""a file-wide suppression for a table with no live traffic

Revision ID: ln_allow_file
Revises: alpha_base
"""
# near-miss: PG401, PG402
# orchestrate: allow-file PG401, PG402 -- accounts is only read by the nightly report job
from alembic import op
import sqlalchemy as sa

revision = 'ln_allow_file'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_accounts_name", "accounts", ["name"])
    op.create_index("ix_accounts_email", "accounts", ["email"])


def downgrade() -> None:
    op.drop_index("ix_accounts_email", table_name="accounts")
    op.drop_index("ix_accounts_name", table_name="accounts")
