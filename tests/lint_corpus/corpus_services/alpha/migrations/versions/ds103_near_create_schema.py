"""creates a schema; only its downgrade drops it

Revision ID: ds103_near_create_schema
Revises: alpha_base
"""
# near-miss: DS103, PF502
from alembic import op
import sqlalchemy as sa

revision = 'ds103_near_create_schema'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS reporting")


def downgrade() -> None:
    op.execute("DROP SCHEMA reporting")
