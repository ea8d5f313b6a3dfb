"""module constants

Revision ID: 0006modulexc
Revises:
Create Date: 2023-07-16 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0006modulexc'
down_revision = None
branch_labels = None
depends_on = None

TABLE = "subscriptions"
COLUMN = "trial_ends_at"
INDEX = "ix_subscriptions_trial_ends_at"


def upgrade():
    op.add_column(TABLE, sa.Column(COLUMN, sa.DateTime(), nullable=True))
    op.create_index(INDEX, TABLE, [COLUMN])


def downgrade():
    op.drop_index(INDEX, table_name=TABLE)
    op.drop_column(TABLE, COLUMN)
