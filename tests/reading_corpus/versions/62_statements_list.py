"""statements list

Revision ID: 0062statemen
Revises:
Create Date: 2023-09-12 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0062statemen'
down_revision = None
branch_labels = None
depends_on = None

STATEMENTS = [
    "ALTER TABLE orders ADD COLUMN channel varchar(16)",
    "UPDATE orders SET channel = 'web'",
    "ALTER TABLE orders ALTER COLUMN channel SET NOT NULL",
]


def upgrade():
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade():
    op.drop_column("orders", "channel")
