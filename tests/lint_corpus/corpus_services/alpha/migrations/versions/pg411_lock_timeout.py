"""widens a column and renames a constraint with no lock_timeout

Revision ID: pg411_lock_timeout
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'pg411_lock_timeout'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("accounts", "email", type_=sa.String(length=400),  # <- PG411
                    existing_type=sa.String(length=320), existing_nullable=False)
    op.execute("ALTER TABLE sessions RENAME CONSTRAINT uq_sessions_token TO uq_sessions_tok")  # <- PF502


def downgrade() -> None:
    op.alter_column("accounts", "email", type_=sa.String(length=320),
                    existing_type=sa.String(length=400), existing_nullable=False)
