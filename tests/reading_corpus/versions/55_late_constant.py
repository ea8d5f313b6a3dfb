"""late constant

Revision ID: 0055latexcon
Revises:
Create Date: 2023-02-15 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0055latexcon'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_column(TABLE, "obsolete")


def downgrade():
    op.add_column(TABLE, sa.Column("obsolete", sa.Boolean(), nullable=True))


TABLE = "machines"
