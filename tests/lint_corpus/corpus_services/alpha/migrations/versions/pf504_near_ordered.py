"""referenced tables created first

Revision ID: pf504_near_ordered
Revises: alpha_base
"""
# near-miss: PF504, PG403
from alembic import op
import sqlalchemy as sa

revision = 'pf504_near_ordered'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("labels", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table(
        "label_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("label_id", sa.Integer(), sa.ForeignKey("labels.id")),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("label_links.id")),
    )
    op.add_column("label_links", sa.Column("account_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        "fk_label_links_account_id_accounts", "label_links", "accounts", ["account_id"], ["id"]
    )


def downgrade() -> None:
    op.drop_table("label_links")
    op.drop_table("labels")
