# encoding: utf-8
# Licensed under the project's licence; see LICENSE.
"""unicode literals

Revision ID: 0016unicodex
Revises:
Create Date: 2023-08-16 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0016unicodex'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(u"api_token",
                    sa.Column(u"id", sa.Integer(), primary_key=True),
                    sa.Column(u"token", sa.Unicode(64), nullable=False))
    op.create_index(u"ix_api_token_token", u"api_token", [u"token"], unique=True)


def downgrade():
    op.drop_index(u"ix_api_token_token", table_name=u"api_token")
    op.drop_table(u"api_token")
