"""alter type using

Revision ID: 0060alterxty
Revises:
Create Date: 2023-07-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0060alterxty'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("readings", "value", type_=sa.Numeric(12, 4), existing_type=sa.String(32),
                    postgresql_using="value::numeric(12,4)")


def downgrade():
    op.alter_column("readings", "value", type_=sa.String(32), existing_type=sa.Numeric(12, 4))
