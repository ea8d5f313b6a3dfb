"""back-fills in key ranges, and a table created in the same revision

Revision ID: dd204_near_batched
Revises: alpha_base
"""
# near-miss: DD204, PF506
from alembic import op
import sqlalchemy as sa

revision = 'dd204_near_batched'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None

BATCH = 10_000


def upgrade() -> None:
    for start in range(0, 200_000, BATCH):
        op.execute(f"UPDATE accounts SET notes = '' WHERE id >= {start} AND id < {start + BATCH}")
    op.create_table(
        "account_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_flags")),
    )
    op.execute("UPDATE account_flags SET flag = 'none'")


def downgrade() -> None:
    op.drop_table("account_flags")
