"""a table of the same name in another schema is not alpha's

Revision ID: ow103_other_schema
Revises: alpha_base
"""
from alembic import op
import sqlalchemy as sa

revision = 'ow103_other_schema'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("nickname", sa.String(length=40)), schema="audit")  # <- OW103
    op.execute("UPDATE public.reports SET day = day WHERE day > '2020-01-01'")  # <- OW103


def downgrade() -> None:
    op.drop_column("accounts", "nickname", schema="audit")  # <- OW103
