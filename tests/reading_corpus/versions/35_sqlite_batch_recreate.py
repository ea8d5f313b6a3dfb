"""sqlite batch recreate

Revision ID: 0035sqlitexb
Revises:
Create Date: 2023-09-15 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0035sqlitexb'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("profiles", recreate="always") as batch_op:
        batch_op.alter_column("bio", type_=sa.Text(), existing_type=sa.String(255))
        batch_op.drop_column("avatar_blob")


def downgrade():
    with op.batch_alter_table("profiles") as batch_op:
        batch_op.add_column(sa.Column("avatar_blob", sa.LargeBinary(), nullable=True))
