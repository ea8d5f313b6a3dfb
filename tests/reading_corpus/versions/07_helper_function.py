"""helper function

Revision ID: 0007helperxf
Revises:
Create Date: 2023-08-17 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0007helperxf'
down_revision = None
branch_labels = None
depends_on = None


def _timestamps(table):
    op.add_column(table, sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False))
    op.add_column(table, sa.Column("updated_at", sa.DateTime(), nullable=True))


def upgrade():
    _timestamps("teams")
    _timestamps("memberships")


def downgrade():
    for table in ("memberships", "teams"):
        op.drop_column(table, "updated_at")
        op.drop_column(table, "created_at")
