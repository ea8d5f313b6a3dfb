"""a surrogate key added to tables that have rows

Revision ID: pg410_serial_key
Revises: alpha_base
"""
# near-miss: PG406
from alembic import op
import sqlalchemy as sa

revision = 'pg410_serial_key'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("seq", sa.BigInteger(), sa.Identity(), primary_key=True))  # <- PG410
    op.execute("ALTER TABLE legacy_notes ADD COLUMN note_id bigserial PRIMARY KEY")  # <- PG410, PF502


def downgrade() -> None:
    op.drop_column("legacy_notes", "note_id")
    op.drop_column("sessions", "seq")
