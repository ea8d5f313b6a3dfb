"""renames a table

Revision ID: bc301_rename_table
Revises: alpha_base
"""
# near-miss: OW103
from alembic import op
import sqlalchemy as sa

revision = 'bc301_rename_table'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.rename_table("sessions", "user_sessions")  # <- BC301


def downgrade() -> None:
    op.rename_table("user_sessions", "sessions")
