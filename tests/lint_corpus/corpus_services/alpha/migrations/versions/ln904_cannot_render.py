"""an online-only data migration that breaks offline rendering

Revision ID: ln904_cannot_render
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'ln904_cannot_render'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    result = connection.execute(sa.text("SELECT count(*) FROM accounts"))
    if result.scalar() > 0:  # <- LN904
        op.execute("UPDATE accounts SET status = 'active'")


def downgrade() -> None:
    raise NotImplementedError("data fix")
