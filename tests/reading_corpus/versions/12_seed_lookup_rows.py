"""seed lookup rows

Revision ID: 0012seedxloo
Revises:
Create Date: 2023-04-12 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0012seedxloo'
down_revision = None
branch_labels = None
depends_on = None

countries = sa.table("countries", sa.column("code", sa.String), sa.column("name", sa.String))


def upgrade():
    op.bulk_insert(countries, [{"code": "FR", "name": "France"}, {"code": "JP", "name": "Japan"}])


def downgrade():
    op.execute(countries.delete().where(countries.c.code.in_(["FR", "JP"])))
