"""execute construct

Revision ID: 0023executex
Revises:
Create Date: 2023-06-13 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0023executex'
down_revision = None
branch_labels = None
depends_on = None

jobs = sa.table("jobs", sa.column("state", sa.String), sa.column("retries", sa.Integer))


def upgrade():
    op.execute(jobs.update().where(jobs.c.state == "stuck").values(state="failed"))
    op.execute(jobs.delete().where(jobs.c.retries > 10))


def downgrade():
    pass
