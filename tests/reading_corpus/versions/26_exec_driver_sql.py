"""exec driver sql

Revision ID: 0026execxdri
Revises:
Create Date: 2023-09-16 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0026execxdri'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.get_bind().exec_driver_sql("DELETE FROM sessions WHERE expires_at < now()")


def downgrade():
    pass
