"""dialect branch pg

Revision ID: 0017dialectx
Revises:
Create Date: 2023-09-17 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0017dialectx'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    if op.get_context().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index("ix_articles_title_trgm", "articles", ["title"],
                        postgresql_using="gin", postgresql_ops={"title": "gin_trgm_ops"})
    else:
        op.create_index("ix_articles_title", "articles", ["title"])


def downgrade():
    op.drop_index("ix_articles_title_trgm", table_name="articles")
