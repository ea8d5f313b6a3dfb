"""renames

Revision ID: 0020renames
Revises:
Create Date: 2023-03-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0020renames'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table("user_groups", "teams")
    op.alter_column("teams", "group_name", new_column_name="name", existing_type=sa.String(80))


def downgrade():
    op.alter_column("teams", "name", new_column_name="group_name", existing_type=sa.String(80))
    op.rename_table("teams", "user_groups")
