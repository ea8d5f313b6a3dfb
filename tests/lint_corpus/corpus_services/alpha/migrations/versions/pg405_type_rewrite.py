"""type changes that rewrite the table

Revision ID: pg405_type_rewrite
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'pg405_type_rewrite'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column(  # <- PG405
        "accounts", "status", type_=sa.Integer(), existing_type=sa.String(length=16),
        postgresql_using="status::integer",
    )
    op.alter_column(  # <- PG405
        "accounts", "name", type_=sa.String(length=50), existing_type=sa.String(length=100)
    )
    op.alter_column("accounts", "notes", type_=sa.String(length=200))  # <- PG405


def downgrade() -> None:
    op.alter_column("accounts", "notes", type_=sa.Text(), existing_type=sa.String(length=200))
    op.alter_column(
        "accounts", "name", type_=sa.String(length=100), existing_type=sa.String(length=50)
    )
    op.alter_column(
        "accounts", "status", type_=sa.String(length=16), existing_type=sa.Integer()
    )
