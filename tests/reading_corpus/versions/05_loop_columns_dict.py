"""loop columns dict

Revision ID: 0005loopxcol
Revises:
Create Date: 2023-06-15 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0005loopxcol'
down_revision = None
branch_labels = None
depends_on = None

NEW_COLUMNS = {
    "timezone": sa.String(64),
    "locale": sa.String(16),
}


def upgrade():
    for name, type_ in NEW_COLUMNS.items():
        op.add_column("user_settings", sa.Column(name, type_, nullable=True))


def downgrade():
    for name in NEW_COLUMNS:
        op.drop_column("user_settings", name)
