"""adds a value and moves rows to it in the same transaction

Revision ID: pg409_new_value_used
Revises: alpha_base
"""
# near-miss: PG408
from alembic import op
import sqlalchemy as sa

revision = 'pg409_new_value_used'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None

frozen = sa.table("accounts", sa.column("status", sa.String), sa.column("balance", sa.Numeric))


def upgrade() -> None:
    op.execute("ALTER TYPE account_status ADD VALUE 'frozen'")
    op.execute(frozen.update().where(frozen.c.balance < -1000).values(status="frozen"))  # <- PG409


def downgrade() -> None:
    raise NotImplementedError("PostgreSQL cannot drop an enum value")
