"""drops with suppressions that give reasons

Revision ID: ds102_suppressed
Revises: alpha_base
"""
# near-miss: DS102, LN901, LN902
from alembic import op
import sqlalchemy as sa

revision = 'ds102_suppressed'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # orchestrate: allow DS102 -- legacy_code unused since v41, archived to S3 first
    op.drop_column("accounts", "legacy_code")
    op.drop_column(
        "accounts",
        "notes",
    )  # orchestrate: allow DS102 -- notes moved to the CRM, see ticket 812


def downgrade() -> None:
    op.add_column("accounts", sa.Column("notes", sa.Text(), nullable=True))
    op.add_column("accounts", sa.Column("legacy_code", sa.String(length=20), nullable=True))
