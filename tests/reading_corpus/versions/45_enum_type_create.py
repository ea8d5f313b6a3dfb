"""enum type create

Revision ID: 0045enumxtyp
Revises:
Create Date: 2023-01-15 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0045enumxtyp'
down_revision = None
branch_labels = None
depends_on = None

from sqlalchemy.dialects import postgresql

status = postgresql.ENUM("draft", "live", name="page_status", create_type=False)


def upgrade():
    status.create(op.get_bind(), checkfirst=False)
    op.add_column("pages", sa.Column("status", status, nullable=False, server_default="draft"))


def downgrade():
    op.drop_column("pages", "status")
    status.drop(op.get_bind(), checkfirst=False)
