"""primary key swap

Revision ID: 0039primaryx
Revises:
Create Date: 2023-04-19 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0039primaryx'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.drop_constraint("pk_settings", "settings", type_="primary")
    op.create_primary_key("pk_settings", "settings", ["tenant_id", "key"])


def downgrade():
    op.drop_constraint("pk_settings", "settings", type_="primary")
    op.create_primary_key("pk_settings", "settings", ["key"])
