"""batch mode on SQLite needs the live table

Revision ID: ln904_sqlite_batch
Revises: alpha_base
"""
# near-miss: PG405
# dialect: sqlite
from alembic import op
import sqlalchemy as sa

revision = 'ln904_sqlite_batch'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:  # <- LN904
        batch.alter_column("token", type_=sa.String(length=128))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.alter_column("token", type_=sa.String(length=64))
