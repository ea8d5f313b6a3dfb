"""raw DDL where op directives exist

Revision ID: pf502_raw_ddl
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'pf502_raw_ddl'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE accounts ADD COLUMN nickname VARCHAR(40)")  # <- PF502
    op.execute(  # <- PF502, PG401
        "CREATE INDEX ix_accounts_nickname ON accounts (nickname)"
    )


def downgrade() -> None:
    op.drop_index("ix_accounts_nickname", table_name="accounts")
    op.drop_column("accounts", "nickname")
