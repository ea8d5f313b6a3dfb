"""drops a schema

Revision ID: ds103_drop_schema
Revises: alpha_base
"""
# near-miss: PF502
from alembic import op
import sqlalchemy as sa

revision = 'ds103_drop_schema'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP SCHEMA reporting CASCADE")  # <- DS103
    op.execute(sa.schema.DropSchema("archive"))  # <- DS103


def downgrade() -> None:
    op.execute("CREATE SCHEMA archive")
    op.execute("CREATE SCHEMA reporting")
