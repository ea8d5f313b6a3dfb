"""alpha's own tables, written with the default schema

Revision ID: ow103_near_schema_qualified
Revises: alpha_base
"""
# near-miss: OW103, PG401, PG413
from alembic import op
import sqlalchemy as sa

revision = 'ow103_near_schema_qualified'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("nickname", sa.String(length=40), nullable=True),
                  schema="public")
    op.execute("UPDATE public.accounts SET nickname = name WHERE id < 1000")
    with op.get_context().autocommit_block():
        op.create_index("ix_accounts_nickname", "accounts", ["nickname"], schema="public",
                        postgresql_concurrently=True)


def downgrade() -> None:
    op.drop_index("ix_accounts_nickname", table_name="accounts", schema="public")
    op.drop_column("accounts", "nickname", schema="public")
