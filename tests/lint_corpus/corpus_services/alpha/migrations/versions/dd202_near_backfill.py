"""the guide's pattern: add nullable, back-fill, then NOT NULL

Revision ID: dd202_near_backfill
Revises: alpha_base
"""
# near-miss: DD202, PF502
from alembic import op
import sqlalchemy as sa

revision = 'dd202_near_backfill'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None

sessions_table = sa.table("sessions", sa.column("kind", sa.SmallInteger))


def upgrade() -> None:
    op.execute("UPDATE accounts SET name = email WHERE name IS NULL")  # <- DD204
    op.alter_column("accounts", "name", existing_type=sa.String(length=100), nullable=False)
    op.add_column("sessions", sa.Column("kind", sa.SmallInteger(), nullable=True))
    connection = op.get_bind()
    connection.execute(  # <- DD204
        sa.update(sessions_table).where(sessions_table.c.kind.is_(None)).values(kind=0)
    )
    op.alter_column("sessions", "kind", nullable=False)
    op.add_column("sessions", sa.Column("scope", sa.String(length=16), server_default="all"))
    op.alter_column("sessions", "scope", nullable=False)


def downgrade() -> None:
    op.drop_column("sessions", "scope")
    op.drop_column("sessions", "kind")
    op.alter_column("accounts", "name", existing_type=sa.String(length=100), nullable=True)
