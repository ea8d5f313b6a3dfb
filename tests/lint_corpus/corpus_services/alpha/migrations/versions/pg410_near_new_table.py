"""a SERIAL key on a new table, a SERIAL column that is no key

Revision ID: pg410_near_new_table
Revises: alpha_base
"""
# near-miss: PG410
from alembic import op
import sqlalchemy as sa

revision = 'pg410_near_new_table'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.execute("ALTER TABLE audit_events ADD COLUMN seq bigserial PRIMARY KEY")  # <- PF502
    op.execute("ALTER TABLE legacy_notes ADD COLUMN position serial")  # <- PG406, PF502


def downgrade() -> None:
    op.drop_column("legacy_notes", "position")
    op.drop_table("audit_events")
