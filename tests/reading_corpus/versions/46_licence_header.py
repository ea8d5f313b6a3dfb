#
# Copyright (c) the authors.
#
"""licence header

Revision ID: 0046licencex
Revises:
Create Date: 2023-02-16 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0046licencex'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("licences", sa.Column("expires_on", sa.Date(), nullable=True))


def downgrade():
    op.drop_column("licences", "expires_on")
