"""empties a table

Revision ID: ds104_delete_all
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'ds104_delete_all'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("TRUNCATE TABLE sessions")  # <- DS104
    connection = op.get_bind()
    connection.execute(sa.text("DELETE FROM sessions"))  # <- DS104


def downgrade() -> None:
    raise NotImplementedError("deleted sessions cannot come back")
