"""invoke operation

Revision ID: 0058invokexo
Revises:
Create Date: 2023-05-18 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0058invokexo'
down_revision = None
branch_labels = None
depends_on = None

from alembic.operations import ops


def upgrade():
    op.invoke(ops.AddColumnOp("kiosks", sa.Column("serial", sa.String(32), nullable=True)))


def downgrade():
    op.invoke(ops.DropColumnOp("kiosks", "serial"))
