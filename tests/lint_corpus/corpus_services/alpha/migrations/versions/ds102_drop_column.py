"""alpha drops columns

Revision ID: ds102_drop_column
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'ds102_drop_column'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column("accounts", "legacy_code")  # <- DS102
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("created_at")  # <- DS102
    op.execute("ALTER TABLE accounts DROP COLUMN notes")  # <- DS102, PF502


def downgrade() -> None:
    op.add_column("accounts", sa.Column("notes", sa.Text(), nullable=True))
    op.add_column("sessions", sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("accounts", sa.Column("legacy_code", sa.String(length=20), nullable=True))
