"""type changes PostgreSQL makes without touching rows

Revision ID: pg405_near_in_place
Revises: alpha_base
"""
# near-miss: PG405
from alembic import op
import sqlalchemy as sa

revision = 'pg405_near_in_place'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column(
        "accounts", "name", type_=sa.String(length=200), existing_type=sa.String(length=100)
    )
    op.alter_column("accounts", "email", type_=sa.Text(), existing_type=sa.String(length=320))
    op.alter_column(
        "accounts", "balance", type_=sa.Numeric(precision=14, scale=2),
        existing_type=sa.Numeric(precision=12, scale=2),
    )


def downgrade() -> None:
    op.alter_column(
        "accounts", "balance", type_=sa.Numeric(precision=12, scale=2),
        existing_type=sa.Numeric(precision=14, scale=2),
    )
    op.alter_column(
        "accounts", "email", type_=sa.String(length=320), existing_type=sa.Text()
    )
    op.alter_column(
        "accounts", "name", type_=sa.String(length=100), existing_type=sa.String(length=200)
    )
