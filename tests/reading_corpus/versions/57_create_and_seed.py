"""create and seed

Revision ID: 0057createxa
Revises:
Create Date: 2023-04-17 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0057createxa'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    roles = op.create_table("roles",
                            sa.Column("id", sa.Integer(), primary_key=True),
                            sa.Column("name", sa.String(32), nullable=False))
    op.bulk_insert(roles, [{"id": 1, "name": "admin"}, {"id": 2, "name": "viewer"}])


def downgrade():
    op.drop_table("roles")
