"""offline guard

Revision ID: 0025offlinex
Revises:
Create Date: 2023-08-15 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0025offlinex'
down_revision = None
branch_labels = None
depends_on = None

from alembic import context


def upgrade():
    op.add_column("reports", sa.Column("checksum", sa.String(64), nullable=True))
    if not context.is_offline_mode():
        rows = op.get_bind().execute(sa.text("SELECT id FROM reports")).fetchall()
        print(len(rows))


def downgrade():
    op.drop_column("reports", "checksum")
