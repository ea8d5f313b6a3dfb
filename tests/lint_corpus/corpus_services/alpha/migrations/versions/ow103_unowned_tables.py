"""alpha changes an ignored and an unowned table

Revision ID: ow103_unowned_tables
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'ow103_unowned_tables'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("celery_taskmeta", sa.Column("tenant", sa.String(length=36)))  # <- OW103
    op.drop_index("ix_reports_day", table_name="reports")  # <- OW103, PG402
    op.execute("UPDATE alembic_version_beta SET version_num = 'x'")  # <- OW103


def downgrade() -> None:
    op.create_index("ix_reports_day", "reports", ["day"])  # <- OW103
    op.drop_column("celery_taskmeta", "tenant")  # <- OW103
