"""NOT NULL columns that fill themselves

Revision ID: dd201_near_default
Revises: alpha_base
"""
# near-miss: DD201, PG406
from alembic import op
import sqlalchemy as sa

revision = 'dd201_near_default'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "accounts",
        sa.Column("tier", sa.String(length=16), server_default="basic", nullable=False),
    )
    op.add_column("accounts", sa.Column("nickname", sa.String(length=40), nullable=True))
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("plans")
    op.drop_column("accounts", "nickname")
    op.drop_column("accounts", "tier")
