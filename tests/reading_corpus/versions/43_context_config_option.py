"""context config option

Revision ID: 0043contextx
Revises:
Create Date: 2023-08-13 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0043contextx'
down_revision = None
branch_labels = None
depends_on = None

from alembic import context


def upgrade():
    if context.config.get_main_option("skip_heavy", "false") != "true":
        op.create_index("ix_heavy", "measurements", ["sensor_id", "taken_at"])


def downgrade():
    op.drop_index("ix_heavy", table_name="measurements")
