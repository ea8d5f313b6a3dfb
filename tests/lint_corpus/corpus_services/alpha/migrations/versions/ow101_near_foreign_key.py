"""alpha refers to beta's payments without changing it

Revision ID: ow101_near_foreign_key
Revises: alpha_base
"""
# near-miss: OW101, PG403, DD201
from alembic import op
import sqlalchemy as sa

revision = 'ow101_near_foreign_key'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("last_payment_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_accounts_last_payment_id_payments"), "accounts", "payments",
        ["last_payment_id"], ["id"], postgresql_not_valid=True,
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_accounts_last_payment_id_payments"), "accounts", type_="foreignkey")
    op.drop_column("accounts", "last_payment_id")
