"""table comments

Revision ID: 0029tablexco
Revises:
Create Date: 2023-03-19 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0029tablexco'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table_comment("ledger", "double entry, never updated")
    op.alter_column("ledger", "amount", comment="in cents", existing_type=sa.BigInteger())


def downgrade():
    op.alter_column("ledger", "amount", comment=None, existing_type=sa.BigInteger())
    op.drop_table_comment("ledger")
