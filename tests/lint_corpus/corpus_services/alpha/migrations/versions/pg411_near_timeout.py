"""the same, with a lock_timeout set first; a foreign key takes a weaker lock

Revision ID: pg411_near_timeout
Revises: alpha_base
"""
# near-miss: PG411
from alembic import op
import sqlalchemy as sa

revision = 'pg411_near_timeout'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_foreign_key("fk_sessions_account", "sessions", "accounts", ["account_id"], ["id"],
                          postgresql_not_valid=True)
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.alter_column("accounts", "email", type_=sa.String(length=400),
                    existing_type=sa.String(length=320), existing_nullable=False)


def downgrade() -> None:
    op.drop_constraint("fk_sessions_account", "sessions", type_="foreignkey")
