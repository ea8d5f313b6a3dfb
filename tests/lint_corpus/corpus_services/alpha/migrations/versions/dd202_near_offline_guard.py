"""the back-fill runs online only, or its failure is caught; lint cannot tell

Revision ID: dd202_near_offline_guard
Revises: alpha_base
"""
# near-miss: DD202, LN904
from alembic import context, op
import sqlalchemy as sa

revision = 'dd202_near_offline_guard'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None


def _backfill_clients(connection) -> None:
    for row in connection.execute(sa.text("SELECT id FROM sessions WHERE client IS NULL")):
        connection.execute(sa.text("UPDATE sessions SET client = 'web' WHERE id = :id"),
                           {"id": row.id})


def upgrade() -> None:
    op.add_column("sessions", sa.Column("client", sa.String(length=32), nullable=True))
    if not context.is_offline_mode():
        _backfill_clients(op.get_bind())
    op.alter_column("sessions", "client", existing_type=sa.String(length=32), nullable=False)
    connection = op.get_bind()
    try:
        missing = connection.execute(sa.text("SELECT id FROM accounts WHERE name IS NULL")).all()
    except Exception:  # a database without the column yet
        missing = []
    for row in missing:
        connection.execute(sa.text("UPDATE accounts SET name = email WHERE id = :id"),
                           {"id": row.id})
    op.alter_column("accounts", "name", existing_type=sa.String(length=100), nullable=False)


def downgrade() -> None:
    op.alter_column("accounts", "name", existing_type=sa.String(length=100), nullable=True)
    op.drop_column("sessions", "client")
