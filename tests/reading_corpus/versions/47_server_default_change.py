"""server default change

Revision ID: 0047serverxd
Revises:
Create Date: 2023-03-17 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0047serverxd'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("carts", "currency", server_default="EUR", existing_type=sa.String(3))


def downgrade():
    op.alter_column("carts", "currency", server_default=None, existing_type=sa.String(3))
