"""names longer than PostgreSQL keeps

Revision ID: pg412_long_identifier
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'pg412_long_identifier'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column(  # <- PG412
        "preferred_notification_channel_for_billing_reminders_and_receipts", sa.String(16)))
    op.create_index("ix_legacy_notes_body_for_the_full_text_search_of_archived_notes_v2",  # <- PG412, LN904
                    "legacy_notes", ["body"])
    op.create_table(  # <- PG412
        "notification_preferences_for_accounts_with_several_billing_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("notification_preferences_for_accounts_with_several_billing_addresses")
    op.drop_column("accounts", "preferred_notification_channel_for_billing_reminders_and_receipts")
