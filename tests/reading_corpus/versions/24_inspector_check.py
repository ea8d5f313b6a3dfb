"""inspector check

Revision ID: 0024inspecto
Revises:
Create Date: 2023-07-14 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0024inspecto'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("widgets", sa.Column("color", sa.String(16), nullable=True))
    inspector = sa.inspect(op.get_bind())
    if "legacy_color" in [c["name"] for c in inspector.get_columns("widgets")]:
        op.drop_column("widgets", "legacy_color")


def downgrade():
    op.drop_column("widgets", "color")
