"""computed identifiers

Revision ID: 0032computed
Revises:
Create Date: 2023-06-12 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0032computed'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("t_" + "metrics", sa.Column("p99_" + "ms", sa.Float(), nullable=True))


def downgrade():
    op.drop_column("t_metrics", "p99_ms")
