"""back-fills live tables in one statement each

Revision ID: dd204_backfill
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'dd204_backfill'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None

accounts = sa.table("accounts", sa.column("balance", sa.Numeric))


def upgrade() -> None:
    op.execute("UPDATE sessions SET created_at = now()")  # <- DD204
    op.get_bind().execute(accounts.update().values(balance=0))  # <- DD204
    op.execute("UPDATE accounts SET notes = '' WHERE notes IS NULL OR legacy_code IS NULL")  # <- DD204


def downgrade() -> None:
    raise NotImplementedError("data fix")
