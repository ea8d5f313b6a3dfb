"""drop and recreate

Revision ID: 0027dropxand
Revises:
Create Date: 2023-01-17 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0027dropxand'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("search_index")
    op.create_table("search_index",
                    sa.Column("doc_id", sa.Integer(), primary_key=True),
                    sa.Column("vector", sa.Text(), nullable=False))


def downgrade():
    op.drop_table("search_index")
