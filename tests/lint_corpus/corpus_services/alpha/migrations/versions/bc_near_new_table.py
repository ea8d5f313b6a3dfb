"""renames inside a table created in the same revision

Revision ID: bc_near_new_table
Revises: alpha_base
"""
# near-miss: BC301, BC302
from alembic import op
import sqlalchemy as sa

revision = 'bc_near_new_table'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.alter_column("drafts", "title", new_column_name="name")
    op.rename_table("drafts", "draft_items")


def downgrade() -> None:
    op.drop_table("draft_items")
