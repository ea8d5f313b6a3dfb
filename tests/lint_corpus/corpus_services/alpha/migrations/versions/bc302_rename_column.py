"""renames columns

Revision ID: bc302_rename_column
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'bc302_rename_column'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column(  # <- BC302
        "accounts", "name", new_column_name="display_name", existing_type=sa.String(length=100)
    )
    op.execute("ALTER TABLE accounts RENAME COLUMN notes TO remarks")  # <- BC302, PF502


def downgrade() -> None:
    op.alter_column("accounts", "remarks", new_column_name="notes")
    op.alter_column("accounts", "display_name", new_column_name="name")
