"""relaxes NOT NULL on columns old code reads

Revision ID: bc303_drop_not_null
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'bc303_drop_not_null'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("accounts", "email", existing_type=sa.String(length=320), nullable=True)  # <- BC303
    op.execute("ALTER TABLE sessions ALTER COLUMN token DROP NOT NULL")  # <- BC303, PF502


def downgrade() -> None:
    op.alter_column("accounts", "email", existing_type=sa.String(length=320), nullable=False)
