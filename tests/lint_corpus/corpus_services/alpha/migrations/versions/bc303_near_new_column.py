"""relaxes a column it adds itself; columns already nullable

Revision ID: bc303_near_new_column
Revises: alpha_base
"""
# near-miss: BC303
from alembic import op
import sqlalchemy as sa

revision = 'bc303_near_new_column'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("tier", sa.String(length=16), server_default="basic",
                                        nullable=False))
    op.alter_column("accounts", "tier", existing_type=sa.String(length=16), nullable=True)
    op.alter_column("accounts", "name", existing_type=sa.String(length=100), nullable=True,
                    existing_nullable=True, comment="display name")
    # the history created notes NULL-able: making sure of it relaxes nothing
    op.alter_column("accounts", "notes", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    op.drop_column("accounts", "tier")
