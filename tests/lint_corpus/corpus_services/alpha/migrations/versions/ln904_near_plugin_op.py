"""a plugin's operation the revision does not import (the workspace's env loads it)

Revision ID: ln904_near_plugin_op
Revises: alpha_base
"""
# near-miss: LN904, DS105
from alembic import op

revision = 'ln904_near_plugin_op'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.sync_enum_values("public", "session_kind", ["web", "api", "cli"], [],
                        enum_values_to_rename=[])


def downgrade() -> None:
    op.sync_enum_values("public", "session_kind", ["web", "api"], [],
                        enum_values_to_rename=[])
