"""association table

Revision ID: 0038associat
Revises:
Create Date: 2023-03-18 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0038associat'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("project_members",
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    )


def downgrade():
    op.drop_table("project_members")
