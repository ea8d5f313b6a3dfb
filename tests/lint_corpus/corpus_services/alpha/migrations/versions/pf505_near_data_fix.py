"""a data fix: statuses normalised; nothing of the schema to undo

Revision ID: pf505_near_data_fix
Revises: alpha_base
"""
# near-miss: PF505
from alembic import op
import sqlalchemy as sa

revision = 'pf505_near_data_fix'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None

accounts = sa.table("accounts", sa.column("id", sa.Integer), sa.column("status", sa.String))


def upgrade() -> None:
    op.execute(accounts.update().where(accounts.c.status == "ACTIVE").values(status="active"))
    op.bulk_insert(accounts, [{"id": 0, "status": "system"}])


def downgrade() -> None:
    pass
