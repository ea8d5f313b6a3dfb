"""bind engine name

Revision ID: 0059bindxeng
Revises:
Create Date: 2023-06-19 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0059bindxeng'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.engine.name == "postgresql":
        op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_hits_at ON hits (at)")
    if str(bind.engine.url).startswith("mysql"):
        op.create_index("ix_hits_at", "hits", ["at"])


def downgrade():
    op.drop_index("ix_hits_at", table_name="hits")
