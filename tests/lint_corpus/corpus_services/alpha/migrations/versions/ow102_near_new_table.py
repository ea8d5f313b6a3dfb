"""alpha creates a table of its own that no models declare yet

Revision ID: ow102_near_new_table
Revises: alpha_base
"""
# near-miss: OW102, OW103, DD201, DD203, PG401, PG403
from alembic import op
import sqlalchemy as sa

revision = 'ow102_near_new_table'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_events_kind", "audit_events", ["kind"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_audit_events_kind", table_name="audit_events")
    op.drop_table("audit_events")
