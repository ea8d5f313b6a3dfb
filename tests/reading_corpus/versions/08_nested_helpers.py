"""nested helpers

Revision ID: 0008nestedxh
Revises:
Create Date: 2023-09-18 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0008nestedxh'
down_revision = None
branch_labels = None
depends_on = None


def _id():
    return sa.Column("id", sa.Integer(), primary_key=True)


def _lookup(name, *values):
    table = op.create_table(name, _id(), sa.Column("code", sa.String(32), nullable=False, unique=True))
    op.bulk_insert(table, [{"code": v} for v in values])


def upgrade():
    _lookup("ticket_priorities", "low", "normal", "high")
    _lookup("ticket_states", "open", "closed")


def downgrade():
    op.drop_table("ticket_states")
    op.drop_table("ticket_priorities")
