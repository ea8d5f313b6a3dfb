"""values passed as bound parameters

Revision ID: pf506_near_bound_parameters
Revises: alpha_base
"""
# near-miss: PF506
from alembic import op
import sqlalchemy as sa

revision = 'pf506_near_bound_parameters'
down_revision = 'alpha_base'
branch_labels = None
depends_on = None

PREFIX = "UPDATE accounts SET legacy_code = 'none'"


def upgrade() -> None:
    op.execute(sa.text("UPDATE accounts SET status = :status").bindparams(status="active"))  # <- DD204
    op.execute(f"UPDATE accounts SET name = email WHERE name IS NULL")  # <- DD204
    op.execute("UPDATE accounts SET notes = '' " + "WHERE notes IS NULL")  # <- DD204
    op.execute(PREFIX + " WHERE legacy_code IS NULL")  # <- DD204


def downgrade() -> None:
    raise NotImplementedError("the old values are gone")
