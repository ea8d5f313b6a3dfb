"""sqlite add only batch

Revision ID: 0061sqlitexa
Revises:
Create Date: 2023-08-11 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0061sqlitexa'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pinned", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_column("pinned")
