"""batch copy from

Revision ID: 0036batchxco
Revises:
Create Date: 2023-01-16 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0036batchxco'
down_revision = None
branch_labels = None
depends_on = None

accounts = sa.Table("accounts", sa.MetaData(),
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("nickname", sa.String(40)))


def upgrade():
    with op.batch_alter_table("accounts", copy_from=accounts) as batch_op:
        batch_op.alter_column("nickname", new_column_name="handle")


def downgrade():
    pass
