"""declares the table it needs inside the revision

Revision ID: pf501_near_local_table
Revises: alpha_base
"""
# near-miss: PF501, LN903, OW103
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session  # noqa: F401  (a SQLAlchemy module, not a models package)

revision = 'pf501_near_local_table'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None

accounts = sa.table("accounts", sa.column("id", sa.Integer), sa.column("email", sa.String))


def upgrade() -> None:
    op.bulk_insert(accounts, [{"id": 1, "email": "root@example.com"}])


def downgrade() -> None:
    op.execute(accounts.delete().where(accounts.c.id == 1))
