"""data migration update only

Revision ID: 0011dataxmig
Revises:
Create Date: 2023-03-11 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0011dataxmig'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE accounts SET plan = 'free' WHERE plan IS NULL"))
    op.alter_column("accounts", "plan", nullable=False, existing_type=sa.String(16))


def downgrade():
    op.alter_column("accounts", "plan", nullable=True, existing_type=sa.String(16))
