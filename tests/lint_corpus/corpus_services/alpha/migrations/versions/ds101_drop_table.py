"""alpha drops a table its models no longer have

Revision ID: ds101_drop_table
Revises: alpha_base
"""
# near-miss: OW103
from alembic import op
import sqlalchemy as sa

revision = 'ds101_drop_table'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("legacy_notes")  # <- DS101
    op.execute("DROP TABLE IF EXISTS sessions")  # <- DS101, PF502


def downgrade() -> None:
    op.create_table(
        "legacy_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
