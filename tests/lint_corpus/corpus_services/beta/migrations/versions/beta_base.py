"""beta's payments, referring to alpha's accounts

Revision ID: beta_base
Revises: 
"""
# near-miss: OW101
requires = ["alpha:alpha_base"]
from alembic import op
import sqlalchemy as sa

revision = 'beta_base'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_payments_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )


def downgrade() -> None:
    op.drop_table("payments")
