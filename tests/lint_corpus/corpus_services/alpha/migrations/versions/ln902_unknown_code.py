"""suppressions that do not parse or name no rule

Revision ID: ln902_unknown_code
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'ln902_unknown_code'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # orchestrate: allow XX999 -- typo in the code
    # ^ LN902
    op.drop_column("accounts", "legacy_code")  # <- DS102
    # orchestrate: allowed DS102 -- misspelt keyword
    # ^ LN902
    op.drop_column("accounts", "notes")  # <- DS102


def downgrade() -> None:
    op.add_column("accounts", sa.Column("notes", sa.Text(), nullable=True))
    op.add_column("accounts", sa.Column("legacy_code", sa.String(length=20), nullable=True))
