"""a 63-byte name, and an op.f() name SQLAlchemy shortens itself (with a hash)

Revision ID: pg412_near_63_bytes
Revises: alpha_base
"""
# near-miss: PG412
from alembic import op
import sqlalchemy as sa

revision = 'pg412_near_63_bytes'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column(
        "preferred_notification_channel_for_billing_reminders_and_rcpts", sa.String(16)))
    with op.get_context().autocommit_block():
        op.create_index(op.f("ix_accounts_preferred_notification_channel_for_billing_reminders"),
                        "accounts", ["preferred_notification_channel_for_billing_reminders_and_rcpts"],
                        postgresql_concurrently=True)


def downgrade() -> None:
    op.drop_column("accounts", "preferred_notification_channel_for_billing_reminders_and_rcpts")
