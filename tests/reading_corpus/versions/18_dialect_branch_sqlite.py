"""dialect branch sqlite

Revision ID: 0018dialectx
Revises:
Create Date: 2023-01-18 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0018dialectx'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    if op.get_context().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    else:
        op.create_index("ix_articles_title", "articles", ["title"])


def downgrade():
    op.drop_index("ix_articles_title", table_name="articles")
