"""the same data migration, guarded for offline mode

Revision ID: ln904_near_offline_guard
Revises: alpha_base
"""
# near-miss: LN904
from alembic import op
import sqlalchemy as sa
from alembic import context

revision = 'ln904_near_offline_guard'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if not context.is_offline_mode():
        connection = op.get_bind()
        result = connection.execute(sa.text("SELECT count(*) FROM accounts"))
        if result.scalar() > 0:
            op.execute("UPDATE accounts SET status = 'active'")


def downgrade() -> None:
    raise NotImplementedError("data fix")
