"""loop of helpers

Revision ID: 0049loopxofx
Revises:
Create Date: 2023-05-19 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0049loopxofx'
down_revision = None
branch_labels = None
depends_on = None


def _soft_delete(table):
    op.add_column(table, sa.Column("deleted_at", sa.DateTime(), nullable=True))
    op.create_index(f"ix_{table}_deleted_at", table, ["deleted_at"])


def upgrade():
    for table in ("files", "folders"):
        _soft_delete(table)


def downgrade():
    for table in ("folders", "files"):
        op.drop_index(f"ix_{table}_deleted_at", table_name=table)
        op.drop_column(table, "deleted_at")
