"""a scratch table created and dropped in one upgrade

Revision ID: ds101_near_scratch_table
Revises: alpha_base
"""
# near-miss: DS101, PF505, DD201
from alembic import op
import sqlalchemy as sa

revision = 'ds101_near_scratch_table'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("scratch_rows", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("INSERT INTO scratch_rows (id) SELECT id FROM accounts")
    op.drop_table("scratch_rows")


def downgrade() -> None:
    raise NotImplementedError("nothing to undo: the scratch table only lives during the upgrade")
